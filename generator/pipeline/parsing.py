"""The parse stage as a build runs it: every article from the state's parse
cache where the file and the settings are the same, the others parsed in
tasks (``execute``), the results and their bodies kept in the state."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from generator.config import SiteConfig
from generator.diagnostics import Diagnostic
from generator.execute import Executor, Inline, partition
from generator.incremental.records import RACY_NS, InputRecord, ParseEntry, read_or_none
from generator.incremental.shortcuts import FAST_MARKDOWN
from generator.incremental.state import State
from generator.load import SiteFiles, SourceFile
from generator.parse import ParsedArticle, ParseSettings, UnpublishedLinks, file_digest

if TYPE_CHECKING:
    from generator.pipeline import BuildOptions

Problems = tuple[Diagnostic, ...]
PARSE_TASK = 100  # articles per parse task, when parsing is spread over workers


def parse_settings(options: BuildOptions, config: SiteConfig) -> ParseSettings:
    """How a build parses: the site's settings, drafts or not, and whether
    bodies may take the fast path (the shortcut ``fast-markdown``): for the
    parse stage and for a body made again at render or search time alike."""
    fast = FAST_MARKDOWN in options.shortcuts
    return ParseSettings.of(config, options.drafts, fast_markdown=fast)


def parse(
    site_dir: Path,
    files: SiteFiles,
    state: State,
    settings: ParseSettings,
    executor: Executor,
    *,
    suspects: frozenset[str] = frozenset(),
    only: Mapping[str, SourceFile] | None = None,
) -> set[str]:
    """Every article, parsed, into the state's parse cache: from the cache
    where a file's bytes (known by their stat, else read and hashed) and the
    settings are the same; the others in tasks, their bodies into the state.
    Returns the articles parsed again. ``suspects`` (the files the watcher saw
    change) are read whatever their stat says: a save can keep a file's size
    and modification time. With ``only`` (the preview, when the watcher
    reported edits alone), the other files are known to be as they were."""
    trust_before = time.time_ns() - RACY_NS
    suffix = settings.key("")  # an entry's key is its file's digest and this
    inputs, cache = state.inputs, state.parsed
    misses: list[str] = []
    look_at = files.articles if only is None else tuple(only.values())
    for source in look_at:
        rel = source.rel
        known = inputs.get(rel)
        entry = cache.get(rel)
        if known is not None and known.stat == source.stat and known.digest and rel not in suspects:
            if entry is not None and entry.key == known.digest + suffix:
                continue  # as it was: nothing to learn
            digest = known.digest
        elif entry is not None:
            data = read_or_none(site_dir / rel)
            digest = file_digest(data) if data is not None else ""
        else:
            digest = ""
        if digest and entry is not None and entry.key == digest + suffix:
            trusted = source.stat[0] < trust_before
            inputs[rel] = InputRecord(source.stat, digest if trusted else "")
        else:
            misses.append(rel)
    stats = {source.rel: source.stat for source in look_at}
    from generator.execute.tasks import ParseTask, parse_files  # Markdown: when there is work

    stored = state.stores_parses  # then the workers encode each parse for the state too
    tasks = [
        ParseTask(site_dir=str(site_dir), settings=settings, sources=part, stored=stored)
        for part in partition(misses, PARSE_TASK, executor)
    ]
    for results in (executor if len(tasks) > 1 else Inline()).map(parse_files, tasks):
        bodies, entries = [], []
        for done in results:
            parsed, article = done.parsed, done.parsed.article
            key = settings.key(parsed.digest)
            entry = ParseEntry(
                key,
                article,
                parsed.diagnostics,
                skeleton=done.skeleton,
                links=parsed.links,
                skeleton_print=done.skeleton_print,
            )
            entries.append((parsed.source, entry, done.stored or (None, "[]", None, None)))
            trusted = stats[parsed.source][0] < trust_before
            state.inputs[parsed.source] = InputRecord(
                stats[parsed.source], parsed.digest if trusted else ""
            )
            if article is not None and parsed.body is not None:
                bodies.append((article.body.html.digest, parsed.body))
        state.bodies.put(bodies)
        state.put_parsed(entries)
    gone: set[str] = set()
    if only is None:
        gone = (inputs.keys() | cache.keys()) - stats.keys()
    for rel in gone:
        inputs.pop(rel, None)
        cache.pop(rel, None)
    if misses or gone:  # bodies no article has any more
        state.bodies.forget_unused(
            lambda: {e.body for e in cache.values() if e.body is not None}, len(cache)
        )
    return set(misses)


def published(files: SiteFiles, state: State) -> tuple[list[str], dict[str, Problems]]:
    """The articles published (in file order), and the problems of every
    article that has any."""
    cache = state.parsed
    found: list[str] = []
    problems: dict[str, Problems] = {}
    for source in files.articles:
        entry = cache[source.rel]
        if entry.skeleton is not None:
            found.append(source.rel)
        if entry.diagnostics:
            problems[source.rel] = entry.diagnostics
    return found, problems


def unpublished_links(state: State, problems: Mapping[str, Problems]) -> list[UnpublishedLinks]:
    """The links of the files left unpublished for their problems, to check."""
    cache = state.parsed
    return [links for source in problems if (links := cache[source].links) is not None]


def article(state: State, source: str) -> ParsedArticle:
    article = state.parsed[source].article
    assert article is not None
    return article
