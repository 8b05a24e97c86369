"""Tasks on a Dask cluster, for a newsroom that outgrows one machine.

``digest build --scheduler tcp://HOST:8786`` sends the parse and render
tasks to an existing cluster (``dask scheduler`` and ``dask worker`` running
where you like). The workers need Digest installed (``pip install
'digest[dask]'``, the same version) and the site folder, and the folder the
output is written beside, at the same path as this machine sees them: a
shared folder. This process keeps the state, plans, and swaps the output in.
"""

from __future__ import annotations

import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

from generator.execute import ExecutorUnavailable

T = TypeVar("T")
R = TypeVar("R")


class DaskUnavailable(ExecutorUnavailable):
    """No Dask here, or no scheduler at the address."""


class DaskCluster:
    lasting = False  # a build's own client (the preview takes no scheduler)

    def __init__(self, address: str, timeout: float = 30.0) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise DaskUnavailable("--scheduler needs Dask: pip install 'digest[dask]'") from exc
        _reachable(address)
        try:
            self._client: Any = Client(address, timeout=timeout, set_as_default=False)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise DaskUnavailable(f"no Dask scheduler answers at {address}: {exc}") from exc
        workers = self._client.scheduler_info().get("workers", {})
        self.workers = max(1, sum(w.get("nthreads", 1) for w in workers.values()))

    def share(self, value: object, name: str = "") -> object:
        """Sent to every worker once; a task gets the value in its place.
        (In a list: Dask scatters a dict's values one by one, and a task
        would then carry a future per teaser: 10,000 articles, 10,000
        dependencies a task, five times the build's time.)"""
        [future] = self._client.scatter([value], broadcast=True, hash=False)
        return future

    def map(self, fn: Callable[..., R], tasks: Iterable[T], *shared: object) -> Iterator[R]:
        """Tasks go to the cluster a few at a time beyond what the workers
        hold, so this process never has a stage's data all at once."""
        rest = iter(tasks)
        window: deque[Any] = deque()
        try:
            for task in rest:
                window.append(self._client.submit(fn, task, *shared, pure=False))
                if len(window) >= 2 * self.workers:
                    break
            while window:
                result = window.popleft().result()
                for task in rest:
                    window.append(self._client.submit(fn, task, *shared, pure=False))
                    break
                yield result
        finally:
            for future in window:
                future.cancel()

    def release(self) -> None:
        pass  # a scattered value is freed with the last future that names it

    def close(self) -> None:
        self._client.close()


def _reachable(address: str) -> None:
    """Fail at once when nothing listens at a TCP address (the client would
    keep trying until its time-out)."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in ("tcp", "tls") or parts.hostname is None:
        return
    try:
        socket.create_connection((parts.hostname, parts.port or 8786), timeout=5).close()
    except OSError as exc:
        raise DaskUnavailable(f"no Dask scheduler answers at {address}: {exc}") from exc
