"""Work spread over processes: parsing articles and rendering pages.

On POSIX the workers are forked, so they inherit the build's data (the plan,
the Jinja environment) without pickling it; only small results travel back.
Where fork is not available, or the work is small, it runs in this process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from generator.bodies import BodyStore
from generator.config import SiteConfig
from generator.diagnostics import Diagnostic, error
from generator.load import SourceFile
from generator.markdown import MarkdownRenderer
from generator.parse import ParsedArticle, parse_article

T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS_PER_WORKER = 100  # below this, forking costs more than it saves


def default_jobs() -> int:
    return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def run_split(items: Sequence[T], work: Callable[[Sequence[T]], R], jobs: int) -> list[R]:
    """``work`` over ``jobs`` interleaved slices of ``items``: the first slice
    in this process, the others in forked children whose results come back
    pickled. The results are in slice order, whatever order they finish in."""
    jobs = max(1, min(jobs, len(items) // MIN_ITEMS_PER_WORKER))
    if jobs == 1 or not can_fork():
        return [work(items)]
    slices = [items[i::jobs] for i in range(jobs)]
    ctx = multiprocessing.get_context("fork")
    children = []
    for part in slices[1:]:
        reader, writer = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_child, args=(work, part, writer), daemon=True)
        process.start()
        writer.close()
        children.append((process, reader))
    try:
        results = [work(slices[0])]
        for process, reader in children:
            try:
                ok, payload = pickle.loads(reader.recv_bytes())
            except EOFError:
                ok, payload = False, "a worker process died"
            process.join()
            if not ok:
                if isinstance(payload, Exception):
                    raise payload  # as the worker raised it
                raise RuntimeError(f"parallel work failed: {payload}")
            results.append(payload)
    except BaseException:  # Ctrl-C or a failure: no worker outlives the build
        for process, _ in children:
            if process.is_alive():
                process.terminate()
            process.join()
        raise
    finally:
        for _, reader in children:
            reader.close()
    return results


def _child(work: Callable[[Sequence[T]], R], part: Sequence[T], writer: object) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        payload: object = (True, work(part))
    except BaseException as exc:  # report, never hang the parent
        payload = (False, f"{type(exc).__name__}: {exc}")
        if isinstance(exc, Exception):
            with contextlib.suppress(Exception):
                pickle.loads(pickle.dumps(exc))  # the exception itself, if it travels
                payload = (False, exc)
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    writer.send_bytes(data)  # type: ignore[attr-defined]
    writer.close()  # type: ignore[attr-defined]
    os._exit(0)  # skip atexit handlers and buffers inherited from the parent


Parsed = tuple[str, ParsedArticle | None, list[Diagnostic]]  # digest, article, problems


def parse_many(
    config: SiteConfig,
    sources: Sequence[SourceFile],
    drafts: bool,
    site_dir: Path,
    jobs: int,
    store: BodyStore,
) -> dict[str, Parsed]:
    """Read and parse ``sources``; a file that cannot be read is a diagnostic.
    Bodies go into ``store`` (each worker's into a pack of its own)."""

    def work(part: Sequence[SourceFile]) -> dict[str, Parsed]:
        unread = [site_dir / s.rel for s in part if s.data is None]
        ahead = None
        if len(unread) >= READ_AHEAD_MIN and hasattr(os, "posix_fadvise"):
            # Started after any fork, and joined before returning.
            ahead = threading.Thread(target=_read_ahead, args=(unread,), daemon=True)
            ahead.start()
        try:
            parsed = parse_part(part)
            store.flush()  # before the references leave this process
            return parsed
        finally:
            if ahead is not None:
                ahead.join()

    def parse_part(part: Sequence[SourceFile]) -> dict[str, Parsed]:
        renderer = MarkdownRenderer(
            html=config.markdown_html, highlight=config.highlight, store=store
        )
        tz = config.tz
        out: dict[str, Parsed] = {}
        for source in part:
            if source.data is None:
                try:
                    data = (site_dir / source.rel).read_bytes()
                except OSError as exc:
                    out[source.rel] = (
                        "",
                        None,
                        [error(source.rel, f"cannot read it: {exc.strerror}")],
                    )
                    continue
                source = SourceFile(rel=source.rel, data=data, stat=source.stat)
            article, diags = parse_article(source, renderer, tz, include_drafts=drafts)
            out[source.rel] = (source.digest, article, diags)
        return out

    merged: dict[str, Parsed] = {}
    for result in run_split(sources, work, jobs):
        merged.update(result)
    return merged


READ_AHEAD_MIN = 64  # files: below this, reading them one by one is as quick


def _read_ahead(paths: Sequence[Path]) -> None:
    """Ask the kernel to start reading every file now (POSIX_FADV_WILLNEED).
    With a cold page cache, the disk then serves many reads at once instead
    of one at a time as the parser reaches each file."""
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue  # the parser reports it
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)
