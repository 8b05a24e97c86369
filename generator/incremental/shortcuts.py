"""The speed shortcuts: every way a build skips work beyond the one rule
(render what changed signature, write what changed bytes, delete what is no
longer planned), all of them here. ``BuildOptions(shortcuts=False)`` turns
them off, and the randomized test checks that a build gives the same bytes
either way. What each one buys is measured in docs/ARCHITECTURE.md.

- ``nothing_to_do``: a ``digest build`` whose inputs, settings and outputs
  are exactly as the state recorded them, before the time anything goes
  stale by itself, has nothing to do: it reads the state, looks at the
  inputs' stats and stops.
- ``Memo``: the preview keeps its last build's products and reuses each one
  whose inputs are the same: the layouts' analysis, the structure, each
  article's teaser and article, the plan, and the signatures of the outputs
  whose references did not change. One edited article then costs its own
  parse and the pages that show it, not a pass over the whole site.
- ``Memo.scan``: the preview trusts the watcher's list of changed files to
  spare a look at every input; it looks at everything again right after (see
  ``preview``), so a missed event costs a moment, never a stale page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.config import SiteConfig
from generator.diagnostics import Diagnostic
from generator.incremental.signature import Signer, sign_copy
from generator.incremental.state import OutputRecord, State, stat_of
from generator.load import CONTENT_DIR, SiteFiles, SourceFile
from generator.model import (
    Article,
    Site,
    Structure,
    Teaser,
    asset_paths,
    build_site,
    build_structure,
    make_items,
    skeleton,
)
from generator.model.refs import src_key, teaser_key
from generator.parse import ParsedArticle, file_digest
from generator.plan import Plan, copy_job, plan_site
from generator.render.layouts import LayoutInfo

Items = tuple[Teaser, Article, list[Diagnostic]]


def nothing_to_do(
    state: State, settings: str, files: SiteFiles, now: dt.datetime, site_dir: Path, out: Path
) -> bool:
    """The state says the output folder is exactly what these inputs make."""
    if state.settings != settings or now.timestamp() >= state.valid_until:
        return False
    if len(files.articles) != len(state.inputs):
        return False
    for source in files.articles:
        known = state.inputs.get(source.rel)
        if known is None or known.stat != source.stat:
            return False
        if not known.digest:  # changed too close to when it was read: look
            entry = state.parsed.get(source.rel)
            data = _read(site_dir / source.rel)
            if entry is None or data is None or not entry.key.startswith(file_digest(data)):
                return False
    for asset in files.assets:
        record = state.outputs.get(asset.dest)
        if record is None or record.signature != sign_copy(copy_job(asset)).signature:
            return False
    base = str(out)
    return all(stat_of(f"{base}/{o}") == r.stat for o, r in state.outputs.items())


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


@dataclass(frozen=True, slots=True)
class _Made:
    """One product of the last build, what it was made from, its problems."""

    key: object
    value: object
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class _Signed:
    """What the outputs on disk were last signed from."""

    plan: Plan
    layouts: LayoutInfo
    config: str
    site: Site


class Memo:
    """What the preview's last build made (see the module's docstring).
    Every product is reused only when what it was made from is the same."""

    def __init__(self) -> None:
        self.files: SiteFiles | None = None
        self._layouts: _Made | None = None
        self._structure: _Made | None = None
        self._parsed: dict[str, ParsedArticle] = {}
        self._items: dict[str, Items] = {}
        self._plan: _Made | None = None
        self._reverse: dict[str, tuple[str, ...]] = {}
        self._signed: _Signed | None = None

    # -- the inputs ------------------------------------------------------------

    def scan(
        self, site_dir: Path, scan: Callable[[Path], SiteFiles], hint: Iterable[str] | None
    ) -> SiteFiles:
        """The site's files. With the watcher's ``hint`` of what changed, and
        when every path in it is an article the last scan found, only those
        are looked at again."""
        last = self.files
        changed = set(hint) if hint is not None else set()
        if last is None or not changed or not _only_edits(changed, last):
            self.files = scan(site_dir)
            return self.files
        articles = []
        for source in last.articles:
            if source.rel in changed:
                stat = stat_of(site_dir / source.rel)
                if stat is None:  # gone after all: look at everything
                    self.files = scan(site_dir)
                    return self.files
                source = SourceFile(rel=source.rel, stat=stat)
            articles.append(source)
        self.files = SiteFiles(
            articles=tuple(articles),
            assets=last.assets,
            content_paths=last.content_paths,
            layouts=last.layouts,
        )
        return self.files

    # -- the products ----------------------------------------------------------

    def layouts(self, key: object, make: Callable[[], LayoutInfo]) -> LayoutInfo:
        made = self._layouts
        if made is None or made.key != key:
            made = self._layouts = _Made(key, make(), ())
        assert isinstance(made.value, LayoutInfo)
        return made.value

    def site(
        self, config: SiteConfig, parsed: Sequence[ParsedArticle], files: SiteFiles
    ) -> tuple[Site, list[Diagnostic]]:
        """The model, with the last structure when every article kept its
        skeleton, and each unchanged article's items when the structure is
        the same."""
        key = (config, asset_paths(files), files.content_paths)
        last = self._structure
        known = self._parsed
        same = (
            last is not None
            and last.key == key
            and len(parsed) == len(known)
            and all(
                (old := known.get(p.source)) is p
                or (old is not None and skeleton(old) == skeleton(p))
                for p in parsed
            )
        )
        if same:
            assert last is not None and isinstance(last.value, Structure)
            structure, structure_diags = last.value, last.diagnostics
            reusable = self._items
        else:
            new, diags = build_structure(
                config, [skeleton(p) for p in parsed], asset_paths(files), files.content_paths
            )
            structure, structure_diags, reusable = new, tuple(diags), {}
        made: dict[str, Items] = {}

        def items(p: ParsedArticle) -> Items:
            answer = reusable.get(p.source)
            if answer is None or known.get(p.source) is not p:
                answer = make_items(config, structure, p)
            made[p.source] = answer
            return answer

        site, item_diags = build_site(config, parsed, files, structure=structure, items=items)
        self._structure = _Made(key, structure, structure_diags)
        self._parsed = {p.source: p for p in parsed}
        self._items = made
        return site, [*structure_diags, *item_diags]

    def plan(
        self, config: SiteConfig, site: Site, files: SiteFiles, now: dt.datetime
    ) -> tuple[Plan, list[Diagnostic]]:
        """The last plan, when it was made from the same structure, settings
        and files, and its time has not run out."""
        made = self._plan
        if (
            made is not None
            and isinstance(made.key, tuple)
            and made.key[0] is site.structure
            and made.key[1:] == (config, files.assets)
            and isinstance(made.value, Plan)
            and now.timestamp() < made.value.valid_until
        ):
            return made.value, list(made.diagnostics)
        plan, diags = plan_site(config, site.structure, files.assets, now)
        self._plan = _Made((site.structure, config, files.assets), plan, tuple(diags))
        self._reverse = {}
        return plan, diags

    def records(
        self,
        signer: Signer,
        plan: Plan,
        layouts: LayoutInfo,
        config_print: str,
        site: Site,
        previous: Mapping[str, OutputRecord],
    ) -> tuple[dict[str, OutputRecord], set[str]] | None:
        """When the outputs on disk were signed from this very plan, layouts
        and settings: every output's record, signing again only the outputs
        that show an article whose teaser or article changed (the others keep
        the record the last build left), and the outputs signed again.
        None: sign them all."""
        last = self._signed
        if (
            last is None
            or last.plan is not plan
            or last.layouts is not layouts
            or last.config != config_print
        ):
            return None
        changed = {
            teaser_key(source)
            for source, teaser in site.teasers.items()
            if teaser.fingerprint != _print(last.site.teasers.get(source))
        }
        changed |= {
            src_key(source)
            for source, article in site.articles.items()
            if article.fingerprint != _print(last.site.articles.get(source))
        }
        reverse = self._reverse_index(plan)
        affected = {output for key in changed for output in reverse.get(key, ())}
        records = dict(previous)
        for job in plan.pages:
            if job.output in affected or job.output not in records:
                affected.add(job.output)
                records[job.output] = signer.sign(job)
        return records, affected

    def signed(self, plan: Plan, layouts: LayoutInfo, config_print: str, site: Site) -> None:
        """The outputs on disk are now the ones this build signed."""
        self._signed = _Signed(plan, layouts, config_print, site)

    def _reverse_index(self, plan: Plan) -> dict[str, tuple[str, ...]]:
        if not self._reverse:
            reverse: dict[str, list[str]] = {}
            for job in plan.pages:
                for ref in job.refs:
                    reverse.setdefault(ref.key, []).append(job.output)
            self._reverse = {k: tuple(v) for k, v in reverse.items()}
        return self._reverse


def _print(item: Teaser | None) -> str:
    return item.fingerprint if item is not None else ""


def _only_edits(changed: set[str], last: SiteFiles) -> bool:
    """Every changed path is an article the last scan found (an edit: no
    file added or removed, no layout, asset or setting)."""
    known = {source.rel for source in last.articles}
    return all(rel.startswith(CONTENT_DIR + "/") and rel in known for rel in changed)
