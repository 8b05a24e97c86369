"""The search stage: the index of the published articles, made again only
when what it is made from changed, and written with the build's other
outputs.

The index's files are outputs in the dependency map like any other, with
the input key ``search``. ``pagefind-entry.json``'s signature is ``search:``
and the index's key (``search.index_key``: Pagefind's version, the settings
it reads, every article page's address and its article's fingerprint); every
other file's is ``search:`` and the digest of its bytes, so the files an
edit leaves as they are keep their rows in the state. A build whose key is
the last one's, with the files as they were left, keeps them (same bytes,
same modification times); otherwise Pagefind makes the index (in temporary
folders, see ``search/pagefind.py``) before the render stage, and the write
stage puts its files in the output folder with the pages (in place, or in
the staging folder swapped in whole) and deletes the last index's files:
a build that fails writes none of them.

The preview (``BuildOptions.search_later``) keeps the last index through
the build and makes the new one afterwards, in the background
(``commit_index``), so an edit reaches the browser without waiting for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from generator.diagnostics import Diagnostic, error
from generator.incremental.records import OutputRecord, stat_of
from generator.incremental.state import State
from generator.model import Site, urls
from generator.model.items import body_html
from generator.pipeline.parsing import parse_settings
from generator.search import (
    SEARCH_DIR,
    SEARCH_ENTRY,
    SEARCH_INPUT,
    SIGNATURE_PREFIX,
    SearchDoc,
    index_key,
    index_language,
    is_index_file,
)
from generator.search.pagefind import SearchIndexError, make_index, pagefind_version
from generator.write import InPlace

if TYPE_CHECKING:
    from generator.incremental.shortcuts import Memo
    from generator.pipeline import BuildOptions, BuildResult
    from generator.pipeline.outputs import Planned


def plan_search(
    options: BuildOptions,
    site: Site,
    planned: Planned,
    state: State,
    result: BuildResult,
    memo: Memo | None = None,
) -> list[Diagnostic]:
    """Put the index's files in ``planned``: the last ones kept, or new ones
    made (``planned.extra``) with the last ones to delete
    (``planned.removed``). Returns the problems. The preview's ``memo``
    knows the last index's files without a look at every output."""
    config = site.config
    if memo is not None:
        last = {o: state.outputs[o] for o in memo.readers_of(state, SEARCH_INPUT)}
    else:
        last = index_files(state.outputs)
    for output in last:
        planned.records.pop(output, None)
    if planned.signed is not None:  # under the last plan: its count had the last index
        planned.files -= len(last)
    if not options.write:
        return []
    if not config.search:
        planned.removed += sorted(last)
        return []
    taken = sorted(o for o in planned.records if o.startswith(SEARCH_DIR + "/"))
    if taken:  # a content file copied where the index goes
        return [
            error(
                f"content/{output}",
                f"this file would be written to {output}, in the search index's folder",
                hint=f"move it out of content/{SEARCH_DIR}/, or turn search off with "
                "search: false in site.yaml",
            )
            for output in taken
        ]
    if options.search_later:
        # The preview: the last index is kept through the build; whether it
        # is still current is worked out after it (the key reads every
        # article: 20-50 ms on 10,000, too long for an edit's way).
        planned.records.update(last)
        planned.files += len(last)
        result.search_pending = planned.prints
        return []
    key = current_key(site, state, planned.prints, options.drafts)
    out = options.output_dir
    if index_key_of(last) == key and all(stat_of(out / o) == r.stat for o, r in last.items()):
        planned.records.update(last)  # as left: kept
        planned.files += len(last)
        return []
    docs, problems = search_docs(options, site, state)
    if problems:
        return problems
    try:
        files = make_index(config, docs)
    except SearchIndexError as exc:
        return [index_problem(exc)]
    for output, data in files.items():
        # Pagefind names most files after their content: after an edit, most
        # are the last index's, left as they are (not rewritten, so an edit
        # replaces a few files in place, not the whole site through staging).
        before, record = last.get(output), index_record(key, output, data)
        if (
            before is not None
            and before.signature == record.signature
            and before.digest == record.digest
            and stat_of(out / output) == before.stat
        ):
            planned.records[output] = before
            continue
        planned.records[output] = record
        planned.extra[output] = data
        planned.dirty.add(output)
    planned.removed += sorted(last.keys() - files.keys())
    planned.files += len(files)
    return []


