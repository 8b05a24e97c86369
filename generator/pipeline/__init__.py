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

import contextlib
import datetime as dt
import gc
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.config import SiteConfig, base_url_warning, load_config, with_base_url
from generator.diagnostics import Diagnostic, error, has_errors, sorted_diagnostics, warning
from generator.execute import BUILD_GC_THRESHOLD, Executor, make_executor
from generator.fingerprint import fingerprint
from generator.images import ImageInfo
from generator.incremental.records import Summary, skeletons_of
from generator.incremental.shortcuts import (
    KNOWN_LAYOUTS,
    MEMO,
    NOTHING_TO_DO,
    SAME_PLAN,
    SHORTCUTS,
    Memo,
    known_layouts,
    nothing_to_do,
    remember_layouts,
    same_plan,
)
from generator.incremental.state import (
    State,
    close_state,
    open_state,
    output_identity,
    save_state,
)
from generator.load import CONTENT_DIR, SiteFiles, load_site_files
from generator.model import (
    Site,
    asset_paths,
    build_structure,
    check_links,
    check_scheduled,
    structure_key,
)
from generator.model.redirects import record_after
from generator.parse.profiles import read_profiles
from generator.pipeline import images, outputs, parsing, search
from generator.record import RECORD_FILE, Record, parse_record, read_record, write_record
from generator.render.info import LayoutInfo
from generator.waiting import build_time, fixed_time
from generator.write import OutputError, check_output_dir, output_lock, recover

__all__ = ["BuildOptions", "BuildResult", "OutputError", "build_time", "fixed_time", "run"]

Progress = Callable[[int, int], None]  # (done, total)
IN_PLACE_LIMIT = 200  # a build that changes fewer outputs replaces them in place
SCHEDULED_SHOWN = 3  # the scheduled articles a build names (then: "and N more")


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    site_dir: Path
    output_dir: Path
    drafts: bool = False
    future: bool = False  # include the articles scheduled after the build time (--future)
    write: bool = True  # False: check everything, write nothing (digest check)
    base_url: str | None = None  # overrides site.yaml (digest build --base-url)
    check_links: bool = False  # check the rendered pages' links, ids and titles (digest check)
    now: dt.datetime | None = None  # default: SOURCE_DATE_EPOCH, else the current time
    jobs: int = 1  # worker processes for parsing and rendering
    scheduler: str | None = None  # a Dask scheduler to run them on instead
    # The speed shortcuts it may take (see incremental/shortcuts.py); none:
    # the one incremental rule alone.
    shortcuts: frozenset[str] = SHORTCUTS
    # Up to this many changed outputs (or a tenth of them all) are replaced
    # in place; more are written into a staging folder and swapped in whole.
    in_place_limit: int = IN_PLACE_LIMIT
    # Leave the output folder a staging folder replaced for the caller to
    # delete (``BuildResult.replaced``): the preview tells the browsers first.
    # The caller deletes those that killed builds left too.
    keep_replaced: bool = False
    # Keep the last search index through the build, and hand over what tells
    # whether it is out of date (``BuildResult.search_pending``): the preview
    # makes the new one after the build, in the background.
    search_later: bool = False
    # A replaced output folder the caller kept, for a build through a staging
    # folder to write into instead of a new one (see ``write.Staging``).
    spare: Path | None = None


@dataclass(slots=True, kw_only=True)
class BuildResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    articles: int = 0
    tags: int = 0
    pages: int = 0  # HTML pages
    files: int = 0  # every output file
    rendered: int = 0  # outputs rendered by this build
    # The articles scheduled after the build time: how many, and the first
    # few (headline, time in the site's time zone), soonest first.
    scheduled: int = 0
    next_scheduled: tuple[tuple[str, dt.datetime], ...] = ()
    changed: list[str] = field(default_factory=list)  # outputs written or deleted
    replaced_all: bool = False  # the output folder was swapped for a staging folder
    replaced: Path | None = None  # the folder it replaced, if kept (``keep_replaced``)
    seconds: float = 0.0
    config: SiteConfig | None = None
    site: Site | None = None
    # With ``search_later``: the index may be out of date; each article's
    # fingerprints, to tell (see pipeline/search.py and preview/search.py).
    search_pending: Mapping[str, tuple[str, str]] | None = None

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
    waiting: Callable[[], None] | None = None,
    executor: Executor | None = None,
) -> BuildResult:
    """Build the site. Raises ``write.OutputError`` only for an unusable
    output folder. Without a ``state``, ``digest build``'s is read from the
    site folder and saved back (``digest check`` reads it only). The
    preview passes the state it keeps in memory, its ``memo`` and the
    watcher's ``hint`` of the files that changed. One build at a time
    writes into an output folder: ``waiting`` is called if this one has to
    wait for another. The preview passes the ``executor`` it keeps from one
    rebuild to the next (its workers are started once); else the build
    makes one for ``options`` and closes it."""
    if not options.write:
        return _run(options, state, memo, hint, progress, executor)
    check_output_dir(options.output_dir, options.site_dir)
    with output_lock(options.output_dir, waiting):
        recover(options.output_dir, old_folders=not options.keep_replaced)  # a killed build's
        return _run(options, state, memo, hint, progress, executor)


