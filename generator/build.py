"""The build, top to bottom. ``digest build``, ``digest check`` and the preview
all call ``run``:

    settings -> load -> parse -> model -> plan -> sign -> render -> write

Every stage is a module (or a small package) of its own; this one only
strings them together. One rule makes a build incremental, whether the
state comes from disk (``digest build``) or from memory (the preview):
every output has a signature of exactly the inputs it reads; the outputs
whose signature changed (or whose file is not as it was left) are rendered,
only files whose bytes changed are written, and outputs no longer planned
are deleted. The shortcuts beyond that rule are in ``incremental/shortcuts``.

Content and layout problems are collected from every stage and returned
together; if there is any error, nothing is written.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from generator.config import SiteConfig, base_url_warning, load_config, with_base_url
from generator.diagnostics import Diagnostic, error, has_errors, sorted_diagnostics
from generator.execute import Executor, Inline, make_executor
from generator.execute.tasks import ParseTask, Rendered, RenderTask, parse_files, render_pages
from generator.fingerprint import fingerprint
from generator.incremental.shortcuts import Memo, nothing_to_do
from generator.incremental.signature import Signer, outdated, sign_all
from generator.incremental.state import (
    InputRecord,
    OutputRecord,
    ParseEntry,
    State,
    Summary,
    close_state,
    open_state,
    output_identity,
    save_state,
    stat_of,
)
from generator.load import CONTENT_DIR, SiteFiles, load_site_files
from generator.model import Site, build_site
from generator.parse import ParsedArticle, ParseSettings, file_digest
from generator.plan import CopyJob, Job, Plan, plan_site
from generator.publish.check import PageScan, check_site
from generator.render import Items, LayoutInfo, Renderer
from generator.write import OutputError, Staging, check_output_dir, remove_files, replace_file

__all__ = ["BuildOptions", "BuildResult", "OutputError", "run"]

T = TypeVar("T")
Progress = Callable[[int, int], None]  # (done, total)
IN_PLACE_LIMIT = 200  # a build that changes fewer outputs replaces them in place
RACY_NS = 2_000_000_000  # coarser than any file system's modification times (FAT: 2 s)
PARSE_TASK = 100  # articles per parse task, when parsing is spread over workers
RENDER_TASK = 100  # pages per render task, when rendering is spread over workers


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    site_dir: Path
    output_dir: Path
    drafts: bool = False
    write: bool = True  # False: check everything, write nothing (digest check)
    base_url: str | None = None  # overrides site.yaml (digest build --base-url)
    check_links: bool = False  # check the rendered pages' links, ids and titles (digest check)
    now: dt.datetime | None = None  # default: SOURCE_DATE_EPOCH, else the current time
    jobs: int = 1  # worker processes for parsing and rendering
    scheduler: str | None = None  # a Dask scheduler to run them on instead
    shortcuts: bool = True  # False: the one incremental rule alone (see incremental/shortcuts)
    # Up to this many changed outputs (or a tenth of them all) are replaced
    # in place; more are written into a staging folder and swapped in whole.
    in_place_limit: int = IN_PLACE_LIMIT
    # Leave the output folder a staging folder replaced for the caller to
    # delete (``BuildResult.replaced``): the preview tells the browsers first.
    keep_replaced: bool = False


@dataclass(slots=True, kw_only=True)
class BuildResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    articles: int = 0
    tags: int = 0
    pages: int = 0  # HTML pages
    files: int = 0  # every output file
    rendered: int = 0  # outputs rendered by this build
    changed: list[str] = field(default_factory=list)  # outputs written or deleted
    replaced_all: bool = False  # the output folder was swapped for a staging folder
    replaced: Path | None = None  # the folder it replaced, if kept (``keep_replaced``)
    seconds: float = 0.0
    config: SiteConfig | None = None
    site: Site | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def run(
    options: BuildOptions,
    *,
    state: State | None = None,
    memo: Memo | None = None,
    hint: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site. Raises ``write.OutputError`` only for an unusable
    output folder. Without a ``state``, ``digest build``'s is read from the
    site folder and saved back (``digest check`` reads it only). The
    preview passes the state it keeps in memory, its ``memo`` and the
    watcher's ``hint`` of the files that changed."""
    started = time.perf_counter()
    if options.write:
        check_output_dir(options.output_dir, options.site_dir)
    own = state is None
    if state is None:
        state = open_state(options.site_dir, create=options.write)
    executor = make_executor(options.jobs, options.scheduler)
    try:
        memo = memo if options.shortcuts else None
        result = _build(options, state, memo, hint, executor, progress)
        if own and options.write:
            save_state(state)
    finally:
        executor.close()
        if own:
            close_state(state)
    result.diagnostics = sorted_diagnostics(result.diagnostics)
    result.seconds = time.perf_counter() - started
    return result


