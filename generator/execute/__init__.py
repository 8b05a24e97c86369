"""Where the work runs: parsing and rendering, cut into tasks.

A task is plain data and a top-level function (``tasks.py``), so it runs the
same in this process (``Inline``), in a pool of local worker processes
(``Pool``, through ``concurrent.futures``), or on a Dask cluster
(``dask.py``). Workers are started fresh (``forkserver`` or ``spawn``, never
a fork of this process, which may be running threads), and nothing they do
depends on this process's memory. Results come back in task order, whatever
order they finish in, so the output never depends on the executor.

What every task of a stage needs (the teasers that list pages show) is
``share``d once: each worker receives it once, not once per task. A pool
that outlives a build (the preview's) sends its workers, the next time,
only the entries that changed (``SharedMapping``).
"""

from __future__ import annotations

import functools
import os
import pickle
import shutil
import tempfile
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

T = TypeVar("T")
R = TypeVar("R")


# The cycle collector's thresholds while a build runs, in this process and in
# local workers: a build makes millions of small objects that live until it
# ends, and Python's default (a collection every 700 allocations) walks them
# again and again (see pipeline.run).
BUILD_GC_THRESHOLD = (50_000, 20, 20)


class ExecutorUnavailable(Exception):
    """The workers asked for cannot be used: no Dask here, no scheduler at
    the address, workers running another version (a usage error)."""


def default_jobs() -> int:
    return os.cpu_count() or 1


class Executor(Protocol):
    """Runs tasks somewhere; ``workers`` says how many run at once;
    ``lasting``: the workers outlive the build, and what a build shares
    with them stays (the preview's pool), so that sharing what a build's
    tasks would carry each (the jobs, the articles) sends, the next time,
    only what changed."""

    workers: int
    lasting: bool

    def share(self, value: Mapping[str, object], name: str = "") -> object:
        """A handle to ``value`` for ``map``'s tasks: each worker receives the
        mapping once (``resolve`` gives it back). A lasting executor keeps
        one mapping of each ``name``, and sends what a share of that name
        adds or changes."""
        ...

    def map(self, fn: Callable[..., R], tasks: Iterable[T], *shared: object) -> Iterator[R]:
        """``fn(task, *shared)`` for every task, in task order. Tasks are
        taken from ``tasks`` as workers get free, so a stage's data need
        not be in memory all at once."""
        ...

    def release(self) -> None:
        """Forget what was shared for the build that ends; the workers stay
        (the preview keeps its pool from one rebuild to the next)."""
        ...

    def close(self) -> None: ...


class Inline:
    """In this process, one task after the other."""

    workers = 1
    lasting = False

    def share(self, value: Mapping[str, object], name: str = "") -> object:
        return value

    def map(self, fn: Callable[..., R], tasks: Iterable[T], *shared: object) -> Iterator[R]:
        return (fn(task, *shared) for task in tasks)

    def release(self) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass(frozen=True, slots=True)
class SharedMapping:
    """A mapping a pool's workers load, and keep from one build to the next:
    the files of a chain in a private temporary folder (never the build
    state), the first with every entry of the first share, each next one
    with the entries a later share added or changed. A worker reads only
    the files it has not read yet."""

    name: str  # what it holds (a pool keeps a chain of each name)
    chain: str  # the chain's own id (a folder's name may come again)
    files: tuple[str, ...]
    share: int  # which share of the pool made it (the same files may serve two)


class _WorkerCopy:
    """A worker's copy of the last chain of a name it read: which, how far,
    and what it makes. A pool's worker runs one task at a time."""

    def __init__(self) -> None:
        self.chain: str | None = None
        self.read = 0
        self.mapping: dict[str, object] = {}


_copies: dict[str, _WorkerCopy] = {}  # in a worker process, by name


def resolve(handle: object) -> Any:
    """The value a shared handle stands for (in a worker). A chain's mapping
    has every entry of the share that made the handle, and may hold keys an
    earlier share of the same pool sent that no task of this one names."""
    if not isinstance(handle, SharedMapping):
        return handle  # in this process, or resolved by Dask
    copy = _copies.get(handle.name)
    if copy is None:
        copy = _copies[handle.name] = _WorkerCopy()
    if copy.chain != handle.chain or copy.read > len(handle.files):
        copy.chain, copy.read, copy.mapping = handle.chain, 0, {}
    if copy.read < len(handle.files):
        mapping = dict(copy.mapping)  # a new one: a task may still hold the last
        for path in handle.files[copy.read :]:
            with open(path, "rb") as f:
                mapping.update(pickle.load(f))
        copy.mapping, copy.read = mapping, len(handle.files)
    return copy.mapping


