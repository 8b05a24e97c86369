"""``digest serve``: build, serve, watch, rebuild what changed, reload browsers.

One build function for everything (``build.run``): the first build is a full
one; after that every batch of changes from the watcher runs an incremental
build with the cache kept in memory, so only the outputs whose inputs changed
are rendered and written. File requests wait while a build runs. A build with
errors writes nothing: the last good site keeps being served, and the errors
are shown in the terminal and in an overlay on every open page.
"""

from __future__ import annotations

import errno
import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator import build
from generator.diagnostics import Diagnostic
from generator.parallel import default_jobs
from generator.serve import EVERYTHING, PreviewServer, diagnostics_to_errors
from generator.watch import ChangeBatch, Watcher
from generator.write import OutputError

logger = logging.getLogger(__name__)
PORT_ATTEMPTS = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviewOptions:
    site_dir: Path
    output_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    drafts: bool = False
    poll: bool = False  # polling watcher, for network and container mounts
    debounce: float = 0.02  # quiet period that closes a batch of changes (an editor save: < 5 ms)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rebuild:
    """What one rebuild did, for the terminal and for tests and benchmarks."""

    result: build.BuildResult
    batch: ChangeBatch | None
    seconds: float


class Preview:
    """Owns the server, the watcher and the build cache. ``start`` builds and
    serves; ``stop`` shuts everything down. ``report`` receives each rebuild."""

    def __init__(
        self,
        options: PreviewOptions,
        report: Callable[[Rebuild], None] = lambda _: None,
    ) -> None:
        self.options = options
        self._report = report
        self._cache = build.BuildCache()
        self._lock = threading.Lock()  # one build at a time
        self._had_errors = False
        self.server: PreviewServer | None = None
        self._watcher: Watcher | None = None

    def start(self) -> Rebuild:
        """First build, then the server (trying the next ports if the port is
        taken), then the watcher. Raises ``OutputError`` or ``OSError``."""
        first = self._build(None)
        config = first.result.config
        base_path = config.base_path if config is not None else "/"
        self.server = self._bind(base_path)
        if not first.result.ok:
            self.server.set_errors(diagnostics_to_errors(first.result.diagnostics))
        self._had_errors = not first.result.ok
        self._watcher = Watcher(
            self.options.site_dir,
            self._on_batch,
            debounce=self.options.debounce,
            poll=self.options.poll,
        )
        self._watcher.start()
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
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        if self.server is not None:
            self.server.stop()
            self.server = None

    def _on_batch(self, batch: ChangeBatch) -> None:
        self.rebuild(batch)

    def rebuild(self, batch: ChangeBatch | None = None) -> Rebuild:
        """Build what changed and tell the browsers. Called by the watcher."""
        rebuild = self._build(batch)
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
        if result.replaced is not None:  # the browsers are told: now clean up
            shutil.rmtree(result.replaced, ignore_errors=True)
        return rebuild

    def _build(self, batch: ChangeBatch | None) -> Rebuild:
        started = time.perf_counter()
        options = build.BuildOptions(
            site_dir=self.options.site_dir,
            output_dir=self.options.output_dir,
            drafts=self.options.drafts,
            incremental=True,
            changed=batch.paths if batch is not None else None,
            # Forked workers for the first build, and for rebuilds that parse
            # or render many files (a layout every page uses): a small change
            # is built in this process. A worker only parses or renders, writes
            # files and leaves with os._exit: it never takes a lock that the
            # server's or the watcher's threads could have held when it forked.
            jobs=default_jobs(),
            keep_replaced=True,
        )
        with self._lock:
            try:
                if self.server is not None:
                    with self.server.building():
                        result = build.run(options, cache=self._cache)
                else:
                    result = build.run(options, cache=self._cache)
            except OutputError:
                raise
            except OSError as exc:  # a file vanished mid-build: report, keep serving
                result = build.BuildResult(
                    diagnostics=[Diagnostic(path=str(exc.filename or "?"), message=str(exc))]
                )
            except Exception as exc:  # never let a bug kill the preview
                logger.exception("the build failed")
                result = build.BuildResult(
                    diagnostics=[Diagnostic(path="digest", message=f"internal error: {exc}")]
                )
        rebuild = Rebuild(result=result, batch=batch, seconds=time.perf_counter() - started)
        self._report(rebuild)
        return rebuild