def _build(
    options: BuildOptions,
    state: State,
    memo: Memo | None,
    hint: Iterable[str] | None,
    executor: Executor,
    progress: Progress | None,
) -> BuildResult:
    site_dir, out = options.site_dir, options.output_dir
    result = BuildResult()

    # settings
    config, diags = settings(site_dir, options.base_url)
    result.config = config
    now = options.now or build_time()

    # load
    files = memo.scan(site_dir, load_site_files, hint) if memo else load_site_files(site_dir)
    if not files.articles and not (site_dir / CONTENT_DIR).is_dir():
        hint = "create content/ and put articles in it"
        diags.append(error("content", "no content/ folder", hint=hint))
    built_with = fingerprint(options.drafts, config.fingerprint(), files.layouts)
    if state.output != output_identity(site_dir, out):
        # The state's outputs are another folder's: nothing here is known.
        state.output, state.outputs, state.valid_until = output_identity(site_dir, out), {}, 0.0
    if (
        options.write
        and options.shortcuts
        and memo is None
        and nothing_to_do(state, built_with, files, now, site_dir, out)
    ):
        return _summary(result, state.summary, diags)

    # parse
    parse_settings = ParseSettings.of(config, options.drafts)
    parsed, parse_diags = parse(site_dir, files, state, parse_settings, executor)
    diags += parse_diags

    # model
    site, model_diags = (
        memo.site(config, parsed, files) if memo else build_site(config, parsed, files)
    )
    diags += model_diags
    result.site = site

    # plan
    plan, plan_diags = (
        memo.plan(config, site, files, now)
        if memo
        else plan_site(config, site.structure, files.assets, now)
    )
    diags += plan_diags
    renderer = Renderer(site_dir, config)
    layouts_key = (config.fingerprint(), files.layouts)
    layouts = memo.layouts(layouts_key, renderer.analyse) if memo else renderer.analyse()
    diags += [*layouts.diagnostics, *_missing_layouts(plan, layouts)]
    result.articles, result.tags = len(site.articles), len(site.structure.tags)
    result.pages = sum(1 for job in plan.pages if job.output.endswith(".html"))
    result.files = len(plan.pages) + len(plan.copies)
    if has_errors(diags):
        state.valid_until = 0.0  # the outputs are not what these inputs make
        result.diagnostics = diags
        return result

    # sign: what changed since the output folder was made?
    config_print = config.fingerprint()
    signer = Signer(site, layouts, config_print)
    quick = memo.records(signer, plan, layouts, config_print, site, state.outputs) if memo else None
    if quick is not None:
        records, candidates = quick
    else:
        records = sign_all(signer, plan.pages, plan.copies)
        candidates = set(records)
    if options.write:
        to_check = {o: records[o] for o in candidates}
        dirty = outdated(to_check, state.outputs, out)
        orphans = sorted(state.outputs.keys() - records.keys())
    else:  # digest check renders every page
        dirty, orphans = {job.output for job in plan.pages}, []

    # render and write
    written = _render_and_write(
        options,
        config,
        plan,
        site,
        layouts,
        records,
        dirty,
        orphans,
        state,
        executor,
        progress,
        result,
    )
    diags += written
    if has_errors(diags) or not options.write:
        if has_errors(diags):
            state.valid_until = 0.0
        result.diagnostics = diags
        return result
    state.settings = built_with
    state.valid_until = plan.valid_until
    state.summary = Summary(
        articles=result.articles,
        tags=result.tags,
        pages=result.pages,
        files=result.files,
        warnings=tuple(d for d in diags if not d.is_error),
    )
    if memo is not None:
        memo.signed(plan, layouts, config_print, site)
    result.diagnostics = diags
    return result


