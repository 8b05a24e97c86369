"""The speed shortcuts: every way a build skips work beyond the one rule
(render what changed signature, write what changed bytes, delete what is no
longer planned), all of them here, each with a name: ``BuildOptions.shortcuts``
(``digest build --shortcuts``) says which a build may take, and the
randomized test checks that a build gives the same bytes whichever it takes.
What each one buys is measured in docs/ARCHITECTURE.md.

- ``nothing_to_do`` ("nothing-to-do"): a ``digest build`` whose inputs, settings and outputs
  are exactly as the state recorded them, before the time anything goes
  stale by itself, has nothing to do: it reads the state, looks at the
  inputs' stats and stops.
- ``same_plan`` ("same-plan"): when every article kept its skeleton, and the settings, the
  files and the time are as the last build planned with, the plan is the
  last one: every output keeps its static part and its references, so its
  signature can change only through a reference whose teaser or article
  changed, or a layout it uses. Those outputs alone are planned and signed
  again; the others keep the record the last build left.
- ``known_layouts`` ("known-layouts"): the layouts are read and compiled
  again only when a layout file's stat changed.
- ``Memo`` ("memo"): the preview keeps its last build's structure and each article's
  items (and the URL record), and reuses them where what they were made from is the same; and it
  trusts the watcher's list of changed files rather than look at every
  input (it looks at everything again right after, see ``preview``, so a
  missed event costs a moment, never a stale page).
- ``FAST_MARKDOWN`` ("fast-markdown"): a body the checks of ``parse/mdchecks.py``
  vouch for is rendered by the Rust port of markdown-it and its HTML
  finished in one scan (ids, typography, word count), the same bytes
  markdown-it-py gives; off, every body takes markdown-it-py. Not a
  shortcut past the rule, but a second way to the same bytes, switched like one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.config import SiteConfig
from generator.diagnostics import Diagnostic
from generator.fingerprint import fingerprint
from generator.images import ImageInfo
from generator.incremental.records import (
    RACY_NS,
    OutputRecord,
    read_or_none,
    skeletons_of,
    stat_of,
)
from generator.incremental.signature import sign_copy
from generator.incremental.state import State
from generator.load import CONTENT_DIR, SiteFiles, SourceFile
from generator.model import (
    Items,
    Site,
    Skeleton,
    Structure,
    build_structure,
    item_reads,
    make_items,
    structure_key,
)
from generator.model.refs import src_key, teaser_key
from generator.parse import ParsedArticle, file_digest
from generator.plan import Address, Job, copy_job, layout_key, needs_all
from generator.record import Record, parse_record
from generator.render.info import LayoutInfo
from generator.search import is_index_file

NOTHING_TO_DO = "nothing-to-do"
SAME_PLAN = "same-plan"
KNOWN_LAYOUTS = "known-layouts"
MEMO = "memo"
FAST_MARKDOWN = "fast-markdown"
SHORTCUTS = frozenset({NOTHING_TO_DO, SAME_PLAN, KNOWN_LAYOUTS, MEMO, FAST_MARKDOWN})


def nothing_to_do(
    state: State, settings: str, files: SiteFiles, now: dt.datetime, site_dir: Path, out: Path
) -> bool:
    """The state says the output folder is exactly what these inputs make."""
    if state.settings != settings or not in_time(state, now):
        return False
    if len(files.articles) != len(state.inputs):
        return False
    for source in files.articles:
        known = state.inputs.get(source.rel)
        if known is None or known.stat != source.stat:
            return False
        if not known.digest:  # changed too close to when it was read: look
            entry = state.parsed.get(source.rel)
            data = read_or_none(site_dir / source.rel)
            if entry is None or data is None or not entry.key.startswith(file_digest(data)):
                return False
    copied = {
        o
        for o, record in state.outputs.items()
        if record.address is None and not is_index_file(record.signature)
    }
    if copied != {asset.dest for asset in files.assets}:
        return False  # a file to copy was added or removed
    for asset in files.assets:
        record = state.outputs[asset.dest]
        if record.signature != sign_copy(copy_job(asset)).signature:
            return False
    base = str(out)
    return all(stat_of(f"{base}/{o}") == r.stat for o, r in state.outputs.items())


def in_time(state: State, now: dt.datetime) -> bool:
    """The build time is one the last build's outputs hold for: not before
    the time they were made at, not at or after the next moment they go
    stale by themselves (an article going live or expiring, say)."""
    return state.valid_from <= now.timestamp() < state.valid_until


def known_layouts(state: State, files: Sequence[tuple[str, int, int]]) -> LayoutInfo | None:
    """What the last build learnt of the layouts, when every layout file
    has the stat it had then, and changed more than two seconds before."""
    known = state.layouts
    if not known or [list(f) for f in files] != known.get("files"):
        return None
    if any(mtime >= known["analysed"] - RACY_NS for _, mtime, _ in files):
        return None
    closures = {n: tuple(c) if c is not None else None for n, c in known["closures"].items()}
    return LayoutInfo(
        names=tuple(known["names"]),
        prints=dict(known["prints"]),
        closures=closures,
        diagnostics=(),
    )


def remember_layouts(
    state: State, files: Sequence[tuple[str, int, int]], layouts: LayoutInfo, analysed: int
) -> None:
    """What was learnt of the layouts (analysed at ``analysed``, ns), for
    ``known_layouts`` and ``same_plan``."""
    state.layouts = {
        "files": [list(f) for f in files],
        "analysed": analysed,
        "names": list(layouts.names),
        "prints": dict(layouts.prints),
        "closures": {n: list(c) if c is not None else None for n, c in layouts.closures.items()},
    }


@dataclass(frozen=True, slots=True)
class SamePlan:
    """What changed under the last build's plan."""

    addresses: set[Address]  # the outputs to plan and sign again
    prints: dict[str, tuple[str, str]]  # every article's teaser and article fingerprints