def _run(
    options: BuildOptions,
    state: State | None,
    memo: Memo | None,
    hint: Iterable[str] | None,
    progress: Progress | None,
    kept: Executor | None = None,
) -> BuildResult:
    started = time.perf_counter()
    executor = kept or make_executor(options.jobs, options.scheduler)
    own = state is None
    if state is None:
        state = open_state(options.site_dir, create=options.write)
    try:
        memo = memo if MEMO in options.shortcuts else None
        # Only ``digest build`` publishes: it alone adds to the URL record.
        publishes = own and options.write and not options.drafts
        with _fewer_collections(), _scratch(options.write) as scratch:
            result = _build(options, state, memo, hint, executor, progress, publishes, scratch)
        if own and options.write:
            save_state(state)
    except BaseException:
        state.valid_until = 0.0  # interrupted: what the folder holds is not known
        raise
    finally:
        if kept is None:
            executor.close()
        else:
            executor.release()
        if own:
            close_state(state)
    result.diagnostics = sorted_diagnostics(result.diagnostics)
    result.seconds = time.perf_counter() - started
    return result


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """A build makes millions of small objects, most of them kept until it
    ends: Python's cycle collector, run every 700 allocations, would walk
    them again and again (10,000 articles: 0.9 s of a cold build's main
    process, 0.3 s like this). Reference counting frees the rest as usual."""
    before = gc.get_threshold()
    gc.set_threshold(*BUILD_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextlib.contextmanager
def _scratch(write: bool) -> Iterator[tuple[Path, ...]]:
    """Where a build that writes nothing (digest check) puts the images it
    processes: a temporary folder, not the site's image cache."""
    if write:
        yield ()
        return
    with tempfile.TemporaryDirectory(prefix="digest-check-") as folder:
        yield (Path(folder),)


def _build(
    options: BuildOptions,
    state: State,
    memo: Memo | None,
    hint: Iterable[str] | None,
    executor: Executor,
    progress: Progress | None,
    publishes: bool = False,
    scratch: tuple[Path, ...] = (),
) -> BuildResult:
    site_dir, out = options.site_dir, options.output_dir
    result = BuildResult()

    # settings, and the URLs published before (an input, like the settings)
    config, diags = settings(site_dir, options.base_url)
    record, record_diags = read_record(site_dir, memo.parse_record if memo else parse_record)
    diags += record_diags
    result.config = config
    now = options.now or build_time()

    # load
    files = memo.scan(site_dir, load_site_files, hint) if memo else load_site_files(site_dir)
    diags += files.problems
    if not files.articles and not (site_dir / CONTENT_DIR).is_dir():
        fix = "create content/ and put articles in it"
        diags.append(error("content", "no content/ folder", hint=fix))
    # images: the last build's crops (the articles, not yet read, may ask for others)
    loaded = files
    cache = images.Cache(*scratch, images.cache_dir(site_dir))
    files, _ = images.prepare(site_dir, loaded, state, config.images, executor, cache)
    record_print = memo.record_print(record) if memo else fingerprint(record)
    built_with = _settings_key(options, config, files, record_print)
    if state.output != output_identity(site_dir, out):
        # The state's outputs are another folder's: nothing here is known.
        state.output, state.outputs, state.valid_until = output_identity(site_dir, out), {}, 0.0
    if (
        options.write
        and NOTHING_TO_DO in options.shortcuts
        and memo is None
        and nothing_to_do(state, built_with, files, now, site_dir, out)
    ):
        return _summary(result, state.summary, diags)

    # parse
    reparsed = parsing.parse(
        site_dir,
        files,
        state,
        parsing.parse_settings(options, config),
        executor,
        suspects=frozenset(hint or ()) if memo else frozenset(),
        only=memo.edited if memo else None,
    )
    if memo is not None:
        published, problems = memo.published(files, state, parsing.published)
    else:
        published, problems = parsing.published(files, state)
    diags += [d for file_problems in problems.values() for d in file_problems]
    files, infos = images.prepare(
        site_dir,
        loaded,
        state,
        config.images,
        executor,
        cache,
        wanted_crops=lambda: images.crops_of(state, published),
    )
    diags += images.image_warnings(infos)

    # model
    site, plan_key, model_diags = _model(
        config, files, state, published, memo, (now, options.future), record, infos
    )
    diags += model_diags
    for links in parsing.unpublished_links(state, problems):  # every problem of a file at once
        diags += check_links(config, site.structure, links)
    for source, at in site.structure.scheduled:  # what would fail the build at their time
        if source not in site.structure.placed:  # held back (not shown ahead)
            diags += check_scheduled(config, site.structure, parsing.article(state, source), at)
    result.site = site
    result.articles, result.tags = len(site.structure.articles), len(site.structure.tags)
    result.scheduled = len(site.structure.scheduled)
    result.next_scheduled = tuple(
        (parsing.article(state, source).headline, when)
        for source, when in site.structure.scheduled[:SCHEDULED_SHOWN]
    )
    layouts, analysed = _layouts(site_dir, config, files, state, options.shortcuts)
    diags += layouts.diagnostics

    # plan and sign: what changed since the output folder was made?
    same = None
    if SAME_PLAN in options.shortcuts and options.write and state.outputs:
        readers = memo.readers(state) if memo else None
        same = same_plan(state, plan_key, now, site, layouts.prints, reparsed, readers)
    planned = outputs.plan_and_sign(options, site, files, layouts, now, state, same, memo)
    diags += [*planned.diagnostics, *site.problems()]
    result.pages, result.files = planned.pages, planned.files
    if not has_errors(diags):  # search: the index, made again if an article changed
        diags += search.plan_search(options, site, planned, state, result, memo)
        result.files = planned.files
    if has_errors(diags):
        state.valid_until = 0.0  # the outputs are not what these inputs make
        result.diagnostics = diags
        return result

    # render and write
    diags += outputs.render_and_write(
        options, planned, site, layouts, state, executor, progress, result
    )
    result.diagnostics = diags
    if memo is not None and options.write:  # the outputs signed again, or all
        signed = planned.signed
        memo.learn(state, None if signed is None else signed.union(result.changed))
    if has_errors(diags) or not options.write:
        if has_errors(diags):
            state.valid_until = 0.0
        return result

    valid_until = planned.plan.valid_until
    if publishes:  # what the next build starts from includes the URLs just published
        recorded = _publish(options, config, files, state, published, site, record, now, infos)
        if isinstance(recorded, Diagnostic):  # not recorded: the next build tries again
            result.diagnostics.append(recorded)
            valid_until = 0.0
        elif recorded is not None:  # a new record: new keys
            built_with, plan_key = recorded

    # what the next build starts from
    state.settings, state.plan, state.valid_until = built_with, plan_key, valid_until
    state.valid_from = now.timestamp()
    state.prints = planned.prints
    if state.path is not None:  # the site's own state (the preview's, in memory, is not)
        images.collect_garbage(site_dir, state)
    if analysed and not layouts.diagnostics:
        remember_layouts(state, files.layouts, layouts, analysed)
    warnings = tuple(d for d in diags if not d.is_error)
    state.summary = Summary(
        articles=result.articles,
        tags=result.tags,
        pages=result.pages,
        files=result.files,
        warnings=warnings,
        scheduled=result.scheduled,
        next_scheduled=result.next_scheduled,
    )
    return result


def _model(
    config: SiteConfig,
    files: SiteFiles,
    state: State,
    published: list[str],
    memo: Memo | None,
    time: tuple[dt.datetime, bool],
    record: Record,
    infos: Mapping[str, ImageInfo],
) -> tuple[Site, str, list[Diagnostic]]:
    """The site's model at the build time (``time``: it, and whether the
    articles scheduled after it are shown), the key of its structure, and
    their problems."""
    paths = asset_paths(files), files.content_paths
    now, future = time
    if memo is not None:
        structure, diags, key = memo.structure(
            config, published, state, *paths, record, infos, now=now, future=future
        )
    else:
        skeletons, prints = skeletons_of(state.parsed[source] for source in published)
        structure, diags = build_structure(
            config, skeletons, *paths, record, infos, now=now, future=future
        )
        key = structure_key(
            config, skeletons, *paths, record, infos, prints=prints, now=now, future=future
        )
    site = Site(
        config,
        structure,
        files.assets,
        parsed=lambda source: parsing.article(state, source),
        items=memo.items(config, structure) if memo else None,
    )
    return site, key, diags


def _publish(
    options: BuildOptions,
    config: SiteConfig,
    files: SiteFiles,
    state: State,
    published: list[str],
    site: Site,
    record: Record,
    now: dt.datetime,
    infos: Mapping[str, ImageInfo],
) -> tuple[str, str] | Diagnostic | None:
    """Add the URLs this build published to the record, and say what the
    next build starts from with it: the settings' and the plan's keys. The
    record after equals the one before for every output (it only adds each
    article's URL now, and names lines by id), so this build's outputs are
    what the next one would make. If the record cannot be written, why;
    None when it is as it was, and so are the keys the build started from
    (the structure's key is not made again: 10,000 articles, 0.1 s)."""
    after = record_after(site.structure.claims, record)
    if after == record:
        return None
    try:
        write_record(options.site_dir, after)
    except OSError as exc:
        return warning(
            RECORD_FILE,
            f"cannot write the file: {exc.strerror or exc}; this build's URLs are not recorded",
            hint="make the site folder writable and build again",
        )
    skeletons, prints = skeletons_of(state.parsed[source] for source in published)
    paths = asset_paths(files), files.content_paths
    return (
        _settings_key(options, config, files, fingerprint(after)),
        structure_key(
            config, skeletons, *paths, after, infos, prints=prints, now=now, future=options.future
        ),
    )


def _settings_key(options: BuildOptions, config: SiteConfig, files: SiteFiles, record: str) -> str:
    """What a build is made with besides the articles: the options, the
    settings, the layouts and the URL record (its fingerprint, ``record``)."""
    return fingerprint(options.drafts, options.future, config.fingerprint(), files.layouts, record)


def _layouts(
    site_dir: Path, config: SiteConfig, files: SiteFiles, state: State, shortcuts: frozenset[str]
) -> tuple[LayoutInfo, int]:
    """What the layouts are (each one's fingerprint and reach, their syntax
    errors), and when they were read (0: the state knew them)."""
    if KNOWN_LAYOUTS in shortcuts:
        known = known_layouts(state, files.layouts)
        if known is not None:
            return known, 0
    from generator.render.renderer import Renderer  # Jinja: only for a build with work

    analysed = time.time_ns()
    return Renderer(site_dir, config).analyse(), analysed


def settings(site_dir: Path, base_url: str | None) -> tuple[SiteConfig, list[Diagnostic]]:
    """``site.yaml``, with ``--base-url`` over it, and the author profiles
    (``content/authors/``): read on every build, they are few and small."""
    config, diags = load_config(site_dir)
    overridden = False
    if base_url is not None:
        config, override_diags = with_base_url(config, base_url)
        diags += override_diags
        overridden = not override_diags
    no_host = base_url_warning(config, from_option=overridden)
    if no_host is not None:
        diags.append(no_host)
    profiles, profile_diags = read_profiles(site_dir)
    return replace(config, profiles=profiles), diags + profile_diags


def _summary(result: BuildResult, summary: Summary, diags: list[Diagnostic]) -> BuildResult:
    """A build with nothing to do says what the last one did."""
    result.articles, result.tags = summary.articles, summary.tags
    result.pages, result.files = summary.pages, summary.files
    result.scheduled, result.next_scheduled = summary.scheduled, summary.next_scheduled
    result.diagnostics = [*diags, *summary.warnings]
    return result