def index_problem(exc: Exception) -> Diagnostic:
    return error(
        "site.yaml",
        f"the search index could not be made: {exc}",
        hint="install Digest again (pip install digest brings Pagefind), "
        "or turn search off with search: false in site.yaml",
    )


def index_files(outputs: Mapping[str, OutputRecord]) -> dict[str, OutputRecord]:
    """The search index's files among the outputs."""
    return {o: r for o, r in outputs.items() if is_index_file(r.signature)}


def current_key(
    site: Site, state: State, prints: Mapping[str, tuple[str, str]], drafts: bool
) -> str:
    """The key of the index these articles make."""
    entries = [
        (placed.source, urls.output_file(placed.path), prints[placed.source][1])
        for placed in site.structure.articles
        if not (drafts and _is_draft(state, placed.source))
    ]
    return index_key(site.config, pagefind_version(), entries)


def _is_draft(state: State, source: str) -> bool:
    skeleton = state.parsed[source].skeleton
    return skeleton is not None and skeleton.draft


def search_docs(
    options: BuildOptions, site: Site, state: State
) -> tuple[list[SearchDoc], list[Diagnostic]]:
    """Every published article (drafts never) as the index sees it."""
    from generator.pipeline.outputs import BodySource  # the render stage's

    sources = [
        p.source
        for p in site.structure.articles
        if not (options.drafts and _is_draft(state, p.source))
    ]
    articles = [site.articles[source] for source in sources]
    bodies = state.bodies.get(a.body.digest for a in articles)
    lost = [a.source for a in articles if a.body.digest not in bodies]
    problems: list[Diagnostic] = []
    if lost:
        settings = parse_settings(options, site.config)
        remade = BodySource(options.site_dir, site, state, settings)
        bodies.update(remade.remake(lost))
        problems = remade.problems
    docs = [
        SearchDoc(
            output=urls.output_file(a.path),
            headline=a.headline,
            standfirst=a.standfirst,
            body=str(body_html(a, bodies[a.body.digest])),
            date=a.date,
            tags=tuple(site.structure.tag(t.slug).name for t in a.tags),  # as most spell it
            authors=a.authors,
            section=a.section.name if a.section else None,
            language=index_language(site.config, a.lang),
        )
        for a in articles
        if a.body.digest in bodies
    ]
    return docs, problems


def index_key_of(outputs: Mapping[str, OutputRecord]) -> str | None:
    """The key of the index in the output (None: none)."""
    entry = outputs.get(SEARCH_ENTRY)
    if entry is None or not is_index_file(entry.signature):
        return None
    return entry.signature.removeprefix(SIGNATURE_PREFIX)


def index_record(key: str, output: str, data: bytes) -> OutputRecord:
    """An index file's record, before it is written (no stat yet)."""
    from generator.execute.tasks import output_digest

    digest = output_digest(data)
    signature = SIGNATURE_PREFIX + (key if output == SEARCH_ENTRY else digest)
    return OutputRecord(signature, (SEARCH_INPUT,), digest=digest)


def commit_index(out: Path, state: State, key: str, files: Mapping[str, bytes]) -> list[str]:
    """Put a new index (made for ``key``) in the output folder in place of
    the last one, and in the state's dependency map: the preview's way,
    after a build. The caller holds the output folder (no build runs).
    Returns the outputs written or deleted."""
    last = index_files(state.outputs)
    records = {output: index_record(key, output, data) for output, data in files.items()}
    writer = InPlace(out)
    changed: list[str] = []
    kept: set[str] = set()
    try:
        for output, data in files.items():
            before, record = last.get(output), records[output]
            if (
                before is not None
                and before.signature == record.signature
                and before.digest == record.digest
                and stat_of(out / output) == before.stat
            ):
                kept.add(output)  # the last index's file, as it was left
                continue
            if writer.put(output, data):
                changed.append(output)
        removed = sorted(last.keys() - files.keys())
        writer.commit(removed)
    except BaseException:
        writer.discard()
        raise
    outputs = {o: r for o, r in state.outputs.items() if o not in last}
    for output, record in records.items():
        if output in kept:
            outputs[output] = last[output]
        else:
            stat = stat_of(out / output) or (0, 0)
            outputs[output] = record.replace(stat=stat, digest=record.digest)
    state.outputs = outputs
    return sorted(changed + removed)