def same_plan(
    state: State,
    plan_key: str,
    now: dt.datetime,
    site: Site,
    layouts: Mapping[str, str],
    reparsed: Iterable[str],
    readers: Callable[[set[str]], set[Address]] | None = None,
) -> SamePlan | None:
    """The outputs whose signature may have changed, when the plan is the
    last build's (``plan_key``, and its time has not run out); None when it
    may not be. ``reparsed``: the articles parsed again by this build;
    ``readers`` finds the outputs that read any of some input keys (the
    preview keeps an index; without one, every output is looked at)."""
    if not state.plan or state.plan != plan_key or not in_time(state, now):
        return None
    prints = dict(state.prints)
    changed: set[str] = set()
    for source in reparsed:
        if source not in site.structure.placed:
            continue  # not published: the plan would have changed
        teaser, article = site.teasers[source], site.articles[source]
        old = prints.get(source)
        if old is None or old[0] != teaser.fingerprint:
            changed.add(teaser_key(source))
        if old is None or old[1] != article.fingerprint:
            changed.add(src_key(source))
        prints[source] = (teaser.fingerprint, article.fingerprint)
    old_layouts: Mapping[str, str] = state.layouts.get("prints", {})
    names = layouts.keys() | old_layouts.keys()
    changed |= {layout_key(n) for n in names if layouts.get(n) != old_layouts.get(n)}
    if readers is not None:
        return SamePlan(addresses=readers(changed), prints=prints)
    addresses: set[Address] = set()
    quoted = {json.dumps(key) for key in changed}  # as the stored inputs spell them
    for record in state.outputs.values():
        if record.address is not None and record.reads_any(changed, quoted):
            addresses.add(record.address)
    return SamePlan(addresses=addresses, prints=prints)


Problems = tuple[Diagnostic, ...]  # one article's


@dataclass(frozen=True, slots=True, kw_only=True)
class _Made:
    """The last structure, what it was made from, its problems and its key."""

    key: object
    now: dt.datetime | None  # the build time it was made at
    structure: Structure
    diagnostics: tuple[Diagnostic, ...]
    skeletons: Mapping[str, Skeleton]
    published: tuple[str, ...]
    plan_key: str


@dataclass(slots=True)
class _Item:
    """An article's items, what they were made from, and with what
    structure (``reads``: what they read of it, see ``item_reads``)."""

    parsed: ParsedArticle
    structure: Structure
    reads: tuple[object, ...]
    made: Items