def settings(site_dir: Path, base_url: str | None) -> tuple[SiteConfig, list[Diagnostic]]:
    """``site.yaml``, with ``--base-url`` over it."""
    config, diags = load_config(site_dir)
    if base_url is not None:
        config, override_diags = with_base_url(config, base_url)
        diags += override_diags
    no_host = base_url_warning(config)
    if no_host is not None:
        diags.append(no_host)
    return config, diags


def build_time() -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` (reproducible builds) when set, else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC)


def _summary(result: BuildResult, summary: Summary, diags: list[Diagnostic]) -> BuildResult:
    """A build with nothing to do says what the last one did."""
    result.articles, result.tags = summary.articles, summary.tags
    result.pages, result.files = summary.pages, summary.files
    result.diagnostics = [*diags, *summary.warnings]
    return result


# -- parse ------------------------------------------------------------------------------


def parse(
    site_dir: Path,
    files: SiteFiles,
    state: State,
    settings: ParseSettings,
    executor: Executor,
) -> tuple[list[ParsedArticle], list[Diagnostic]]:
    """Every article, parsed, from the state's parse cache where a file's
    bytes (known by their stat, else read and hashed) and the settings are
    the same; the others are parsed in tasks. The state learns the files'
    stats and digests, the new parse results and their bodies."""
    trust_before = time.time_ns() - RACY_NS
    misses: list[str] = []
    for source in files.articles:
        rel = source.rel
        known = state.inputs.get(rel)
        entry = state.parsed.get(rel)
        if known is not None and known.stat == source.stat and known.digest:
            digest = known.digest
        elif entry is not None:
            data = _read(site_dir / rel)
            digest = file_digest(data) if data is not None else ""
        else:
            digest = ""
        if digest and entry is not None and entry.key == settings.key(digest):
            trusted = source.stat[0] < trust_before
            state.inputs[rel] = InputRecord(source.stat, digest if trusted else "")
        else:
            misses.append(rel)
    stats = {source.rel: source.stat for source in files.articles}
    tasks = _tasks(misses, PARSE_TASK, executor)
    run_on = executor if len(tasks) > 1 else Inline()
    parse_tasks = [
        ParseTask(site_dir=str(site_dir), settings=settings, sources=part) for part in tasks
    ]
    for results in run_on.map(parse_files, parse_tasks):
        bodies = []
        for parsed in results:
            article = parsed.article
            state.parsed[parsed.source] = ParseEntry(
                settings.key(parsed.digest), article, parsed.diagnostics
            )
            trusted = stats[parsed.source][0] < trust_before
            state.inputs[parsed.source] = InputRecord(
                stats[parsed.source], parsed.digest if trusted else ""
            )
            if article is not None and parsed.body is not None:
                bodies.append((article.body.html.digest, parsed.body))
        state.bodies.put(bodies)
    gone = (state.inputs.keys() | state.parsed.keys()) - stats.keys()
    for rel in gone:
        state.inputs.pop(rel, None)
        state.parsed.pop(rel, None)
    if misses or gone:  # bodies no article has any more
        state.bodies.keep_only(
            {e.article.body.html.digest for e in state.parsed.values() if e.article is not None}
        )
    articles: list[ParsedArticle] = []
    diags: list[Diagnostic] = []
    for source in files.articles:
        entry = state.parsed[source.rel]
        diags += entry.diagnostics
        if entry.article is not None:
            articles.append(entry.article)
    return articles, diags


def _tasks(items: Sequence[T], size: int, executor: Executor) -> list[tuple[T, ...]]:
    """``items`` cut into tasks: one, unless there is enough to keep more than
    one worker busy."""
    if executor.workers <= 1 or len(items) < 2 * size:
        return [tuple(items)] if items else []
    count = max(executor.workers, -(-len(items) // size))
    return [tuple(items[i::count]) for i in range(count)]


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _missing_layouts(plan: Plan, layouts: LayoutInfo) -> list[Diagnostic]:
    """One error per layout that pages need and nobody provides."""
    needed: dict[str, list[Job]] = {}
    for job in plan.pages:
        if job.layout is not None and job.layout not in layouts.names:
            needed.setdefault(job.layout, []).append(job)
    diags = []
    for name, users in sorted(needed.items()):
        others = f" and {len(users) - 1} more" if len(users) > 1 else ""
        diags.append(
            error(
                f"layouts/{name}",
                f"layout {name!r} not found (needed for {users[0].origin}{others})",
                hint="add it to layouts/ or fix the name",
            )
        )
    return diags


# -- render and write ---------------------------------------------------------------------


def _render_and_write(
    options: BuildOptions,
    config: SiteConfig,
    plan: Plan,
    site: Site,
    layouts: LayoutInfo,
    records: dict[str, OutputRecord],
    dirty: set[str],
    orphans: list[str],
    state: State,
    executor: Executor,
    progress: Progress | None,
    result: BuildResult,
) -> list[Diagnostic]:
    """Render the ``dirty`` outputs and put them in the output folder with
    the rest: in place for a few, through a staging folder for many. The
    state learns every output's record as written. Returns the problems."""
    out = options.output_dir
    total = len(plan.pages) + len(plan.copies)
    # In place only where the state knows what the folder holds (and so
    # what to delete), and for a few outputs.
    known = bool(state.outputs)
    in_place = known and len(dirty) <= max(options.in_place_limit, total // 10)
    staging = Staging(out) if options.write and not in_place else None
    try:
        if staging is not None:  # the outputs still current, carried over as they are
            for output in records.keys() - dirty:
                if not staging.keep(output):
                    dirty.add(output)
        jobs = [job for job in plan.pages if job.output in dirty]
        copies = [c for c in plan.copies if c.output in dirty]
        target = str(staging.root) if staging is not None else None
        rendered, diags, scans = _render(
            options, config, site, layouts, jobs, target, state, executor, progress
        )
        result.rendered = len(jobs)
        if options.check_links:
            outputs = [job.output for job in plan.pages] + [c.output for c in plan.copies]
            diags += check_site(
                scans, outputs, base_path=config.base_path, absolute_base=config.absolute_base
            )
        if has_errors(diags) or not options.write:
            if staging is not None:
                staging.discard()
            return diags
        changed: list[str] = []
        new_records = {}
        for r in rendered:
            before = state.outputs.get(r.output)
            if r.data is not None:  # in place: only bytes that changed are written
                if replace_file(out, r.output, r.data):
                    changed.append(r.output)
                stat = stat_of(out / r.output) or (0, 0)
            else:
                assert r.stat is not None
                stat = r.stat
                if before is None or before.digest != r.digest:
                    changed.append(r.output)
            new_records[r.output] = _record(records[r.output], stat, r.digest)
        for copy in copies:
            if _copy(copy, out, staging):
                changed.append(copy.output)
            written = stat_of((staging.root if staging is not None else out) / copy.output)
            new_records[copy.output] = _record(records[copy.output], written or (0, 0), "")
        for output, record in records.items():
            if output not in new_records:  # current: as the last build left it
                old = state.outputs[output]
                new_records[output] = _record(record, old.stat, old.digest)
        if staging is not None:
            result.replaced = staging.commit(keep_old=options.keep_replaced)
            result.replaced_all = True
        else:
            remove_files(out, orphans)
        result.changed = sorted(changed + orphans)
        state.outputs = new_records
        return diags
    except BaseException:
        if staging is not None:
            staging.discard()
        raise


def _record(record: OutputRecord, stat: tuple[int, int], digest: str) -> OutputRecord:
    return OutputRecord(record.signature, record.inputs, stat, digest)


def _copy(copy: CopyJob, out: Path, staging: Staging | None) -> bool:
    """Copy one file into place; whether its bytes changed."""
    if staging is not None:
        staging.copy(copy.output, copy.path)
        return True
    return replace_file(out, copy.output, copy.path.read_bytes())


def _render(
    options: BuildOptions,
    config: SiteConfig,
    site: Site,
    layouts: LayoutInfo,
    jobs: Sequence[Job],
    target: str | None,
    state: State,
    executor: Executor,
    progress: Progress | None,
) -> tuple[list[Rendered], list[Diagnostic], list[PageScan]]:
    """Render ``jobs`` in tasks, each with the articles and bodies its pages show."""
    chunks = _tasks(range(len(jobs)), RENDER_TASK, executor)
    layouts_print = fingerprint(sorted(layouts.prints.items()))
    bodies = _Bodies(options.site_dir, site, state, ParseSettings.of(config, options.drafts))
    tasks = [
        RenderTask(
            site_dir=str(options.site_dir),
            config=config,
            layouts=layouts_print,
            jobs=tuple(jobs[i] for i in chunk),
            items=bodies.items_for([jobs[i] for i in chunk]),
            target=target,
            scan=options.check_links,
        )
        for chunk in chunks
    ]
    run_on = executor if len(tasks) > 1 else Inline()
    rendered: list[Rendered] = []
    diags: list[Diagnostic] = list(bodies.problems)
    scans: list[PageScan] = []
    for results in run_on.map(render_pages, tasks):
        for r in results:
            if r.diagnostic is not None:
                diags.append(r.diagnostic)
            else:
                rendered.append(r)
            if r.scan is not None:
                scans.append(r.scan)
        if progress is not None:
            progress(len(rendered), len(jobs))
    return rendered, diags, scans


class _Bodies:
    """The articles and bodies a share of the pages shows. A body the state
    lost (or that does not match its digest) is made again from its file."""

    def __init__(self, site_dir: Path, site: Site, state: State, settings: ParseSettings) -> None:
        self._site_dir = site_dir
        self._site = site
        self._state = state
        self._settings = settings
        self.problems: list[Diagnostic] = []

    def items_for(self, jobs: Sequence[Job]) -> Items:
        teasers, articles = self._site.teasers, self._site.articles
        # By kind of reference: a teaser and an article of one source are
        # equal strings.
        shown = {str(ref) for job in jobs for ref in job.refs if ref.prefix == "teaser"}
        whole = {str(ref) for job in jobs for ref in job.refs if ref.prefix == "src"}
        digests = {articles[source].body.digest: source for source in whole}
        bodies = self._state.bodies.get(digests)
        lost = [source for digest, source in digests.items() if digest not in bodies]
        if lost:
            bodies.update(self._remake(lost))
        return Items(
            teasers={source: teasers[source] for source in shown},
            articles={source: articles[source] for source in whole},
            bodies=bodies,
        )

    def _remake(self, sources: list[str]) -> dict[str, bytes]:
        found = {}
        task = ParseTask(
            site_dir=str(self._site_dir), settings=self._settings, sources=tuple(sources)
        )
        for parsed in parse_files(task):
            expected = self._site.articles[parsed.source].body.digest
            if parsed.article is not None and parsed.body is not None:
                digest = parsed.article.body.html.digest
                if digest == expected:
                    found[digest] = parsed.body
                    self._state.bodies.put([(digest, parsed.body)])
                    continue
            self.problems.append(
                error(
                    parsed.source, "the file changed while the site was built", hint="build again"
                )
            )
        return found
