"""``digest serve``: build, serve, watch, rebuild what changed, reload browsers.

The same build as ``digest build`` (``pipeline.run``), with the state kept in
memory instead of on disk, and the shortcuts a long-lived process can take
(``incremental.shortcuts.Memo``). The first build makes every output; after
that every batch of changes from the watcher (``watch.py``) runs a build
that renders and writes only the outputs whose signature changed, and tells
the browsers which (``server.py``). File requests wait while a build runs.
A build with errors writes nothing: the last good site keeps being served,
and the errors are shown in the terminal and in an overlay on every open page.

A rebuild first trusts the watcher's list of changed files, so an edit
reaches the browser without a look at every input; then it looks at
everything, so a change the watcher missed is built a moment later.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import functools
import gc
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator import pipeline
from generator.diagnostics import Diagnostic
from generator.execute import Executor, default_jobs, make_executor
from generator.incremental.records import OutputRecord
from generator.incremental.shortcuts import MEMO, SHORTCUTS, Memo
from generator.incremental.state import State
from generator.preview.alarm import Alarm
from generator.preview.reload import EVERYTHING, diagnostics_to_errors
from generator.preview.search import BackgroundIndex, Indexed
from generator.preview.server import PreviewServer
from generator.preview.watch import ChangeBatch, Watcher
from generator.write import OutputError, check_output_dir, output_lock, recover

logger = logging.getLogger(__name__)
PORT_ATTEMPTS = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviewOptions:
    site_dir: Path
    output_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    drafts: bool = False
    future: bool = False  # include the articles scheduled after the build time
    poll: bool = False  # polling watcher, for network and container mounts
    debounce: float = 0.02  # quiet period that closes a batch of changes (an editor save: < 5 ms)
    jobs: int = 0  # worker processes for big rebuilds; 0: the CPU count
    shortcuts: frozenset[str] = SHORTCUTS  # see pipeline.BuildOptions
    # The build time; None: SOURCE_DATE_EPOCH, else now (then the preview
    # rebuilds by itself when an article's time comes: see ``alarm``).
    clock: Callable[[], dt.datetime] | None = None
    in_place_limit: int = pipeline.IN_PLACE_LIMIT  # see BuildOptions


@dataclass(frozen=True, slots=True, kw_only=True)
class Rebuild:
    """What one rebuild did, for the terminal and for tests and benchmarks."""

    result: pipeline.BuildResult
    batch: ChangeBatch | None
    seconds: float


class Preview:
    """Owns the server, the watcher and the build state. ``start`` builds and
    serves; ``stop`` shuts everything down. ``report`` receives each rebuild,
    once the browsers were told."""

    def __init__(
        self,
        options: PreviewOptions,
        report: Callable[[Rebuild], None] = lambda _: None,
        indexed: Callable[[Indexed], None] = lambda _: None,
    ) -> None:
        self.options = options
        self._report = report
        self._state = State()
        self._memo = Memo()
        self._lock = threading.Lock()  # one build at a time
        # Worker processes for rebuilds that parse or render many files,
        # started when first needed and kept until ``stop``: a new article on
        # 10,000 would start one and load the templates again each time.
        self._executor: Executor | None = None
        self._had_errors = False
        self.server: PreviewServer | None = None
        self._watcher: Watcher | None = None
        self._alarm: Alarm | None = None
        # The search index, made after the builds (see preview/search.py).
        self._search = BackgroundIndex(self._lock, lambda: (self._state, self._memo), indexed)
        # The output folders rebuilds replaced, being deleted in the
        # background: a whole site's files take seconds to delete (10,000
        # articles: 2-4 s), which the next save's build need not wait for.
        self._deleting: list[threading.Thread] = []
        # The last one replaced, kept for the next build that writes a whole
        # site to write into (write.Staging: a layout edit on 10,000 articles
        # overwrites 14,000 files rather than makes and deletes them).
        self._spare: Path | None = None

    @property
    def outputs(self) -> Mapping[str, OutputRecord]:
        """The dependency map of the output being served: every output's
        signature and input keys."""
        return self._state.outputs

    def start(self) -> Rebuild:
        """First build, then the server (trying the next ports if the port is
        taken), then the watcher. Raises ``OutputError`` or ``OSError``."""
        out = self.options.output_dir
        check_output_dir(out, self.options.site_dir)
        with output_lock(out):  # what a killed preview left (its builds leave old folders)
            recover(out)
        first = self._build(None)
        self._memo.readers(self._state)  # index the dependency map now, not at the first edit
        # The first build's objects (the parse cache, the dependency map) live
        # as long as the preview: the cycle collector need not walk them at
        # every collection. On 10,000 articles, a full collection of them
        # paused a rebuild for about 200 ms. The collector still runs.
        gc.freeze()
        config = first.result.config
        base_path = config.base_path if config is not None else "/"
        self.server = self._bind(base_path)
        self._publish(first)
        self._watcher = Watcher(
            self.options.site_dir,
            self._on_batch,
            debounce=self.options.debounce,
            poll=self.options.poll,
        )
        self._watcher.start()
        if self.options.clock is None and pipeline.fixed_time() is None:  # time moves on
            self._alarm = Alarm(self._on_time)
            self._alarm.start()
            self._set_alarm(first)
        self._report(first)
        return first

    def _bind(self, base_path: str) -> PreviewServer:
        port = self.options.port
        for attempt in range(PORT_ATTEMPTS if port else 1):
            server = PreviewServer(
                self.options.output_dir,
                host=self.options.host,
                port=port + attempt if port else 0,
                base_path=base_path,
            )
            try:
                server.start()
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE or attempt == PORT_ATTEMPTS - 1:
                    raise
                continue
            return server
        raise OSError(errno.EADDRINUSE, "no free port")  # pragma: no cover

    def stop(self) -> None:
        if self._alarm is not None:
            self._alarm.stop()
            self._alarm = None
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        self._search.stop()
        if self.server is not None:
            self.server.stop()
            self.server = None
        with self._lock:
            self._close_executor()
            if self._spare is not None:
                self._delete_later(self._spare)
                self._spare = None
        for thread in self._deleting:  # leave nothing behind in the site folder
            thread.join()
        self._deleting = []

    def _close_executor(self) -> None:
        if self._executor is not None:
            self._executor.close()
            self._executor = None

    def search_settled(self, timeout: float) -> bool:
        """Wait until the search index is made for the last build (it is made
        after the build, in the background); False after ``timeout`` seconds."""
        return self._search.wait(timeout)

    def _on_batch(self, batch: ChangeBatch) -> None:
        self.rebuild(batch)

    def _on_time(self) -> None:
        """An article's time came (or another moment the site changes by
        itself): build, with no file changed."""
        self.rebuild()

    def _set_alarm(self, rebuild: Rebuild) -> None:
        """After a build that wrote the site: the next moment it changes by
        itself. (A failed build leaves the alarm as it was.)"""
        if self._alarm is not None and rebuild.result.ok:
            self._alarm.set(self._state.valid_until)

    def rebuild(self, batch: ChangeBatch | None = None) -> Rebuild:
        """Build what changed and tell the browsers (the watcher calls this).
        With a batch, the build trusts its list of changed files; a second
        look at every input then catches what the watcher did not report: an
        output it changes, or a problem it finds (or no longer finds), even
        when both builds failed and wrote nothing."""
        rebuild = self._build(batch)
        self._publish(rebuild)
        self._set_alarm(rebuild)
        if batch is not None and MEMO in self.options.shortcuts:
            check = self._build(None)
            if (
                check.result.changed
                or check.result.ok != rebuild.result.ok
                or check.result.diagnostics != rebuild.result.diagnostics
            ):
                self._publish(check)
                self._set_alarm(check)
                self._report(rebuild)
                rebuild = check
        self._report(rebuild)
        return rebuild

    def _publish(self, rebuild: Rebuild) -> None:
        """Tell the browsers what changed (or what is wrong), then delete the
        output folder a rebuild replaced."""
        server = self.server
        result = rebuild.result
        if server is not None:
            if result.ok:
                if result.replaced_all:
                    server.notify([EVERYTHING])
                elif result.changed:
                    server.notify(result.changed)
                if self._had_errors:
                    server.set_errors([])
            else:
                server.set_errors(diagnostics_to_errors(result.diagnostics))
        self._had_errors = not result.ok
        if result.replaced is not None:
            with self._lock:  # the next build's spare, or one too many
                if self._spare is None:
                    self._spare = result.replaced
                else:
                    self._delete_later(result.replaced)

    def _delete_later(self, folder: Path) -> None:
        """Delete a replaced output folder in the background (no build reads
        it: the browsers were told, the server serves the new one)."""
        self._deleting = [thread for thread in self._deleting if thread.is_alive()]
        thread = threading.Thread(
            target=shutil.rmtree,
            args=(folder,),
            kwargs={"ignore_errors": True},
            name="digest-delete",
            daemon=True,
        )
        thread.start()
        self._deleting.append(thread)

    def _build(self, batch: ChangeBatch | None) -> Rebuild:
        started = time.perf_counter()
        options = pipeline.BuildOptions(
            site_dir=self.options.site_dir,
            output_dir=self.options.output_dir,
            drafts=self.options.drafts,
            future=self.options.future,
            # Worker processes for the first build and for rebuilds that
            # parse or render many files (a layout every page uses); a small
            # change is built in this process.
            jobs=self.options.jobs or default_jobs(),
            shortcuts=self.options.shortcuts,
            keep_replaced=True,
            now=self.options.clock() if self.options.clock is not None else None,
            in_place_limit=self.options.in_place_limit,
            search_later=True,
        )
        hint: Iterable[str] | None = batch.paths if batch is not None else None
        with self._lock:
            options = dataclasses.replace(options, spare=self._spare)
            if self._executor is None:
                self._executor = make_executor(options.jobs, lasting=True)
            run = functools.partial(
                pipeline.run, state=self._state, memo=self._memo, hint=hint, executor=self._executor
            )
            try:
                if self.server is not None:
                    with self.server.building():
                        result = run(options)
                else:
                    result = run(options)
            except OutputError:
                raise
            except OSError as exc:  # a file vanished mid-build: report, keep serving
                self._memo = Memo()
                result = pipeline.BuildResult(
                    diagnostics=[Diagnostic(path=str(exc.filename or "?"), message=str(exc))]
                )
            except Exception as exc:  # never let a bug kill the preview
                logger.exception("the build failed")
                self._memo = Memo()  # what it knew may be half updated: start afresh
                self._close_executor()  # a worker may have died: new ones next time
                result = pipeline.BuildResult(
                    diagnostics=[Diagnostic(path="digest", message=f"internal error: {exc}")]
                )
            if self._spare is not None and not self._spare.exists():
                self._spare = None  # the build wrote the site into it (see _publish)
            if result.ok and result.search_pending is not None and result.site is not None:
                self._search.want(options, result.site, result.search_pending)
            else:
                self._search.cancel()
        return Rebuild(result=result, batch=batch, seconds=time.perf_counter() - started)
