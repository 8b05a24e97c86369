"""The one incremental rule: every output has a signature of exactly the
inputs it reads, and an output is made again only when its signature changed
(or its file is not as it was left).

A page's inputs are the articles its context references (each by the
fingerprint of what it stands for: the teaser, or the whole article), the
layouts its layout reaches (each by the fingerprint of its source and where
it comes from), the settings, and the rest of its context as planned (page
numbers, URLs, tag counts: ``Job.static``). Two builds that give an output
the same signature give it the same bytes. The input *keys* say the same in
words (``src:content/a.md``, ``teaser:content/b.md``, ``layout:base.html``,
``config``): the dependency map, read backwards, says which outputs show a
changed file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from generator.fingerprint import fingerprint
from generator.incremental.records import OutputRecord, stat_of
from generator.model import Site
from generator.model.refs import ArticleRef, EntryRef, Ref
from generator.plan import CONFIG_KEY, TIME_KEY, CopyJob, Job, asset_key, layout_key

if TYPE_CHECKING:
    from generator.render.info import LayoutInfo


class Signer:
    """Signs the jobs of one site, built with one set of settings and layouts."""

    def __init__(self, site: Site, layouts: LayoutInfo, config_print: str) -> None:
        self._site = site
        self._layouts = layouts
        self._config = config_print
        self._by_layout: dict[str | None, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        # Each reference's input key and fingerprint, by its kind and source
        # (ten outputs or more name each article).
        self._refs: dict[type[Ref], dict[str, tuple[str, str]]] = {}

    def _ref(self, ref: Ref) -> tuple[str, str]:
        """A reference's input key, and the fingerprint of what it stands for."""
        known = self._refs.get(type(ref))
        if known is None:
            known = self._refs[type(ref)] = {}
        pair = known.get(ref)
        if pair is None:
            teaser, article, _ = self._site.items(ref)
            made = article if isinstance(ref, ArticleRef | EntryRef) else teaser
            pair = known[ref] = (ref.key, made.fingerprint)
        return pair

    def _layout(self, name: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The keys and fingerprints of every layout ``name`` reaches."""
        known = self._by_layout.get(name)
        if known is None:
            names = self._layouts.reach(name) if name is not None else ()
            keys = tuple(layout_key(n) for n in names)
            prints = tuple(self._layouts.prints.get(n, "missing") for n in names)
            known = self._by_layout[name] = (keys, prints)
        return known

    def sign(self, job: Job) -> OutputRecord:
        layout_keys, layout_prints = self._layout(job.layout)
        pairs = tuple(map(self._ref, job.refs))
        signature = fingerprint(
            job.static, self._config, layout_prints, tuple(pair[1] for pair in pairs)
        )
        inputs = (*(pair[0] for pair in pairs), CONFIG_KEY, *layout_keys)
        if job.timed:
            inputs += (TIME_KEY,)
        return OutputRecord(signature, inputs, address=job.address)


def sign_copy(copy: CopyJob) -> OutputRecord:
    return OutputRecord(fingerprint("copy", copy.source, copy.stat), (asset_key(copy.source),))


def sign_all(
    signer: Signer, pages: Iterable[Job], copies: Iterable[CopyJob]
) -> dict[str, OutputRecord]:
    records = {job.output: signer.sign(job) for job in pages}
    records.update((copy.output, sign_copy(copy)) for copy in copies)
    return records


def is_current(
    output: str, record: OutputRecord, previous: Mapping[str, OutputRecord], out_dir: Path
) -> bool:
    """The file in the output folder was made from the same inputs, and is
    still as it was written."""
    before = previous.get(output)
    if before is None or before.signature != record.signature:
        return False
    return stat_of(f"{out_dir}/{output}") == before.stat


def outdated(
    records: Mapping[str, OutputRecord], previous: Mapping[str, OutputRecord], out_dir: Path
) -> set[str]:
    """The outputs to make again."""
    return {o for o, r in records.items() if not is_current(o, r, previous, out_dir)}