class Memo:
    """What the preview's last build made (see the module's docstring)."""

    def __init__(self) -> None:
        self.files: SiteFiles | None = None
        # The articles the last scan looked at again, when it trusted the
        # watcher's list (every other input is as it was); None: it looked
        # at everything.
        self.edited: dict[str, SourceFile] | None = None
        self._structure: _Made | None = None
        self._items: dict[str, _Item] = {}
        self._items_config: SiteConfig | None = None  # the settings they were made with
        # The last whole plan's pages, each page's place in it by address,
        # and the structure it was planned with.
        self._plan: tuple[Structure, tuple[Job, ...], dict[Address, int]] | None = None
        self._known: dict[str, int] = {}  # the articles of ``files``, by their place
        # Which outputs read each input key: an index of the dependency map,
        # and the record of every output it was made from.
        self._readers: dict[str, set[str]] = {}
        self._indexed: dict[str, OutputRecord] = {}
        self._outputs: Mapping[str, OutputRecord] | None = None  # the map indexed
        # The articles published, as a tuple and a set, and the problems of
        # every article that has any.
        self._published: tuple[tuple[str, ...], frozenset[str], dict[str, Problems]] | None = None
        self._record: tuple[str, Record, tuple[Diagnostic, ...], str] | None = None

    def parse_record(self, text: str) -> tuple[Record, list[Diagnostic]]:
        """The URL record in ``text``: the last one when the text is the same
        (10,000 URLs: 10 ms to parse, every build), the same object, which
        the structure's check then compares at once."""
        if self._record is None or self._record[0] != text:
            record, diags = parse_record(text)
            self._record = (text, record, tuple(diags), fingerprint(record))
        return self._record[1], list(self._record[2])

    def record_print(self, record: Record) -> str:
        """``fingerprint(record)``, made once for the record kept."""
        if self._record is not None and self._record[1] is record:
            return self._record[3]
        return fingerprint(record)

    def scan(
        self, site_dir: Path, scan: Callable[[Path], SiteFiles], hint: Iterable[str] | None
    ) -> SiteFiles:
        """The site's files. With the watcher's ``hint`` of what changed, and
        when every path in it is an article the last scan found, only those
        are looked at again."""
        last = self.files
        changed = set(hint) if hint is not None else set()
        self.edited = None
        if last is None or not changed or not _only_edits(changed, self._known):
            return self._scanned(scan(site_dir))
        articles = list(last.articles)
        edited = {}
        for rel in sorted(changed):
            stat = stat_of(site_dir / rel)
            if stat is None:  # gone after all: look at everything
                return self._scanned(scan(site_dir))
            edited[rel] = articles[self._known[rel]] = SourceFile(rel=rel, stat=stat)
        self.files = SiteFiles(
            articles=tuple(articles),
            assets=last.assets,
            content_paths=last.content_paths,
            layouts=last.layouts,
            problems=last.problems,
        )
        self.edited = edited
        return self.files

    def _scanned(self, files: SiteFiles) -> SiteFiles:
        self.files = files
        self._known = {source.rel: i for i, source in enumerate(files.articles)}
        return files

    def readers_of(self, state: State, key: str) -> set[str]:
        """The outputs that read the input ``key`` (from the same index)."""
        return set(self._index(state).get(key, ()))

    def _index(self, state: State) -> dict[str, set[str]]:
        """The index of the state's dependency map: input key -> outputs
        (made again if the map is not the one the memo last learnt)."""
        if state.outputs is not self._outputs:
            self.learn(state, None)
        return self._readers

    def readers(self, state: State) -> Callable[[set[str]], set[Address]]:
        """Finds the outputs that read any of some input keys, from an index
        of the state's dependency map (made again if the map is not the one
        the memo last learnt, see ``learn``)."""
        index = self._index(state)
        outputs = state.outputs

        def find(keys: set[str]) -> set[Address]:
            found = set()
            for key in keys:
                for output in index.get(key, ()):
                    address = outputs[output].address
                    if address is not None:
                        found.add(address)
            return found

        return find

    def learn(self, state: State, changed: Iterable[str] | None) -> None:
        """The dependency map after a build that set the records of the
        outputs ``changed`` (None: of any output)."""
        outputs, indexed, index = state.outputs, self._indexed, self._readers
        if changed is None:
            changed = [o for o in indexed if o not in outputs] + list(outputs)
        for output in changed:
            record, old = outputs.get(output), indexed.get(output)
            if old is record:
                continue
            if old is not None:
                for key in old.inputs:
                    index[key].discard(output)
                del indexed[output]
            if record is not None:
                for key in record.inputs:
                    index.setdefault(key, set()).add(output)
                indexed[output] = record
        self._outputs = outputs

    def published(
        self,
        files: SiteFiles,
        state: State,
        find: Callable[[SiteFiles, State], tuple[list[str], dict[str, Problems]]],
    ) -> tuple[list[str], dict[str, Problems]]:
        """The articles published and the problems of each article that has
        any (``find``): the last ones, updated for the articles edited, when
        only articles were edited and each is still published or not as it was."""
        last = self._published
        if self.edited is not None and last is not None:
            order, published, problems = last
            problems = dict(problems)
            for source in self.edited:
                entry = state.parsed[source]
                if (entry.skeleton is not None) != (source in published):
                    break
                if entry.diagnostics:
                    problems[source] = entry.diagnostics
                else:
                    problems.pop(source, None)
            else:
                self._published = order, published, problems
                return list(order), problems
        found, problems = find(files, state)
        self._published = tuple(found), frozenset(found), problems
        return found, problems

    def structure(
        self,
        config: SiteConfig,
        published: Sequence[str],
        state: State,
        asset_paths: frozenset[str],
        content_paths: frozenset[str],
        record: Record = (),
        images: Mapping[str, ImageInfo] | None = None,
        *,
        now: dt.datetime | None = None,
        future: bool = False,
    ) -> tuple[Structure, list[Diagnostic], str]:
        """The structure and its key: the last ones, when the same articles
        are published, each with the skeleton it had (the very object, most
        often: a quick check), the settings, files and URL record are the
        same, and the build time has not passed a moment an article goes
        live or expires."""
        key = (config, asset_paths, content_paths, record, images, future)
        last = self._structure
        if (
            last is not None
            and last.key == key
            and (now == last.now or _same_time(last, now))
            and tuple(published) == last.published
            and all(
                _same(state.parsed[s].skeleton, last.skeletons[s])
                for s in (
                    published if self.edited is None else self.edited.keys() & last.skeletons.keys()
                )
            )
        ):
            return last.structure, list(last.diagnostics), last.plan_key
        skeletons, prints = skeletons_of(state.parsed[source] for source in published)
        structure, diags = build_structure(
            config, skeletons, asset_paths, content_paths, record, images, now=now, future=future
        )
        plan_key = structure_key(
            config,
            skeletons,
            asset_paths,
            content_paths,
            record,
            images,
            prints=prints,
            now=now,
            future=future,
        )
        self._structure = _Made(
            key=key,
            now=now,
            structure=structure,
            diagnostics=tuple(diags),
            skeletons={s.source: s for s in skeletons},
            published=tuple(published),
            plan_key=plan_key,
        )
        placed = structure.placed
        self._items = {s: item for s, item in self._items.items() if s in placed}
        return structure, diags, plan_key

    def keep_plan(self, structure: Structure, pages: tuple[Job, ...]) -> None:
        """Remember a whole plan's pages, planned with ``structure``."""
        self._plan = structure, pages, {job.address: i for i, job in enumerate(pages)}

    def planned(self, structure: Structure, only: Collection[Address]) -> list[Job] | None:
        """The pages at ``only`` (every page, if one of them reads them all)
        of the last whole plan, when it was planned with this very structure:
        the same articles, settings and files, at a time that plans the same
        (``same_plan`` checked it). A layout edit that every page uses plans
        every page again: 0.75 s on 10,000 articles."""
        if self._plan is None or self._plan[0] is not structure:
            return None
        _, pages, place = self._plan
        if needs_all(only):
            return list(pages)
        # In the plan's order, looked up by address (an edit asks for a few
        # of 14,000 pages on 10,000 articles).
        return [pages[i] for i in sorted(place[a] for a in set(only) if a in place)]

    def items(self, config: SiteConfig, structure: Structure) -> Callable[[ParsedArticle], Items]:
        """Makes an article's items, or gives back the last ones, made from
        this very parse with the same settings, and with this structure or
        one that reads the same for the article."""
        if config != self._items_config:
            self._items, self._items_config = {}, config

        def items(p: ParsedArticle) -> Items:
            known = self._items.get(p.source)
            if known is not None and known.parsed is p:
                if known.structure is structure:
                    return known.made
                reads = item_reads(structure, p)
                if reads == known.reads:
                    known.structure = structure
                    return known.made
            else:
                reads = item_reads(structure, p)
            made = make_items(config, structure, p)
            self._items[p.source] = _Item(p, structure, reads, made)
            return made

        return items


def _same_time(last: _Made, now: dt.datetime | None) -> bool:
    """No article went live or expired between the last structure's build
    time and ``now``: the time decides the same."""
    if now is None or last.now is None:
        return False
    return last.now <= now and now.timestamp() < last.structure.changes_at


def _same(a: Skeleton | None, b: Skeleton) -> bool:
    return a is b or a == b


def _only_edits(changed: set[str], known: Mapping[str, int]) -> bool:
    """Every changed path is an article the last scan found (an edit: no
    file added or removed, no layout, asset or setting)."""
    return all(rel.startswith(CONTENT_DIR + "/") and rel in known for rel in changed)


__all__ = ["Memo", "SamePlan", "nothing_to_do", "same_plan"]
