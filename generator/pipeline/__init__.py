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
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import SiteConfig, base_url_warning, load_config, with_base_url
from generator.diagnostics import Diagnostic, error, has_errors, sorted_diagnostics
from generator.execute import BUILD_GC_THRESHOLD, Executor, make_executor
from generator.fingerprint import fingerprint
from generator.incremental.records import Summary
from generator.incremental.shortcuts import (
    FAST_MARKDOWN,
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
from generator.model import Site, asset_paths, build_structure, check_links, structure_key
from generator.parse import ParseSettings
from generator.pipeline import outputs, parsing
from generator.render.info import LayoutInfo
from generator.write import OutputError, check_output_dir, output_lock, recover

__all__ = ["BuildOptions", "BuildResult", "OutputError", "run"]

Progress = Callable[[int, int], None]  # (done, total)
IN_PLACE_LIMIT = 200  # a build that changes fewer outputs replaces them in place


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
    # The speed shortcuts it may take (see incremental/shortcuts.py); none:
    # the one incremental rule alone.
    shortcuts: frozenset[str] = SHORTCUTS
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
    waiting: Callable[[], None] | None = None,
) -> BuildResult:
    """Build the site. Raises ``write.OutputError`` only for an unusable
    output folder. Without a ``state``, ``digest build``'s is read from the
    site folder and saved back (``digest check`` reads it only). The
    preview passes the state it keeps in memory, its ``memo`` and the
    watcher's ``hint`` of the files that changed. One build at a time
    writes into an output folder: ``waiting`` is called if this one has to
    wait for another."""
    if not options.write:
        return _run(options, state, memo, hint, progress)
    check_output_dir(options.output_dir, options.site_dir)
    with output_lock(options.output_dir, waiting):
        recover(options.output_dir)  # what a killed build left
        return _run(options, state, memo, hint, progress)


def _run(
    options: BuildOptions,
    state: State | None,
    memo: Memo | None,
    hint: Iterable[str] | None,
    progress: Progress | None,
) -> BuildResult:
    started = time.perf_counter()
    executor = make_executor(options.jobs, options.scheduler)
    own = state is None
    if state is None:
        state = open_state(options.site_dir, create=options.write)
    try:
        memo = memo if MEMO in options.shortcuts else None
        with _fewer_collections():
            result = _build(options, state, memo, hint, executor, progress)
        if own and options.write:
            save_state(state)
    except BaseException:
        state.valid_until = 0.0  # interrupted: what the folder holds is not known
        raise
    finally:
        executor.close()
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
    diags += files.problems
    if not files.articles and not (site_dir / CONTENT_DIR).is_dir():
        fix = "create content/ and put articles in it"
        diags.append(error("content", "no content/ folder", hint=fix))
    built_with = fingerprint(options.drafts, config.fingerprint(), files.layouts)
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
        ParseSettings.of(config, options.drafts, fast_markdown=FAST_MARKDOWN in options.shortcuts),
        executor,
        suspects=frozenset(hint or ()) if memo else frozenset(),
        only=memo.edited if memo else None,
    )
    if memo is not None:
        published, problems = memo.published(files, state, parsing.published)
    else:
        published, problems = parsing.published(files, state)
    diags += [d for file_problems in problems.values() for d in file_problems]

    # model
    site, plan_key, model_diags = _model(config, files, state, published, memo)
    diags += model_diags
    for links in parsing.unpublished_links(state, problems):  # every problem of a file at once
        diags += check_links(config, site.structure, links)
    result.site = site
    result.articles, result.tags = len(site.structure.articles), len(site.structure.tags)
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

    # what the next build starts from
    state.settings, state.plan, state.valid_until = built_with, plan_key, planned.plan.valid_until
    state.prints = planned.prints
    if analysed and not layouts.diagnostics:
        remember_layouts(state, files.layouts, layouts, analysed)
    warnings = tuple(d for d in diags if not d.is_error)
    state.summary = Summary(
        articles=result.articles,
        tags=result.tags,
        pages=result.pages,
        files=result.files,
        warnings=warnings,
    )
    return result


def _model(
    config: SiteConfig,
    files: SiteFiles,
    state: State,
    published: list[str],
    memo: Memo | None,
) -> tuple[Site, str, list[Diagnostic]]:
    """The site's model, the key of its structure, and their problems."""
    paths = asset_paths(files), files.content_paths
    if memo is not None:
        structure, diags, key = memo.structure(config, published, state, *paths)
    else:
        skeletons = [state.parsed[source].skeleton for source in published]
        structure, diags = build_structure(config, skeletons, *paths)  # type: ignore[arg-type]
        key = structure_key(config, skeletons, *paths)  # type: ignore[arg-type]
    site = Site(
        config,
        structure,
        files.assets,
        parsed=lambda source: parsing.article(state, source),
        items=memo.items(config, structure) if memo else None,
    )
    return site, key, diags


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
    """``site.yaml``, with ``--base-url`` over it."""
    config, diags = load_config(site_dir)
    overridden = False
    if base_url is not None:
        config, override_diags = with_base_url(config, base_url)
        diags += override_diags
        overridden = not override_diags
    no_host = base_url_warning(config, from_option=overridden)
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
