"""Where the work runs: parsing and rendering, cut into tasks.

A task is plain data and a top-level function (``tasks.py``), so it runs the
same in this process (``Inline``), in a pool of local worker processes
(``Pool``, through ``concurrent.futures``), or on a Dask cluster
(``dask.py``). Workers are started fresh (``forkserver`` or ``spawn``, never
a fork of this process, which may be running threads), and nothing they do
depends on this process's memory. Results come back in task order, whatever
order they finish in, so the output never depends on the executor.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    return os.cpu_count() or 1


class Executor(Protocol):
    """Runs tasks somewhere; ``workers`` says how many run at once."""

    workers: int

    def map(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        """``fn(task)`` for every task, in task order."""
        ...

    def close(self) -> None: ...


class Inline:
    """In this process, one task after the other."""

    workers = 1

    def map(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        return (fn(task) for task in tasks)

    def close(self) -> None:
        pass


class Pool:
    """Worker processes on this machine, started when first needed."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        if len(tasks) <= 1:
            return (fn(task) for task in tasks)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_start_method())
        return self._pool.map(fn, tasks)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _start_method() -> multiprocessing.context.BaseContext:
    """A fresh interpreter per worker: forkserver (forks from a clean server
    process, safe in a threaded program, quick to start) where there is one."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def make_executor(jobs: int, scheduler: str | None = None) -> Executor:
    """``scheduler``: a Dask scheduler's address (``tcp://host:8786``)."""
    if scheduler is not None:
        from generator.execute.dask import DaskCluster

        return DaskCluster(scheduler)
    if jobs <= 1:
        return Inline()
    return Pool(jobs)
