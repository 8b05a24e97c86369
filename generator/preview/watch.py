"""Watch a site's inputs and hand debounced batches of changed paths to a callback.

Watched: ``content/`` and ``layouts/`` recursively, and the site folder itself
non-recursively, for ``site.yaml``, the URL record (``published-urls.txt``, which a
``digest build`` or a ``git pull`` may change) and for ``content/`` or ``layouts/`` being
created, deleted or replaced later. Nothing else at the site root is watched, so
the output folder, ``.digest/``, ``.git/`` or a ``.venv/`` never cause a rebuild,
and a large ``.git/`` costs no inotify watches.

Hidden files and editor droppings (``generator.load.is_ignored``) are dropped,
so every editor's way of saving ends up as the real file's path in a batch:
written in place, temp file renamed over the target, or backup-rename then
rewrite. README files under ``content/`` are dropped too: the build never reads
them.

Events go into a pending set. One worker thread waits until no event has come
for ``debounce`` seconds, or ``max_delay`` seconds have passed since the first
pending one, then calls ``on_batch`` with everything pending. Calls never
overlap: events that arrive while ``on_batch`` runs (a build) make up the next
batch, delivered after it returns. A ``git checkout`` of 200 files is one batch.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from watchdog.events import (
    EVENT_TYPE_ATTRIB,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from generator.config import CONFIG_FILE
from generator.load import CONTENT_DIR, LAYOUTS_DIR, is_ignored, is_readme
from generator.record import RECORD_FILE

logger = logging.getLogger(__name__)

WATCHED_DIRS = (CONTENT_DIR, LAYOUTS_DIR)

# Only changes to names and data. Never opened/closed events: the build itself
# opens every input, and must not trigger the next build. Attrib covers `touch`.
_EVENT_FILTER: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileAttribEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
_FILE_EVENTS = {
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    EVENT_TYPE_ATTRIB,
}
_DIR_EVENTS = {EVENT_TYPE_CREATED, EVENT_TYPE_DELETED, EVENT_TYPE_MOVED}


def _under(paths: Iterable[str], top: str) -> bool:
    return any(path == top or path.startswith(f"{top}/") for path in paths)


@dataclass(frozen=True, slots=True)
class ChangeBatch:
    """Site-relative POSIX paths that changed since the last batch: created,
    modified, deleted, or either end of a move. A created, deleted or moved
    folder is included by its own path ("content/2026")."""

    paths: frozenset[str]

    @property
    def config_changed(self) -> bool:
        return CONFIG_FILE in self.paths

    @property
    def layouts_changed(self) -> bool:
        return _under(self.paths, LAYOUTS_DIR)

    @property
    def content_changed(self) -> bool:
        return _under(self.paths, CONTENT_DIR)


def is_relevant(rel: str, *, is_directory: bool = False) -> bool:
    """Whether a change to site-relative POSIX path ``rel`` can change the site."""
    parts = rel.split("/")
    if any(is_ignored(part) for part in parts):
        return False
    top = parts[0]
    if len(parts) == 1:
        return top in (CONFIG_FILE, RECORD_FILE, CONTENT_DIR, LAYOUTS_DIR)
    if top == CONTENT_DIR:
        return is_directory or not is_readme(parts[-1])
    return top == LAYOUTS_DIR


class _Handler(FileSystemEventHandler):
    def __init__(self, on_event: Callable[[FileSystemEvent], None]) -> None:
        super().__init__()
        self._on_event = on_event

    def on_any_event(self, event: FileSystemEvent) -> None:
        # Runs in the observer's thread: an exception here would end it.
        try:
            self._on_event(event)
        except Exception:
            logger.exception("watch: could not handle %s", event)


class Watcher:
    """Calls ``on_batch`` (in a worker thread, one call at a time) with the
    changes to the site in ``site_dir``. ``start`` raises ``OSError`` when the
    site cannot be watched (no such folder, inotify watch limit reached: use
    ``poll=True``)."""

    def __init__(
        self,
        site_dir: Path,
        on_batch: Callable[[ChangeBatch], None],
        *,
        debounce: float = 0.1,
        max_delay: float = 2.0,
        poll: bool = False,
        poll_interval: float = 1.0,
    ) -> None:
        self._root = site_dir.absolute()
        # Some observers (FSEvents) report resolved paths (/private/var/... for /var/...).
        self._roots = tuple(dict.fromkeys((self._root, self._root.resolve())))
        self._on_batch = on_batch
        self._debounce = debounce
        self._max_delay = max(max_delay, debounce)
        self._poll = poll
        self._poll_interval = poll_interval

        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._first = 0.0  # monotonic time of the first pending change
        self._last = 0.0  # monotonic time of the latest pending change
        self._started = False
        self._stopping = False

        self._handler = _Handler(self._on_event)
        self._root_handler = _Handler(self._on_root_event)
        self._observer: BaseObserver | None = None
        # name in WATCHED_DIRS -> its recursive watch. Changed only by start() and by
        # the observer's thread (root events), and both go through idempotent steps.
        self._dir_watches: dict[str, ObservedWatch] = {}
        self._worker = threading.Thread(target=self._run, name="digest-watch", daemon=True)

    @property
    def site_dir(self) -> Path:
        return self._root

    def start(self) -> None:
        with self._cond:
            if self._started or self._stopping:
                raise RuntimeError("a watcher can be started only once")
            self._started = True
        observer = PollingObserver(timeout=self._poll_interval) if self._poll else Observer()
        self._observer = observer
        try:
            observer.schedule(self._root_handler, str(self._root), event_filter=_EVENT_FILTER)
            observer.start()
            # After the root watch is live, so a folder created meanwhile is not missed.
            for name in WATCHED_DIRS:
                if name not in self._dir_watches and (self._root / name).is_dir():
                    self._watch_dir(name)
        except BaseException:
            self.stop()
            raise
        self._worker.start()

    def stop(self) -> None:
        """Stop watching and join the threads. Pending changes are dropped. A
        running ``on_batch`` is not interrupted: this waits for it to return
        (unless called from ``on_batch`` itself). Safe to call more than once."""
        with self._cond:
            first = not self._stopping
            self._stopping = True
            self._cond.notify_all()
        if first:
            self._stop_observer()
        if self._observer is not None and self._observer.ident is not None:
            self._observer.join()
        if self._worker.is_alive() and threading.current_thread() is not self._worker:
            self._worker.join()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- events (observer thread) -------------------------------------------------

    def _stop_observer(self) -> None:
        observer = self._observer
        if observer is not None:
            # Also when it never started: that releases what its constructor opened.
            observer.stop()

    def _relative(self, raw: bytes | str) -> str | None:
        if not raw:
            return None
        path = Path(os.fsdecode(raw))
        for root in self._roots:
            if path.is_relative_to(root):
                rel = path.relative_to(root).as_posix()
                return None if rel == "." else rel
        return None

    def _changed(self, event: FileSystemEvent) -> list[str]:
        """The relevant site-relative paths an event is about (none for most)."""
        kinds = _DIR_EVENTS if event.is_directory else _FILE_EVENTS
        if event.event_type not in kinds:
            return []  # a folder's "modified" alone, or opened/closed
        src = self._relative(event.src_path)
        dest = self._relative(event.dest_path) if event.event_type == EVENT_TYPE_MOVED else None
        return [
            rel
            for rel in (src, dest)
            if rel is not None and is_relevant(rel, is_directory=event.is_directory)
        ]

    def _on_event(self, event: FileSystemEvent) -> None:
        """An event from the watch on content/ or layouts/."""
        self._add(self._changed(event))

    def _on_root_event(self, event: FileSystemEvent) -> None:
        """An event from the site folder itself: site.yaml, or content/ or layouts/
        created, deleted or moved (then their recursive watch is replaced). Only
        these events manage watches: the old watch's own "deleted" event can come
        after the new folder's "created" one."""
        changed = self._changed(event)
        if event.is_directory and changed:
            src = self._relative(event.src_path)
            if event.event_type == EVENT_TYPE_CREATED:
                new = src
            else:
                new = (
                    self._relative(event.dest_path)
                    if event.event_type == EVENT_TYPE_MOVED
                    else None
                )
                if src in WATCHED_DIRS:
                    self._unwatch_dir(src)  # deleted or moved away
            if new in WATCHED_DIRS and not self._stopping:
                # (Read under the observer's lock, which its stop() takes to unschedule all.)
                self._unwatch_dir(new)  # a watch on a deleted folder is dead
                self._watch_dir(new)
                # Files written before the new watch was in place would be missed.
                changed += self._scan(new)
        self._add(changed)

    def _watch_dir(self, name: str) -> None:
        assert self._observer is not None
        # Gone again (FileNotFoundError): the root watch will see it come back.
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            self._dir_watches[name] = self._observer.schedule(
                self._handler, str(self._root / name), recursive=True, event_filter=_EVENT_FILTER
            )

    def _unwatch_dir(self, name: str) -> None:
        watch = self._dir_watches.pop(name, None)
        if watch is not None and self._observer is not None:
            try:
                self._observer.unschedule(watch)
            except KeyError:
                pass  # already unscheduled
            except OSError:
                logger.debug("watch: could not remove the watch on %s", name, exc_info=True)

    def _scan(self, name: str) -> list[str]:
        """Every relevant folder and file in ``name``, as if just created."""
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self._root / name):
            dirnames[:] = [d for d in dirnames if not is_ignored(d)]
            base = Path(dirpath).relative_to(self._root).as_posix()
            found += [f"{base}/{d}" for d in dirnames]
            found += [f"{base}/{f}" for f in filenames if is_relevant(f"{base}/{f}")]
        return found

    def _add(self, paths: list[str]) -> None:
        if not paths:
            return
        with self._cond:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._last = now
            self._pending.update(paths)
            self._cond.notify_all()

    # -- batches (worker thread) --------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping:
                    if self._pending:
                        now = time.monotonic()
                        due = min(self._last + self._debounce, self._first + self._max_delay)
                        if now >= due:
                            break
                        self._cond.wait(due - now)
                    else:
                        self._cond.wait()
                if self._stopping:
                    return
                batch = ChangeBatch(frozenset(self._pending))
                self._pending.clear()
            try:
                self._on_batch(batch)
            except Exception:
                logger.exception("watch: on_batch failed (%d changed paths)", len(batch.paths))
