"""The build, top to bottom. ``digest build``, ``digest check`` and the preview
server all call ``run``.

    settings -> files -> parse -> model -> plan -> render -> write

Content and layout problems are collected from every stage and returned
together; if there is any error, nothing is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from generator import deps
from generator.bodies import BodyError, BodyStore
from generator.check import PageScan, check_site, scan_page
from generator.config import (
    CONFIG_FILE,
    SiteConfig,
    base_url_warning,
    load_config,
    with_base_url,
)
from generator.deps import DependencyMap, Fingerprints, OutputRecord
from generator.diagnostics import Diagnostic, error, has_errors, sorted_diagnostics
from generator.feeds import FeedEntry
from generator.heap import BulkPhase
from generator.incremental import LastBuild, commit, plan_edits, remember
from generator.load import CONTENT_DIR, SourceFile, load_site_files
from generator.model import Article, Reuse, Site, Teaser, build_site, skeleton
from generator.parallel import parse_many, run_split
from generator.parse import ParsedArticle
from generator.plan import (
    CONFIG_KEY,
    CopyJob,
    FeedMemo,
    Job,
    Plan,
    layout_key,
    plan_site,
    src_key,
    teaser_key,
)
from generator.render import (
    WHILE_RENDERING,
    Layouts,
    check_layouts,
    layout_closure,
    layout_files_key,
    make_env,
    new_build,
    render_job,
)
from generator.sitemap import news_valid_until
from generator.state import (
    STATE_DIR,
    Inputs,
    SavedState,
    StateHead,
    body_refs,
    body_store,
    load_head,
    load_state,
    output_stats,
    save_state,
)
from generator.write import (
    Staging,
    check_output_dir,
    remove_files,
    replace_copy,
    replace_file,
)

Progress = Callable[[int, int], None]  # (done, total)
IN_PLACE_LIMIT = 200  # a build that changes fewer outputs replaces them in place
RACY_NS = 2_000_000_000  # coarser than any file system's modification times (FAT: 2 s)
# Objects many outputs show, or whose output the preview may sign again:
# fingerprinted once each (by identity) and referred to by that print.
MEMO_TYPES = (Teaser, Article, FeedEntry)


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    site_dir: Path
    output_dir: Path
    drafts: bool = False
    write: bool = True  # False: check everything, write nothing (digest check)
    base_url: str | None = None  # overrides site.yaml (digest build --base-url)
    check_links: bool = False  # check the rendered pages' links, ids and titles (digest check)
    now: dt.datetime | None = None  # default: SOURCE_DATE_EPOCH, else the current time
    incremental: bool = False  # with a cache in memory: re-render only what changed
    changed: frozenset[str] | None = None  # site-relative paths the watcher saw change
    jobs: int = 1  # processes for parsing and rendering
    # With a last build to start from, up to this many changed outputs (or a
    # tenth of them all) are replaced in place; more are written into a
    # staging folder, in ``jobs`` processes, and swapped in whole.
    in_place_limit: int = IN_PLACE_LIMIT
    # Leave the output folder a staging folder replaced for the caller to
    # delete (``BuildResult.replaced``): the preview tells the browsers first.
    keep_replaced: bool = False


@dataclass(slots=True, kw_only=True)
class LayoutSet:
    """A Jinja environment with everything learnt about its layouts, reused
    while the settings and every layout file are unchanged."""

    key: object
    env: jinja2.Environment
    layouts: Layouts
    diagnostics: list[Diagnostic]
    names: list[str]  # every layout name, site and theme
    closures: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    prints: _LayoutPrints | None = None


@dataclass(slots=True, kw_only=True)
class BuildCache:
    """What one build hands to the next, in memory (the preview server keeps
    one): files by their stat, parse results by content hash, and the
    dependency map of the last good output. Every entry is checked before it
    is used, so a stale cache costs time, never a wrong page."""

    files: dict[str, SourceFile] = field(default_factory=dict)
    parsed: dict[str, tuple[object, ParsedArticle | None, list[Diagnostic]]] = field(
        default_factory=dict
    )
    deps: DependencyMap | None = None  # of the output as it is on disk
    layout_set: LayoutSet | None = None
    last: LastBuild | None = None  # the last good incremental build, for the fast path
    parse_warnings: dict[str, list[Diagnostic]] = field(default_factory=dict)  # with ``last``
    related: dict[str, object] = field(default_factory=dict)  # see model.build_site
    reuse: Reuse = field(default_factory=Reuse)  # the last model's objects (the preview's)
    prints: Fingerprints | None = None  # the last signing's memo (the preview's)
    feed_entries: FeedMemo = field(default_factory=dict)  # see plan.plan_site (the preview's)
    bodies: BodyStore = field(default_factory=BodyStore)  # where parsed bodies are kept


@dataclass(slots=True, kw_only=True)
class BuildResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    articles: int = 0
    tags: int = 0
    pages: int = 0  # HTML pages
    files: int = 0  # every output file
    rendered: int = 0  # outputs rendered by this build (all of them, unless incremental)
    changed: list[str] = field(default_factory=list)  # outputs written or deleted (incremental)
    replaced_all: bool = False  # the whole output folder was swapped in (a full build)
    replaced: Path | None = None  # the folder it replaced, if kept (``keep_replaced``)
    seconds: float = 0.0
    deps: DependencyMap = field(default_factory=DependencyMap)
    site: Site | None = None
    config: SiteConfig | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def run(
    options: BuildOptions,
    progress: Progress | None = None,
    cache: BuildCache | None = None,
) -> BuildResult:
    """Build the site. Raises ``write.OutputError`` only for an unusable output folder.

    With ``options.incremental`` and a ``cache`` from the last good build into
    the same folder, only outputs whose signature changed are rendered, they
    are replaced in place, and outputs nothing produces any more are deleted.
    """
    # One-shot builds freeze their bulk; the preview, which lives on, does not.
    bulk = BulkPhase(freeze=not options.incremental)
    cache = cache if cache is not None else BuildCache()
    try:
        try:
            return _run(options, progress, cache, bulk)
        except BodyError:
            # The saved state's bodies were damaged or deleted under it: it
            # is not to be trusted, so build again from the files alone.
            if options.incremental or not cache.bodies.on_disk:
                raise
            cache.bodies.close()
            cache = BuildCache()
            return _run(options, progress, cache, bulk, use_state=False)
    finally:
        bulk.end()
        cache.bodies.close()  # its files, not what it holds: it reopens them


def _run(
    options: BuildOptions,
    progress: Progress | None,
    cache: BuildCache,
    bulk: BulkPhase,
    *,
    use_state: bool = True,
) -> BuildResult:
    started = time.perf_counter()
    result = BuildResult()
    site_dir = options.site_dir
    if options.write:
        check_output_dir(options.output_dir, site_dir)
    fast = _try_fast_edit(options, cache)
    if fast is not None:
        return _finish(fast, fast.diagnostics, started)
    cache.last = None

    config, diags = load_config(site_dir)
    if options.base_url is not None:
        config, override_diags = with_base_url(config, options.base_url)
        diags += override_diags
    no_host = base_url_warning(config)
    if no_host is not None:
        diags.append(no_host)
    result.config = config
    now = options.now or build_time()
    files = load_site_files(site_dir, cache.files)
    layout_files = layout_files_key(site_dir)
    state_key = (options.drafts, options.base_url, config.fingerprint(), layout_files)
    inputs: Inputs = (
        tuple((f.rel, f.stat) for f in files.articles),
        tuple((a.rel, a.stat) for a in files.assets),
    )
    saved = None
    if options.write and not options.incremental and not cache.bodies.on_disk:
        cache.bodies = body_store(site_dir, options.output_dir)  # digest build's: on disk
    if options.write and not options.incremental and use_state:  # digest build
        # Nothing to do is told from the state's small head file alone.
        head = load_head(site_dir, options.output_dir) if not cache.files else None
        if (
            head is not None
            and _unchanged(head, state_key, inputs, now, options.output_dir)
            and _same_bytes(site_dir, head.unsure)
        ):
            result.articles, result.tags, result.pages, result.files = head.counts
            return _finish(result, diags + head.warnings, started)
        saved = load_state(site_dir, options.output_dir)
        if saved is not None and not cache.bodies.resume(body_refs(saved.parsed)):
            saved = None  # its bodies are gone
        if saved is not None and not cache.files:
            cache.files, cache.parsed = dict(saved.files), dict(saved.parsed)
            cache.related = dict(saved.related)
            files = files.knowing(cache.files)
    cache.files = {f.rel: f for f in files.articles}
    if not files.articles and not (site_dir / "content").is_dir():
        diags.append(
            error("content", "no content/ folder", hint="create content/ and put articles in it")
        )

    parsed, parse_diags = _parse_all(
        config, files.articles, options.drafts, cache, site_dir, options.jobs
    )
    diags += parse_diags

    site, model_diags = build_site(
        config,
        parsed,
        files.assets,
        files.content_paths,
        cache.related,
        reuse=cache.reuse if options.incremental else None,
    )
    diags += model_diags
    result.site = site
    result.articles = len(site.articles)
    result.tags = len(site.tags)

    layout_set = _layout_set(site_dir, config, layout_files, cache)
    env, layouts = layout_set.env, layout_set.layouts
    new_build(env)
    diags += layout_set.diagnostics
    plan, plan_diags = plan_site(
        site,
        now=now,
        bodies=cache.bodies,
        feed_memo=cache.feed_entries if options.incremental else None,
    )
    diags += plan_diags
    diags += _missing_layouts(env, plan.pages)
    result.pages = sum(1 for job in plan.pages if job.output.endswith(".html"))
    result.files = len(plan.pages) + len(plan.copies)
    if has_errors(diags):
        return _finish(result, diags, started)

    bulk.end()  # from here on, rendering leaves cyclic garbage
    previous = cache.deps if options.incremental else (saved.deps if saved else None)
    in_place = False
    dirty: set[str] | None = None
    signed: DependencyMap | None = None
    if options.write and previous is not None:
        known = _unaffected(saved, state_key, inputs, now, cache.parsed, plan) if saved else {}
        # The preview signs in this process, and keeps the prints for its next build.
        sign_jobs = 1 if options.incremental else options.jobs
        signed = result.deps = _dependency_map(layout_set, config, plan, sign_jobs, known, cache)
        dirty = _dirty(result.deps, previous, options.output_dir, saved)
        # A few changed pages are replaced in place; many, in a staging folder.
        limit = max(options.in_place_limit, len(plan.pages) // 10)
        in_place = len(dirty) <= limit
    if in_place:
        assert previous is not None and dirty is not None
        _build_incremental(
            options, env, layouts, cache.bodies, plan, previous, result, diags, dirty
        )
    else:  # signs the outputs (unless signed above) while it renders them, in every worker
        current = _Current(previous=previous, saved=saved, signed=signed)
        _build_full(options, layout_set, plan, result, diags, progress, current, cache)
    if options.write and not has_errors(diags):
        cache.deps = result.deps
        if options.incremental:  # the preview server keeps its state in memory
            cache.last = remember(_fast_key(options, layout_set), site, plan, parsed, diags)
            cache.parse_warnings = {rel: e[2] for rel, e in cache.parsed.items() if e[2]}
        else:
            _save_state(site_dir, options.output_dir, result.deps)
            saved_now = save_state(
                site_dir,
                options.output_dir,
                SavedState(
                    key=state_key,
                    inputs=inputs,
                    files={rel: f.without_data() for rel, f in cache.files.items()},
                    parsed=cache.parsed,
                    deps=result.deps,
                    outputs=_output_stats(
                        options.output_dir, result.deps, saved, dirty if in_place else None
                    ),
                    valid_until=news_valid_until([t.date for t in site.teasers], now),
                    counts=(result.articles, result.tags, result.pages, result.files),
                    related=cache.related,
                    warnings=[d for d in diags if not d.is_error],
                ),
                saved,
            )
            if saved_now:  # the bodies of the state it replaced can go
                cache.bodies.collect(body_refs(cache.parsed))
    return _finish(result, diags, started)


def _output_stats(
    out: Path, dep_map: DependencyMap, saved: SavedState | None, dirty: set[str] | None
) -> dict[str, tuple[int, int]]:
    """Every output's stat as this build leaves it. After an in-place build,
    an output that was not dirty was just found as the saved state says."""
    if saved is None or dirty is None:
        return output_stats(out, list(dep_map.outputs))
    known = {o: saved.outputs[o] for o in dep_map.outputs if o not in dirty and o in saved.outputs}
    known.update(output_stats(out, [o for o in dep_map.outputs if o not in known]))
    return known


def _unchanged(
    saved: StateHead, key: object, inputs: object, now: dt.datetime, output: Path
) -> bool:
    """Nothing to do: the same settings, layouts and input files as the last
    build, which is still on disk as it was left, and still current."""
    if saved.key != key or saved.inputs != inputs or now.timestamp() >= saved.valid_until:
        return False
    return output_stats(output, list(saved.outputs)) == saved.outputs


def _same_bytes(site_dir: Path, unsure: dict[str, str]) -> bool:
    """Every article whose stat cannot be trusted (changed too recently before
    the last build read it: see ``_parse_all``) still has the bytes it was
    parsed from. Few files: read and hashed here."""
    for rel, parsed_digest in unsure.items():
        try:
            digest = hashlib.sha256((site_dir / rel).read_bytes()).hexdigest()
        except OSError:
            return False
        if digest != parsed_digest:
            return False
    return True


def _fast_key(options: BuildOptions, layout_set: LayoutSet) -> object:
    return (options.drafts, options.base_url, options.output_dir, layout_set.key)


def _try_fast_edit(options: BuildOptions, cache: BuildCache) -> BuildResult | None:
    """The preview's fast path (see incremental.py): edits to existing articles
    that keep their skeleton. None: build the normal way."""
    last, layout_set, previous = cache.last, cache.layout_set, cache.deps
    changed = options.changed
    if not (options.incremental and options.write and changed):
        return None
    if last is None or layout_set is None or previous is None:
        return None
    if last.key != _fast_key(options, layout_set):
        return None
    if not all(rel.startswith(CONTENT_DIR + "/") and rel in cache.files for rel in changed):
        return None  # settings, layouts, assets, or a new file
    config = last.config
    sources = []
    for rel in sorted(changed):
        try:
            path = options.site_dir / rel
            st = path.stat()
            sources.append(
                SourceFile(rel=rel, data=path.read_bytes(), stat=(st.st_mtime_ns, st.st_size))
            )
        except OSError:
            return None  # deleted or renamed
    probe = BuildCache(
        parsed={s.rel: cache.parsed[s.rel] for s in sources if s.rel in cache.parsed},
        bodies=cache.bodies,
    )
    edited, parse_diags = _parse_all(
        config, tuple(sources), options.drafts, probe, options.site_dir
    )
    if has_errors(parse_diags) or len(edited) != len(sources):
        return None
    edit_plan = plan_edits(last, edited, cache.bodies)
    if edit_plan is None:
        return None

    config_print = config.fingerprint()
    prints = deps.Fingerprints(MEMO_TYPES)
    new_build(layout_set.env)
    diags: list[Diagnostic] = []
    rendered: list[tuple[str, bytes]] = []
    records: dict[str, tuple[str, tuple[str, ...]]] = {}
    for job in edit_plan.jobs:
        signature, inputs = _signature(job, layout_set, config_print, prints)
        records[job.output] = (signature, inputs)
        if not _current(job.output, signature, previous, options.output_dir, None):
            data = _render(
                layout_set.env, layout_set.layouts, job, options, cache.bodies, diags, []
            )
            if data is not None:
                rendered.append((job.output, data))
    if has_errors(diags):
        return None  # the normal build reports it

    out = options.output_dir
    changed_outputs = [rel for rel, data in rendered if replace_file(out, rel, data)]
    for output, (signature, inputs) in records.items():
        previous.add(output, signature, inputs)
    commit(last, edited, edit_plan)
    for source in sources:
        cache.files[source.rel] = probe.files[source.rel]
        cache.parsed[source.rel] = probe.parsed[source.rel]

    result = BuildResult(
        articles=len(last.site.articles),
        tags=len(last.site.tags),
        pages=last.pages,
        files=len(previous.outputs),
        rendered=len(rendered),
        changed=sorted(changed_outputs),
        deps=previous,
        site=last.site,
        config=config,
    )
    result.diagnostics = list(last.diagnostics)
    for rel, (_, _, entry_diags) in probe.parsed.items():
        cache.parse_warnings.pop(rel, None)
        if entry_diags:
            cache.parse_warnings[rel] = entry_diags
    for entry_diags in cache.parse_warnings.values():
        result.diagnostics += entry_diags
    return result


def _finish(result: BuildResult, diags: list[Diagnostic], started: float) -> BuildResult:
    result.diagnostics = _group_layout_errors(sorted_diagnostics(diags))
    result.seconds = time.perf_counter() - started
    return result


def _group_layout_errors(diags: list[Diagnostic]) -> list[Diagnostic]:
    """A broken layout fails every page that uses it: say it once, with the
    first page and how many more, not ten thousand times."""

    def key(d: Diagnostic) -> tuple[str, int | None, str] | None:
        head, sep, _ = d.message.partition(WHILE_RENDERING)
        return (d.path, d.line, head) if sep else None

    counts = Counter(k for d in diags if (k := key(d)) is not None)
    seen: set[tuple[str, int | None, str]] = set()
    result = []
    for d in diags:
        k = key(d)
        if k is not None:
            if k in seen:
                continue
            seen.add(k)
            if (more := counts[k] - 1) > 0:
                plural = "s" if more != 1 else ""
                d = dataclasses.replace(
                    d, message=f"{d.message[:-1]} and {more} more page{plural})"
                )
        result.append(d)
    return result


def _parse_all(
    config: SiteConfig,
    sources: tuple[SourceFile, ...],
    drafts: bool,
    cache: BuildCache,
    site_dir: Path,
    jobs: int = 1,
) -> tuple[list[ParsedArticle], list[Diagnostic]]:
    """Parse every article, reusing the cached result of any file whose bytes
    and parse settings are unchanged. A file the cache knows but whose stat
    changed (touched, checked out again) is read and hashed here: the same
    bytes keep their parse."""
    settings = (config.timezone, config.markdown_html, config.highlight, drafts)
    # A file changed within the file system's timestamp granularity of being
    # read could change again with the same stat: such a digest is not kept.
    trust_before = time.time_ns() - RACY_NS
    misses = []
    known: dict[str, SourceFile] = {}
    for source in sources:
        entry = cache.parsed.get(source.rel)
        if entry is not None and not source.digest and source.data is None:
            try:
                data = (site_dir / source.rel).read_bytes()
            except OSError:
                misses.append(source)  # parse_many says why
                continue
            source = SourceFile(rel=source.rel, data=data, stat=source.stat)
        if source.digest and entry is not None and entry[0] == (source.digest, settings):
            known[source.rel] = source
        else:
            misses.append(source)
    results = parse_many(config, misses, drafts, site_dir, jobs, cache.bodies)
    parsed: list[ParsedArticle] = []
    diags: list[Diagnostic] = []
    fresh: dict[str, tuple[object, ParsedArticle | None, list[Diagnostic]]] = {}
    for source in sources:
        if source.rel in results:
            digest, article, article_diags = results[source.rel]
            entry = ((digest, settings), article, article_diags)
        else:
            entry = cache.parsed[source.rel]
            digest = known[source.rel].digest
        if source.rel in results or source.data is not None or not source.digest:
            # Known now: its digest, for the next build; never its bytes.
            trusted = source.stat[0] < trust_before
            cache.files[source.rel] = SourceFile(
                rel=source.rel, data=None, stat=source.stat, digest=digest if trusted else ""
            )
        fresh[source.rel] = entry
        _, article, article_diags = entry
        diags += article_diags
        if article is not None and (drafts or not article.draft):
            parsed.append(article)
    cache.parsed = fresh
    return parsed, diags


def _layout_set(
    site_dir: Path, config: SiteConfig, layout_files: object, cache: BuildCache
) -> LayoutSet:
    key = (config.fingerprint(), layout_files)
    cached = cache.layout_set
    if cached is not None and cached.key == key:
        return cached
    env, layouts = make_env(site_dir, config)
    layout_set = LayoutSet(
        key=key,
        env=env,
        layouts=layouts,
        diagnostics=check_layouts(env, layouts),
        names=layouts.names(),
    )
    cache.layout_set = layout_set
    return layout_set


def _unaffected(
    saved: SavedState,
    key: object,
    inputs: Inputs,
    now: dt.datetime,
    parsed: dict[str, tuple[object, ParsedArticle | None, list[Diagnostic]]],
    plan: Plan,
) -> dict[str, OutputRecord]:
    """The saved records still true without signing again. After edits that
    keep every article's skeleton (the same files, settings, layouts and
    assets; each edited article keeps its URL, date and tags: see
    ``model.skeleton``), an output that none of the edited articles feeds
    has the context it had, so its signature and inputs are the saved ones.
    Anything else: {} (sign everything)."""
    old_articles, old_assets = saved.inputs
    if saved.key != key or now.timestamp() >= saved.valid_until or old_assets != inputs[1]:
        return {}
    if [rel for rel, _ in old_articles] != [rel for rel, _ in inputs[0]]:
        return {}
    edited: set[str] = set()
    for rel, entry in parsed.items():
        old = saved.parsed.get(rel)
        if old is entry:
            continue  # the parse cache answered: the same article
        if old is None or old[1] is None or entry[1] is None:
            return {}
        if skeleton(old[1]) != skeleton(entry[1]):
            return {}
        edited |= {src_key(rel), teaser_key(rel)}
    records = saved.deps.outputs
    if len(records) != len(plan.pages) + len(plan.copies):
        return {}
    if any(job.output not in records for job in plan.pages):
        return {}
    return {out: rec for out, rec in records.items() if edited.isdisjoint(rec.inputs)}


def _dependency_map(
    layout_set: LayoutSet,
    config: SiteConfig,
    plan: Plan,
    jobs: int = 1,
    known: dict[str, OutputRecord] | None = None,
    cache: BuildCache | None = None,
) -> DependencyMap:
    """Every output's signature and input keys (see deps.py), signed in
    ``jobs`` processes; the outputs in ``known`` keep their record. With a
    ``cache`` (the preview's), the prints of the objects the last build
    signed are reused, and this build's are kept for the next."""
    config_print = config.fingerprint()
    known = known or {}
    prints = deps.Fingerprints(MEMO_TYPES, cache.prints if cache is not None else None)
    if cache is not None:
        cache.prints = prints  # this process's share (all of it, with one job)

    def sign(part: Sequence[Job]) -> dict[str, str]:
        return {job.output: _signature(job, layout_set, config_print, prints)[0] for job in part}

    signed: dict[str, str] = {}
    for part in run_split([job for job in plan.pages if job.output not in known], sign, jobs):
        signed.update(part)
    dep_map = DependencyMap()
    for job in plan.pages:  # in plan order; the inputs from this process's objects
        record = known.get(job.output)
        if record is not None:
            dep_map.outputs[job.output] = record
            continue
        inputs = (*job.inputs, *_layout_inputs(job, layout_set))
        dep_map.add(job.output, signed[job.output], inputs)
    for copy in plan.copies:
        dep_map.add(copy.output, _copy_signature(copy), copy.inputs)
    return dep_map


@dataclass(frozen=True, slots=True)
class _Current:
    """What a full build knows of the output folder it replaces: the map of
    the build that made it (and, for ``digest build``, the stats it left), so
    the outputs still current are carried over; and this build's signatures
    when they were worked out already."""

    previous: DependencyMap | None = None
    saved: SavedState | None = None
    signed: DependencyMap | None = None


@dataclass(slots=True)
class _Part:
    """What a share of the full build's rendering sends back."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    scans: list[PageScan] = field(default_factory=list)
    signatures: dict[str, str] = field(default_factory=dict)  # output -> signature
    rendered: int = 0


def _copy_signature(copy: CopyJob) -> str:
    return f"file:{copy.source}:{copy.stat[0]}:{copy.stat[1]}"


def _layout_inputs(job: Job, layout_set: LayoutSet) -> tuple[str, ...]:
    """``config`` and every layout the job's layout reaches."""
    if job.layout is None:
        return (CONFIG_KEY,)
    closures = layout_set.closures
    if job.layout not in closures:
        closures[job.layout] = layout_closure(layout_set.env, job.layout)
    return deps.layout_inputs(closures[job.layout], layout_set.names)


def _signature(
    job: Job, layout_set: LayoutSet, config_print: str, prints: deps.Fingerprints
) -> tuple[str, tuple[str, ...]]:
    """A job's signature and its full list of input keys (layouts included)."""
    layout_inputs = _layout_inputs(job, layout_set)
    if layout_set.prints is None:
        layout_set.prints = _LayoutPrints(layout_set.env)
    layout_prints = layout_set.prints
    signature = prints(
        job.layout or job.producer,
        [(key, _input_print(key, layout_prints, config_print)) for key in layout_inputs],
        job.context,
    )
    return signature, (*job.inputs, *layout_inputs)


def _render(
    env: jinja2.Environment,
    layouts: Layouts,
    job: Job,
    options: BuildOptions,
    bodies: BodyStore,
    diags: list[Diagnostic],
    scans: list[PageScan],
) -> bytes | None:
    data, problem = render_job(env, layouts, job, bodies)
    if problem is not None:
        diags.append(problem)
        return None
    if options.check_links and data is not None and job.output.endswith(".html"):
        origin = job.origin if job.origin.startswith("content/") else f"layouts/{job.layout}"
        scans.append(scan_page(job.output, origin, data))
    return data


def _build_full(
    options: BuildOptions,
    layout_set: LayoutSet,
    plan: Plan,
    result: BuildResult,
    diags: list[Diagnostic],
    progress: Progress | None,
    current: _Current,
    cache: BuildCache,
) -> None:
    """Render (and sign, unless ``current.signed``) everything into a staging
    folder, carrying over the outputs that are current; swap it in if all
    went well."""
    env, layouts = layout_set.env, layout_set.layouts
    config = result.config
    assert config is not None
    config_print = config.fingerprint()
    scans: list[PageScan] = []
    staging = Staging(options.output_dir) if options.write else None
    out = options.output_dir

    previous, saved, known = current.previous, current.saved, current.signed

    def reusable(output: str, signature: str) -> bool:
        return previous is not None and _current(output, signature, previous, out, saved)

    try:
        total = len(plan.pages) + len(plan.copies)
        jobs = options.jobs

        prints = deps.Fingerprints(MEMO_TYPES)
        if options.incremental and known is None:
            # The preview keeps the prints for its next build (this process's
            # share); when the outputs were signed already, it has them.
            cache.prints = prints

        def render_part(part: Sequence[Job]) -> _Part:
            """Sign one share of the pages, then render and write those whose
            signature changed; carry the others over from the current output
            (maybe in a forked worker)."""
            done = _Part()
            for count, job in enumerate(part, start=1):
                if known is not None:
                    signature = known.outputs[job.output].signature
                else:
                    signature, _ = _signature(job, layout_set, config_print, prints)
                    done.signatures[job.output] = signature
                if (
                    staging is not None
                    and reusable(job.output, signature)
                    and staging.keep(job.output)
                ):
                    continue
                done.rendered += 1
                data = _render(
                    env, layouts, job, options, cache.bodies, done.diagnostics, done.scans
                )
                if staging is not None and data is not None:
                    staging.write(job.output, data)
                if progress and count % 100 == 0:
                    progress(min(count * jobs, total), total)
            return done

        signed: dict[str, str] = {}
        result.rendered = 0
        for part in run_split(plan.pages, render_part, jobs):
            diags += part.diagnostics
            scans += part.scans
            result.rendered += part.rendered
            signed.update(part.signatures)
        if known is None:  # else result.deps is that map already
            for job in plan.pages:  # in plan order, whoever signed it; inputs from here
                inputs = (*job.inputs, *_layout_inputs(job, layout_set))
                result.deps.add(job.output, signed[job.output], inputs)
            for copy in plan.copies:
                result.deps.add(copy.output, _copy_signature(copy), copy.inputs)
        if staging is not None:
            for copy in plan.copies:
                if not (reusable(copy.output, _copy_signature(copy)) and staging.keep(copy.output)):
                    staging.copy(copy.output, copy.path)
        if progress:
            progress(total, total)
        if options.check_links:
            config = result.config
            assert config is not None
            outputs = [job.output for job in plan.pages] + [copy.output for copy in plan.copies]
            diags += check_site(
                scans, outputs, base_path=config.base_path, absolute_base=config.absolute_base
            )
        if staging is not None:
            if has_errors(diags):
                staging.discard()
            else:
                result.replaced = staging.commit(keep_old=options.keep_replaced)
                result.replaced_all = True
    except BaseException:
        if staging is not None:
            staging.discard()
        raise


def _current(
    output: str, signature: str, old: DependencyMap, out: Path, saved: SavedState | None
) -> bool:
    """The file in the output folder was made from the same inputs, and (for
    digest build, which knows how it left it) is still as it was left."""
    before = old.outputs.get(output)
    if before is None or before.signature != signature:
        return False
    try:
        st = os.stat(f"{os.fspath(out)}/{output}")
    except OSError:
        return False
    return saved is None or saved.outputs.get(output) == (st.st_mtime_ns, st.st_size)


def _dirty(new: DependencyMap, old: DependencyMap, out: Path, saved: SavedState | None) -> set[str]:
    """Outputs to make again."""
    return {
        output
        for output, record in new.outputs.items()
        if not _current(output, record.signature, old, out, saved)
    }


def _build_incremental(
    options: BuildOptions,
    env: jinja2.Environment,
    layouts: Layouts,
    bodies: BodyStore,
    plan: Plan,
    previous: DependencyMap,
    result: BuildResult,
    diags: list[Diagnostic],
    dirty: set[str],
) -> None:
    """Render only what changed, in memory; then replace those files in place
    and delete the outputs nothing produces any more. On any error nothing is
    written: the output stays the last good site."""
    out = options.output_dir
    new = result.deps.outputs
    old = previous.outputs
    rendered: list[tuple[str, bytes]] = []
    scans: list[PageScan] = []
    for job in plan.pages:
        if job.output in dirty:
            data = _render(env, layouts, job, options, bodies, diags, scans)
            if data is not None:
                rendered.append((job.output, data))
    result.rendered = len(rendered)
    if has_errors(diags):
        return
    changed = [rel for rel, data in rendered if replace_file(out, rel, data)]
    for copy in plan.copies:
        if copy.output in dirty and replace_copy(out, copy.output, copy.path):
            changed.append(copy.output)
    orphans = sorted(set(old) - set(new))
    remove_files(out, orphans)
    result.changed = sorted(changed + orphans)


def _missing_layouts(env: jinja2.Environment, jobs: tuple[Job, ...]) -> list[Diagnostic]:
    """One error per layout that pages need and nobody provides."""
    needed: dict[str, list[Job]] = {}
    for job in jobs:
        if job.layout is not None:
            needed.setdefault(job.layout, []).append(job)
    diags = []
    for name, users in needed.items():
        try:
            env.get_template(name)
        except jinja2.TemplateNotFound:
            others = f" and {len(users) - 1} more" if len(users) > 1 else ""
            diags.append(
                error(
                    f"layouts/{name}",
                    f"layout {name!r} not found (needed for {users[0].origin}{others})",
                    hint="add it to layouts/ or fix the name",
                )
            )
        except jinja2.TemplateError:
            pass  # reported by check_layouts
    return diags


class _LayoutPrints:
    """layout name -> hash of its source and of where it came from (the site's
    layouts/ or the theme); "missing" for a name that does not exist (yet), so
    creating it later changes the signature of every output that looked for it."""

    def __init__(self, env: jinja2.Environment) -> None:
        self._env = env
        self._prints: dict[str, str] = {}

    def get(self, name: str) -> str:
        if name not in self._prints:
            assert self._env.loader is not None
            try:
                source, filename, _ = self._env.loader.get_source(self._env, name)
                self._prints[name] = deps.fingerprint(filename or "", source)
            except jinja2.TemplateNotFound:
                self._prints[name] = "missing"
        return self._prints[name]


def _input_print(key: str, layouts: _LayoutPrints, config_print: str) -> str:
    if key == CONFIG_KEY:
        return config_print
    name = key.removeprefix("layout:")
    if key == layout_key(name):
        return layouts.get(name)
    return ""


def build_time() -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` (reproducible builds) when set, else now. It only
    decides which articles are recent enough for the Google News sitemap."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC)


def state_file(site_dir: Path, output_dir: Path) -> Path:
    """Where the dependency map of the last good build into ``output_dir`` is kept:
    one file per output folder, in ``.digest/`` at the site root, never in the output."""
    key = hashlib.sha256(str(output_dir.resolve()).encode()).hexdigest()[:12]
    return site_dir / STATE_DIR / f"deps-{key}.json"


def _save_state(site_dir: Path, output_dir: Path, dep_map: DependencyMap) -> None:
    """Losing the state is harmless: a missing or foreign state is never trusted."""
    path = state_file(site_dir, output_dir)
    try:
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            f.writelines(dep_map.json_chunks())
        tmp.replace(path)
    except OSError:
        pass


__all__ = ["CONFIG_FILE", "BuildOptions", "BuildResult", "SiteConfig", "run"]
