"""The plan, sign, render and write stages as a build runs them: which
outputs to make again (by the whole plan, or under the last one), rendering
them in tasks (``execute``) with the articles and bodies they show, and
putting them in the output folder."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.config import SiteConfig
from generator.diagnostics import Diagnostic, error, has_errors
from generator.execute import Executor, Inline, partition
from generator.fingerprint import fingerprint
from generator.incremental.records import OutputRecord, stat_of
from generator.incremental.shortcuts import Memo, SamePlan
from generator.incremental.signature import Signer, outdated, sign_all, sign_copy
from generator.incremental.state import State
from generator.load import SiteFiles
from generator.model import Site
from generator.model.refs import Items
from generator.parse import ParseSettings
from generator.pipeline.parsing import parse_settings
from generator.plan import Job, Plan, copy_job, plan_site
from generator.write import InPlace, Staging

if TYPE_CHECKING:
    from generator.execute.tasks import Rendered
    from generator.pipeline import BuildOptions, BuildResult, Progress
    from generator.publish.check import PageScan
    from generator.render.info import LayoutInfo

RENDER_TASK = 100  # pages per render task, when rendering is spread over workers


@dataclass(slots=True, kw_only=True)
class Planned:
    """What a build plans to make, and what of it to make again."""

    plan: Plan  # the outputs planned (under the last plan: the ones signed again)
    records: dict[str, OutputRecord]  # every output's signature and inputs
    signed: set[str] | None  # the outputs signed by this build (None: all)
    dirty: set[str]  # the outputs to make again
    prints: dict[str, tuple[str, str]]  # each article's teaser's and article's fingerprints
    pages: int  # HTML pages
    files: int  # every output
    diagnostics: list[Diagnostic]
    # Outputs made before the render stage, with their bytes (the search
    # index, see pipeline/search.py), and outputs to delete that the plan
    # alone would not (the last index's files, under the last plan).
    extra: dict[str, bytes] = dataclasses.field(default_factory=dict)
    removed: list[str] = dataclasses.field(default_factory=list)


def plan_and_sign(
    options: BuildOptions,
    site: Site,
    files: SiteFiles,
    layouts: LayoutInfo,
    now: dt.datetime,
    state: State,
    same: SamePlan | None,
    memo: Memo | None,
) -> Planned:
    """Every output's record and the outputs to make again: under the last
    plan (``same``, see ``shortcuts.same_plan``) only what may have changed
    is planned and signed again; else the whole site."""
    config = site.config
    signer = Signer(site, layouts, config.fingerprint())
    if same is not None:
        plan, records, dirty, signed = replan(
            config, site, files, now, same, signer, state, options.output_dir, memo
        )
        summary = state.summary
        return Planned(
            plan=plan,
            records=records,
            signed=signed,
            dirty=dirty,
            prints=same.prints,
            pages=summary.pages,
            files=summary.files,
            diagnostics=[],
        )
    plan, diags = plan_site(config, site.structure, files.assets, now)
    if memo is not None:
        memo.keep_plan(site.structure, plan.pages)
    diags += [*missing_layouts(plan, layouts), *site.make_all()]
    records = sign_all(signer, plan.pages, plan.copies)
    if options.write:
        dirty = outdated(records, state.outputs, options.output_dir)
    else:  # digest check renders every page
        dirty = {job.output for job in plan.pages}
    prints = {s: (t.fingerprint, site.articles[s].fingerprint) for s, t in site.teasers.items()}
    return Planned(
        plan=plan,
        records=records,
        signed=None,
        dirty=dirty,
        prints=prints,
        pages=sum(1 for job in plan.pages if job.output.endswith(".html")),
        files=len(plan.pages) + len(plan.copies),
        diagnostics=diags,
    )


def replan(
    config: SiteConfig,
    site: Site,
    files: SiteFiles,
    now: dt.datetime,
    same: SamePlan,
    signer: Signer,
    state: State,
    out: Path,
    memo: Memo | None,
) -> tuple[Plan, dict[str, OutputRecord], set[str], set[str]]:
    """Under the last plan: the outputs that may have changed planned and
    signed again, every other output's record kept; and the outputs to make
    again (for ``digest build``, also those whose file is not as it was
    left), and the outputs signed again."""
    records = dict(state.outputs)
    for copy in files.assets:
        # A copy signed as before keeps its record: the stat of its file as
        # written (a new record has none, and the next build would take the
        # file for one changed by hand and copy it again).
        signed_copy, old = sign_copy(copy_job(copy)), state.outputs.get(copy.dest)
        kept = old is not None and old.signature == signed_copy.signature
        records[copy.dest] = old if kept and old is not None else signed_copy
    last = memo.planned(site.structure, same.addresses) if memo is not None else None
    if last is not None:  # the preview's last whole plan, planned with this structure
        copies = tuple(copy_job(asset) for asset in files.assets)
        plan = Plan(pages=tuple(last), copies=copies, valid_until=state.valid_until)
    else:
        plan, _ = plan_site(config, site.structure, files.assets, now, only=same.addresses)
        plan = dataclasses.replace(plan, valid_until=state.valid_until)  # the same plan's time
    for job in plan.pages:
        records[job.output] = signer.sign(job)
    check = (
        {job.output: records[job.output] for job in plan.pages} | _copies(records, files)
        if memo is not None  # the preview trusts its output folder
        else records
    )
    dirty = outdated(check, state.outputs, out)
    missing = {state.outputs[o].address for o in dirty if o in state.outputs} - same.addresses
    missing.discard(None)
    if missing:  # made again though nothing changed (a hand-edited file)
        more, _ = plan_site(config, site.structure, (), now, only=missing)  # type: ignore[arg-type]
        plan = dataclasses.replace(plan, pages=plan.pages + more.pages)
        for job in more.pages:
            records[job.output] = signer.sign(job)
    signed = {job.output for job in plan.pages} | {asset.dest for asset in files.assets}
    return plan, records, dirty, signed


def _copies(records: Mapping[str, OutputRecord], files: SiteFiles) -> dict[str, OutputRecord]:
    return {asset.dest: records[asset.dest] for asset in files.assets}


def missing_layouts(plan: Plan, layouts: LayoutInfo) -> list[Diagnostic]:
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


def render_and_write(
    options: BuildOptions,
    planned: Planned,
    site: Site,
    layouts: LayoutInfo,
    state: State,
    executor: Executor,
    progress: Progress | None,
    result: BuildResult,
) -> list[Diagnostic]:
    """Render the outputs to make again and put them in the output folder
    with the rest: in place for a few, through a staging folder for many;
    delete the outputs no longer planned. The state learns every output's
    record as written. Returns the problems."""
    config, plan, records, signed = site.config, planned.plan, planned.records, planned.signed
    dirty = set(planned.dirty)
    # Under the last plan, every output the state knows is in ``records``.
    orphans = (
        sorted(state.outputs.keys() - records.keys()) if options.write and signed is None else []
    )
    if options.write and planned.removed:
        orphans = sorted(set(orphans).union(planned.removed))
    out = options.output_dir
    total = len(records)
    # In place only where the state knows what the folder holds (and so
    # what to delete), and for a few outputs.
    known = bool(state.outputs)
    in_place = known and len(dirty) <= max(options.in_place_limit, total // 10)
    staging = Staging(out, options.spare) if options.write and not in_place else None
    inplace = InPlace(out) if options.write and in_place else None
    try:
        if staging is not None:  # the outputs still current, carried over as they are
            staging.prune(records)  # a recycled folder: what is not planned goes
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
            from generator.publish.check import check_site

            outputs = [job.output for job in plan.pages] + [c.output for c in plan.copies]
            diags += check_site(
                scans, outputs, base_path=config.base_path, absolute_base=config.absolute_base
            )
        if has_errors(diags) or not options.write:
            if staging is not None:
                staging.discard()
            if inplace is not None:
                inplace.discard()
            return diags
        changed: list[str] = []
        # Every output's record as written; the ones not signed again are
        # the very ones the state has.
        new_records = dict(records) if signed is not None else {}
        placed: dict[str, str] = {}  # output -> digest; its stat once in place
        for r in rendered:
            before = state.outputs.get(r.output)
            if inplace is not None:  # only bytes that changed are written
                assert r.data is not None
                if inplace.put(r.output, r.data):
                    changed.append(r.output)
                placed[r.output] = r.digest
            else:
                assert r.stat is not None
                if before is None or before.digest != r.digest:
                    changed.append(r.output)
                new_records[r.output] = _record(records[r.output], r.stat, r.digest)
        for copy in copies:
            if inplace is not None:
                if inplace.put(copy.output, copy.path.read_bytes()):
                    changed.append(copy.output)
                placed[copy.output] = ""
            else:
                assert staging is not None
                staging.copy(copy.output, copy.path)
                changed.append(copy.output)
                written = stat_of(staging.root / copy.output) or (0, 0)
                new_records[copy.output] = _record(records[copy.output], written, "")
        if planned.extra:
            from generator.execute.tasks import output_digest

            for output, data in planned.extra.items():
                digest = output_digest(data)
                before = state.outputs.get(output)
                if inplace is not None:
                    if inplace.put(output, data):
                        changed.append(output)
                    placed[output] = digest
                    continue
                assert staging is not None
                written = staging.write(output, data)
                if before is None or before.digest != digest:
                    changed.append(output)
                new_records[output] = _record(records[output], written, digest)
        for output in records.keys() if signed is None else signed:
            if output not in new_records and output not in placed:  # as last left
                record, old = records[output], state.outputs[output]
                same = record is old or (
                    record.signature == old.signature and record.address == old.address
                )
                new_records[output] = old if same else _record(record, old.stat, old.digest)
        if staging is not None:
            result.replaced = staging.commit(keep_old=options.keep_replaced)
            result.replaced_all = True
        else:
            assert inplace is not None
            inplace.commit(orphans)
            for output, digest in placed.items():
                stat = stat_of(out / output) or (0, 0)
                new_records[output] = _record(records[output], stat, digest)
        result.changed = sorted(changed + orphans)
        state.outputs = new_records
        return diags
    except BaseException:
        if staging is not None:
            staging.discard()
        if inplace is not None:
            inplace.discard()
        raise


def _record(record: OutputRecord, stat: tuple[int, int], digest: str) -> OutputRecord:
    return record.replace(stat=stat, digest=digest)


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
    """Render ``jobs`` in tasks, each with the articles and bodies its pages
    show; the teasers, which pages of every kind show, are shared once. A
    lasting executor (the preview's pool) is sent the jobs and the articles
    as shared mappings too, which it keeps from build to build: a task then
    names them, and a layout edit, which renders every page again with the
    same jobs and articles, sends none of them."""
    from generator.execute.tasks import RenderTask, render_pages  # Jinja: when there is work

    chunks = partition(range(len(jobs)), RENDER_TASK, executor)
    run_on = executor if len(chunks) > 1 else Inline()
    layouts_print = fingerprint(sorted(layouts.prints.items()))
    closures = layouts.closure_prints()
    bodies = BodySource(options.site_dir, site, state, parse_settings(options, config))
    shown = _sources(jobs, "teaser")
    teasers = run_on.share({source: site.teasers[source] for source in sorted(shown)}, "teasers")
    kept: tuple[object, ...] = ()
    if run_on.lasting:
        whole = sorted(_sources(jobs, "src"))
        kept = (
            run_on.share({job.output: job for job in jobs}, "jobs"),
            run_on.share({source: site.articles[source] for source in whole}, "articles"),
        )
    tasks = (
        RenderTask(
            site_dir=str(options.site_dir),
            config=config,
            layouts=layouts_print,
            closures=closures,
            jobs=() if kept else tuple(jobs[i] for i in chunk),
            outputs=tuple(jobs[i].output for i in chunk) if kept else (),
            items=bodies.items_for([jobs[i] for i in chunk], with_articles=not kept),
            target=target,
            scan=options.check_links,
        )
        for chunk in chunks
    )
    rendered: list[Rendered] = []
    diags: list[Diagnostic] = []
    scans: list[PageScan] = []
    for results in run_on.map(render_pages, tasks, teasers, *kept):
        for r in results:
            if r.diagnostic is not None:
                diags.append(r.diagnostic)
            else:
                rendered.append(r)
            if r.scan is not None:
                scans.append(r.scan)
        if progress is not None:
            progress(len(rendered), len(jobs))
    return rendered, [*bodies.problems, *diags], scans


def _sources(jobs: Sequence[Job], prefix: str) -> set[str]:
    """The articles the jobs show, by their references of one kind
    (``teaser``: as teasers; ``src``: whole)."""
    return {str(ref) for job in jobs for ref in job.refs if ref.prefix == prefix}


class BodySource:
    """The articles and bodies a share of the pages shows. A body the state
    lost (or that does not match its digest) is made again from its file."""

    def __init__(self, site_dir: Path, site: Site, state: State, settings: ParseSettings) -> None:
        self._site_dir = site_dir
        self._site = site
        self._state = state
        self._settings = settings
        self.problems: list[Diagnostic] = []

    def items_for(self, jobs: Sequence[Job], *, with_articles: bool = True) -> Items:
        """The articles the pages show whole (unless they are shared: see
        ``_render``), with their bodies; the teasers are shared."""
        articles = self._site.articles
        whole = _sources(jobs, "src")
        digests = {articles[source].body.digest: source for source in whole}
        bodies = self._state.bodies.get(digests)
        lost = [source for digest, source in digests.items() if digest not in bodies]
        if lost:
            bodies.update(self.remake(lost))
        return Items(
            teasers={},
            articles={source: articles[source] for source in whole} if with_articles else {},
            bodies=bodies,
        )

    def remake(self, sources: list[str]) -> dict[str, bytes]:
        from generator.execute.tasks import ParseTask, parse_files

        found = {}
        task = ParseTask(
            site_dir=str(self._site_dir), settings=self._settings, sources=tuple(sources)
        )
        for parsed in (done.parsed for done in parse_files(task)):
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
