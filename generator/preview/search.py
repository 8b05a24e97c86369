"""The preview's search index, made in the background after a build.

A preview build keeps the last index (``BuildOptions.search_later``) and
hands over its articles' fingerprints (``BuildResult.search_pending``); this
thread then works out the index's key without the build lock (20-50 ms on
10,000 articles), and if it is not the key of the index in place, reads the
articles and their bodies under the lock (they are in memory), runs
Pagefind without it (seconds on a big site: edits are built and shown
meanwhile), and takes the lock again to put the files in place
(``pipeline.search.commit_index``). A build in the meantime asks again: the
index trails the pages by about one indexing's time, never more than two.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from generator.diagnostics import Diagnostic
from generator.incremental.shortcuts import Memo
from generator.incremental.state import State
from generator.model import Site
from generator.pipeline import BuildOptions
from generator.pipeline.search import (
    commit_index,
    current_key,
    index_key_of,
    index_problem,
    search_docs,
)
from generator.search.pagefind import SearchIndexError, make_index
from generator.write import output_lock

logger = logging.getLogger(__name__)
STOP_WAIT = 10.0  # seconds ``stop`` waits for an indexing under way


@dataclass(frozen=True, slots=True, kw_only=True)
class Indexed:
    """What one background indexing did, for the terminal and for tests."""

    articles: int
    changed: list[str]  # the index's files written or deleted
    seconds: float  # from taking it up to the index in place
    locked: float  # seconds of it holding the build lock (builds wait meanwhile)
    problems: list[Diagnostic]


@dataclass(slots=True, kw_only=True)
class _Wanted:
    options: BuildOptions
    site: Site
    prints: Mapping[str, tuple[str, str]]  # each article's fingerprints, as built


class BackgroundIndex:
    """One thread making the preview's search index when asked (``want``)."""

    def __init__(
        self,
        lock: threading.Lock,
        state: Callable[[], tuple[State, Memo]],
        report: Callable[[Indexed], None],
    ) -> None:
        self._lock = lock  # the preview's build lock
        self._state = state
        self._report = report
        self._wanted: _Wanted | None = None
        self._wake = threading.Condition()
        self._stopping = False
        self._busy = False  # an indexing is under way
        self._cancels = 0  # how many times an index asked for was forgotten
        self._thread: threading.Thread | None = None  # started at the first ``want``

    def want(
        self, options: BuildOptions, site: Site, prints: Mapping[str, tuple[str, str]]
    ) -> None:
        """Make the index of the build of ``site`` (its articles' fingerprints
        ``prints``) once the thread is free, if it is not the one in place.
        Call it holding the build lock, right after the build."""
        with self._wake:
            self._wanted = _Wanted(options=options, site=site, prints=prints)
            self._wake.notify_all()
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(target=self._loop, name="search-index", daemon=True)
                self._thread.start()

    def cancel(self) -> None:
        """Forget an index asked for and not yet begun (a later build made
        it unneeded, or failed: the next good build asks again)."""
        with self._wake:
            self._wanted = None
            self._cancels += 1
            self._wake.notify_all()

    def wait(self, timeout: float) -> bool:
        """Wait until no index is asked for or being made (tests, benchmarks);
        False if that took longer than ``timeout`` seconds."""
        with self._wake:
            return self._wake.wait_for(
                lambda: self._wanted is None and not self._busy, timeout=timeout
            )

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(STOP_WAIT)

    def _loop(self) -> None:
        while True:
            with self._wake:
                while self._wanted is None and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                self._busy = True
            try:
                self._index()
            except Exception:  # never let a bug end the preview's search
                logger.exception("making the search index failed")
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()

    def _index(self) -> None:
        started = time.perf_counter()
        with self._wake:
            wanted, self._wanted = self._wanted, None
            cancels = self._cancels
        if wanted is None:
            return
        options, site = wanted.options, wanted.site
        state, _ = self._state()
        key = current_key(site, state, wanted.prints, options.drafts)  # without the lock
        locked = time.perf_counter()
        with self._lock:  # no build runs: the state and the last site agree
            with self._wake:
                if self._wanted is not None or self._cancels != cancels:
                    return  # a build since: index that one instead
            state, _ = self._state()
            if index_key_of(state.outputs) == key:
                return  # the index in place is this one
            docs, problems = search_docs(options, site, state)
        locked = time.perf_counter() - locked
        if not problems:
            try:
                files = make_index(site.config, docs)
            except SearchIndexError as exc:
                problems = [index_problem(exc)]
        changed: list[str] = []
        if not problems:
            out = options.output_dir
            again = time.perf_counter()
            with self._lock, output_lock(out):
                state, memo = self._state()
                with self._wake:
                    # Stopping, or a build since made this index unneeded
                    # (search turned off, a build that failed).
                    if self._stopping or self._cancels != cancels:
                        return
                changed = commit_index(out, state, key, files)
                memo.learn(state, None)
            locked += time.perf_counter() - again
        seconds = time.perf_counter() - started
        self._report(
            Indexed(
                articles=len(docs),
                changed=changed,
                seconds=seconds,
                locked=locked,
                problems=problems,
            )
        )
