"""Tasks on a Dask cluster, for a newsroom that outgrows one machine.

``digest build --scheduler tcp://HOST:8786`` sends the parse and render
tasks to an existing cluster (``dask scheduler`` and ``dask worker`` running
where you like). The workers need Digest installed (``pip install
'digest[dask]'``, the same version) and the site folder, and the folder the
output is written beside, at the same path as this machine sees them: a
shared folder. This process keeps the state, plans, and swaps the output in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class DaskUnavailable(Exception):
    """No Dask here, or no scheduler at the address (a usage error)."""


class DaskCluster:
    def __init__(self, address: str, timeout: float = 30.0) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise DaskUnavailable("--scheduler needs Dask: pip install 'digest[dask]'") from exc
        try:
            self._client: Any = Client(address, timeout=timeout, set_as_default=False)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise DaskUnavailable(f"no Dask scheduler answers at {address}: {exc}") from exc
        workers = self._client.scheduler_info().get("workers", {})
        self.workers = max(1, sum(w.get("nthreads", 1) for w in workers.values()))

    def map(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        futures = self._client.map(fn, list(tasks), pure=False)
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        self._client.close()