class _Chain:
    """What a pool's workers can read of its shared mappings: the files so
    far, and the entries they make (``SharedMapping``)."""

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex
        self.folder = tempfile.mkdtemp(prefix="digest-shared-")
        self.files: list[str] = []
        self.known: dict[str, object] = {}
        self.sent = 0  # entries in the files after the first

    def worn(self, value: Mapping[str, object]) -> bool:
        """Start a new chain: most of what it holds is no longer shared, or a
        worker starting now would read more than twice what it needs."""
        return len(self.known) > 2 * len(value) + 1024 or self.sent > 2 * len(self.known)

    def add(self, value: Mapping[str, object], name: str, share: int) -> SharedMapping:
        known = self.known
        changed = {
            key: item
            for key, item in value.items()
            if (old := known.get(key, _ABSENT)) is not item and old != item
        }
        if changed or not self.files:
            path = os.path.join(self.folder, f"{len(self.files)}.pickle")
            with open(path, "wb") as f:
                pickle.dump(changed, f, protocol=pickle.HIGHEST_PROTOCOL)
            if self.files:
                self.sent += len(changed)
            self.files.append(path)
            known.update(changed)
        return SharedMapping(name, self.id, tuple(self.files), share)

    def delete(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


_ABSENT = object()  # a key a chain does not hold yet


class Pool:
    """Worker processes on this machine, started when first needed: this
    process and ``workers - 1`` others, so that ``--jobs 2`` keeps two
    cores busy, and the tasks this process runs itself travel nowhere."""

    def __init__(self, workers: int, *, lasting: bool = False) -> None:
        self.workers = workers
        self.lasting = lasting
        self._pool: ProcessPoolExecutor | None = None
        self._chains: dict[str, _Chain] = {}  # by name
        self._shares = 0
        self._values: dict[SharedMapping, object] = {}  # what this build shared

    def share(self, value: Mapping[str, object], name: str = "") -> object:
        """The preview's pool shares the site's teasers (and, lasting, the
        jobs and articles) build after build, a chain of files for each
        name: its workers are sent only the entries that changed since
        (10,000 articles, one of them new: all the teasers pickled in
        0.22-0.31 s, and read back in each worker, against one)."""
        chain = self._chains.get(name)
        if chain is None or chain.worn(value):
            if chain is not None:
                chain.delete()
            chain = self._chains[name] = _Chain()
        self._shares += 1
        handle = chain.add(value, name, self._shares)
        self._values[handle] = value
        return handle

    def map(self, fn: Callable[..., R], tasks: Iterable[T], *shared: object) -> Iterator[R]:
        """The workers always have the next tasks queued; this process runs
        a task itself only while it waits for the next result in order, so
        its own work (reading the results, the state) never leaves a
        worker idle."""
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor  # only for a big build

            self._pool = ProcessPoolExecutor(
                max_workers=max(1, self.workers - 1),
                mp_context=_start_method(),
                initializer=_worker_started,
            )
        pool = self._pool
        here = [self._values[h] if isinstance(h, SharedMapping) else h for h in shared]
        rest = iter(tasks)
        queued = 2 * (self.workers - 1)  # tasks waiting at the workers, or running there
        window: deque[_Slot[R]] = deque()  # every task taken, in task order
        most = 2 * queued + 2

        def take(remote: bool) -> bool:
            task = next(rest, _NO_TASK)
            if task is _NO_TASK:
                return False
            if remote:
                window.append(_Slot(future=pool.submit(fn, task, *shared)))
            else:
                window.append(_Slot(run=functools.partial(fn, task, *here)))
            return True

        def top_up() -> None:
            busy = sum(1 for slot in window if slot.future is not None and not slot.ready())
            while busy < queued and len(window) < most and take(remote=True):
                busy += 1

        try:
            top_up()
            while window or take(remote=False):
                head = window[0]
                while not head.ready():  # work here meanwhile
                    mine = next((s for s in window if s.run is not None and not s.ready()), None)
                    if mine is None and len(window) < most and take(remote=False):
                        mine = window[-1]
                    if mine is None:
                        break
                    mine.result()
                    top_up()
                window.popleft()
                result = head.result()
                top_up()
                yield result
        finally:
            for slot in window:
                if slot.future is not None:
                    slot.future.cancel()

    def release(self) -> None:
        self._values.clear()  # the chain stays for the next build's share

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self.release()
        for chain in self._chains.values():
            chain.delete()
        self._chains.clear()


class _Slot(Generic[R]):
    """A task's place in a pool's queue: run in this process, or a future."""

    __slots__ = ("_done", "_value", "future", "run")

    def __init__(self, *, run: Callable[[], R] | None = None, future: Future[R] | None = None):
        self.run, self.future = run, future
        self._done = False
        self._value: R | None = None

    def ready(self) -> bool:
        return self._done or (self.future is not None and self.future.done())

    def result(self) -> R:
        if not self._done:
            if self.run is not None:
                self._value = self.run()
            else:
                assert self.future is not None
                self._value = self.future.result()
            self._done = True
        return self._value  # type: ignore[return-value]


def _worker_started() -> None:
    """A local worker only runs tasks, whose objects are freed when each
    ends: collect cycles less often (as the build does, see pipeline.run)."""
    import gc

    gc.set_threshold(*BUILD_GC_THRESHOLD)


_NO_TASK = object()  # what ``next`` gives when the tasks have run out


def _start_method() -> Any:
    """A fresh interpreter per worker: forkserver (forks from a clean server
    process, safe in a threaded program, quick to start) where there is one."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def partition(items: Sequence[T], size: int, executor: Executor) -> list[tuple[T, ...]]:
    """``items`` cut into tasks of about ``size``: one, unless there is enough
    to keep more than one worker busy. Interleaved, so that every task gets
    its share of long and short items."""
    if executor.workers <= 1 or len(items) < 2 * size:
        return [tuple(items)] if items else []
    count = max(executor.workers, -(-len(items) // size))
    return [tuple(items[i::count]) for i in range(count)]


def make_executor(jobs: int, scheduler: str | None = None, *, lasting: bool = False) -> Executor:
    """``scheduler``: a Dask scheduler's address (``tcp://host:8786``);
    ``lasting``: the executor serves build after build (see ``Executor``)."""
    if scheduler is not None:
        from generator.execute.dask import DaskCluster

        return DaskCluster(scheduler)
    if jobs <= 1:
        return Inline()
    return Pool(jobs, lasting=lasting)
