"""Stage 6, write: the output folder, replaced as a whole or not at all.

A build that changes many outputs writes them into a staging folder beside
``output/`` (same file system), hard-links the unchanged files into it (same
bytes, same modification time), and swaps it in only when everything was
written. A build that changes a few outputs writes the changed files into
a folder beside ``output/`` too, and only when all are written renames them
into place (``InPlace``). A file whose bytes did not change is never
rewritten. Hidden entries at the top of an existing output folder (``.git``
of a gh-pages checkout, ``.well-known``) are carried over.

Either way a journal beside the output folder says what is under way: killed
before the journal is written, the output folder is untouched and the next
build removes the folder it left; killed after, the next build finishes the
job. One build at a time writes into a folder (``output_lock``); a build
that finds another at work waits for it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: builds are not serialized
    fcntl = None  # type: ignore[assignment]

LOCK_WAIT = 600.0  # seconds a build waits for another one writing the same folder


class OutputError(Exception):
    """The output folder cannot be used (a usage error, not a content error)."""


# What a site folder holds besides its output: never an output folder.
_SITE_PARTS = {
    "content": "the site's articles (content/)",
    "layouts": "the site's layouts (layouts/)",
    "site.yaml": "the site's settings file",
    ".digest": "Digest's record of the last build (.digest/)",
}


def check_output_dir(output: Path, site_dir: Path) -> None:
    """Refuse output folders whose replacement would destroy the user's
    files: the site, any part of it, or a file. Touches nothing."""
    out = output.resolve()
    site = site_dir.resolve()
    if out == site or site.is_relative_to(out):
        raise OutputError(f"the output folder {output} contains the site itself; choose another")
    for name, what in _SITE_PARTS.items():
        if out.is_relative_to(site / name):
            where = "is" if out == site / name else "is inside"
            raise OutputError(f"the output folder {output} {where} {what}; choose another")
    existing = next(p for p in (out, *out.parents) if p.exists())
    if not existing.is_dir():
        where = "is a file" if existing == out else f"is inside a file ({existing})"
        raise OutputError(f"the output folder {output} {where}; choose a folder")
    if out.is_dir():
        entries = [e for e in os.listdir(out) if not e.startswith(".")]
        if entries and not (out / "index.html").exists():
            raise OutputError(
                f"{output} is not empty and does not look like a site Digest built "
                "(no index.html); choose an empty or new folder"
            )


class Staging:
    """A folder to write a whole site into, then ``commit`` in place of the output.

    It is a new folder, or a ``spare``: an output folder an earlier build
    replaced, which the caller kept (the preview). A spare's files are
    overwritten where they are and the ones not planned deleted
    (``prune``), which on this machine's file system costs a fraction of
    new folders and files: a page's folder and file made anew 440 us, an
    existing file overwritten 17 us, one left to delete later 290 us more.
    A spare's file may be the very file (a hard link, see ``keep``) of the
    output being served: such a file is replaced by a new one, never
    written through."""

    def __init__(self, output: Path, spare: Path | None = None) -> None:
        self.output = output
        output.parent.mkdir(parents=True, exist_ok=True)
        self.root = output.parent / f".digest-staging-{output.name}-{uuid.uuid4().hex[:8]}"
        self.recycled = False
        if spare is not None:
            try:
                os.rename(spare, self.root)
                self.recycled = True
            except OSError:  # gone, or not ours to move: a new folder
                pass
        if not self.recycled:
            self.root.mkdir()
        self._folder = NewFolder(self.root)

    def prune(self, planned: Iterable[str]) -> None:
        """In a recycled folder: delete every file and folder that is not a
        ``planned`` output or a folder of one, every symbolic link, and the
        hidden entries at the top (``commit`` carries the output's over)."""
        if not self.recycled:
            return
        files = set(planned)
        folders = {rel.rsplit("/", 1)[0] for rel in files if "/" in rel}
        for folder in list(folders):
            while "/" in folder:
                folder = folder.rsplit("/", 1)[0]
                if folder in folders:
                    break
                folders.add(folder)
        stack = [("", str(self.root))]
        while stack:
            rel, path = stack.pop()
            with os.scandir(path) as entries:
                found = list(entries)
            for entry in found:
                name = f"{rel}{entry.name}"
                hidden = not rel and name.startswith(".")
                if entry.is_dir(follow_symlinks=False):
                    if name in folders and not hidden:
                        stack.append((f"{name}/", entry.path))
                    else:
                        shutil.rmtree(entry.path)
                elif name not in files or hidden or entry.is_symlink():
                    os.unlink(entry.path)

    def _target(self, rel: str) -> str:
        return self._folder.path(rel)

    def write(self, rel: str, data: bytes) -> tuple[int, int]:
        """Write ``rel``; the (mtime_ns, size) of the file as written."""
        return self._folder.write(rel, data)

    def copy(self, rel: str, source: Path) -> None:
        target = self._target(rel)
        if self.recycled:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)  # never through a link to the output's file
        shutil.copyfile(source, target)

    def keep(self, rel: str) -> bool:
        """Carry the current output's file over unchanged (a hard link: same
        bytes, same mtime, no copy). False when that cannot be done."""
        old, target = self.output / rel, self._target(rel)
        try:
            os.link(old, target)
        except FileExistsError:  # a recycled folder's: that very file already?
            try:
                if os.path.samefile(old, target):
                    return True
                os.unlink(target)
                os.link(old, target)
            except OSError:
                return False
        except OSError:
            return False
        return True

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def commit(self, *, keep_old: bool = False) -> Path | None:
        """Swap the staging folder in as the output folder. The old output is
        deleted, or with ``keep_old`` moved aside and returned, for the caller
        to delete when it suits (deleting 10,000 files takes seconds)."""
        out = self.output
        old = out.parent / f".digest-old-{out.name}-{uuid.uuid4().hex[:8]}"
        journal = _Journal(out)
        journal.write({"state": "swap", "staging": self.root.name, "old": old.name})
        try:
            _swap(out, self.root, old)
        except OSError:
            if not out.exists() and old.exists():
                os.replace(old, out)  # put the last good site back
            journal.remove()
            raise
        journal.remove()
        if not old.exists():
            return None
        if keep_old:
            return old
        shutil.rmtree(old, ignore_errors=True)
        return None


def _swap(out: Path, staging: Path, old: Path) -> None:
    """Staging in as the output, the output aside as ``old`` (with its hidden
    entries carried over); each step may have been done already (a build
    finishing a killed one's swap)."""
    if staging.exists():
        if out.exists():
            os.replace(out, old)
        os.replace(staging, out)
    if old.exists():
        for entry in sorted(os.listdir(old)):
            if entry.startswith(".") and not (out / entry).exists():
                os.replace(old / entry, out / entry)


class InPlace:
    """A few outputs replaced as one: each changed file is written into a
    folder beside the output, and ``commit`` renames them all into place and
    deletes the outputs no longer planned. Until then the output folder is
    untouched."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.root = output.parent / f".digest-staging-{output.name}-{uuid.uuid4().hex[:8]}"
        self._moves: list[tuple[str, str]] = []  # (file in ``root``, output)
        self._inside = _Inside(output)

    def put(self, rel: str, data: bytes) -> bool:
        """Stage one output's bytes; whether they differ from the file's."""
        target = self._inside.path(rel)
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                return False
        except OSError:
            pass
        if not self._moves:
            self.root.mkdir(parents=True)
        name = str(len(self._moves))
        (self.root / name).write_bytes(data)
        self._moves.append((name, rel))
        return True

    def commit(self, removed: list[str]) -> None:
        journal = _Journal(self.output)
        if self._moves or removed:
            journal.write(
                {
                    "state": "commit",
                    "staging": self.root.name,
                    "moves": self._moves,
                    "removes": removed,
                }
            )
        _finish(self.output, self.root, self._moves, removed, self._inside)
        journal.remove()

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _finish(
    output: Path,
    staged: Path,
    moves: list[tuple[str, str]],
    removed: list[str],
    inside: _Inside | None = None,
) -> None:
    inside = inside or _Inside(output)
    for name, rel in moves:
        target = inside.path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):  # moved already
            os.replace(staged / name, target)
    remove_files(output, removed, inside)
    shutil.rmtree(staged, ignore_errors=True)


class _Journal:
    """What a build is doing to an output folder, in a file beside it."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.path = output.parent / f".digest-journal-{output.name}.json"
        self.tmp = self.path.with_name(self.path.name + ".tmp")  # written, then renamed

    def write(self, entry: dict[str, object]) -> None:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.tmp.write_text(json.dumps(entry), encoding="utf-8")
        os.replace(self.tmp, self.path)

    def read(self) -> dict[str, object] | None:
        try:
            entry = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return entry if isinstance(entry, dict) else None

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def recover(output: Path, old_folders: bool = True) -> None:
    """Finish or undo what a killed build left (see the module's docstring),
    and delete the staging and old folders killed builds left beside
    ``output`` (the old ones only with ``old_folders``: the preview deletes
    those of its builds itself, in the background). Call it holding
    ``output_lock``."""
    journal = _Journal(output)
    entry = journal.read()
    parent, name = output.parent, output.name
    if entry is not None:
        state = entry.get("state")
        if state == "swap":
            staging, old = str(entry["staging"]), str(entry["old"])
            _swap(output, parent / staging, parent / old)
        elif state == "commit":
            moves = [(str(t), str(r)) for t, r in entry["moves"]]  # type: ignore[attr-defined]
            removes = [str(r) for r in entry["removes"]]  # type: ignore[attr-defined]
            _finish(output, parent / str(entry["staging"]), moves, removes)
        journal.remove()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(journal.tmp)
    if parent.is_dir():
        for entry_name in os.listdir(parent):
            replaced = entry_name.startswith(f".digest-old-{name}-")
            if entry_name.startswith(f".digest-staging-{name}-") or (replaced and old_folders):
                shutil.rmtree(parent / entry_name, ignore_errors=True)


@contextlib.contextmanager
def output_lock(output: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the output folder for one build: another build into it waits
    (``waiting`` is called once, to say so), for up to ``LOCK_WAIT`` seconds."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    path = output.parent / f".digest-lock-{output.name}"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            deadline = time.monotonic() + LOCK_WAIT
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise OutputError(
                            f"another build has been writing into {output} for "
                            f"{LOCK_WAIT:.0f} s; stop it, or try again"
                        ) from None
                    time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


# A file opened to be written over where it is (no truncation yet: that
# frees its blocks, and most pages keep their size), never through a link.
_OVERWRITE = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class NewFolder:
    """Files written into a folder that is new and ours, or recycled and
    pruned (a staging folder, which render workers write into too): no
    symlinks in it to follow (``prune`` deletes them), so
    checking a path's text is enough (and 10x cheaper than resolving); each
    folder is made once, with one system call (its parent first), and paths
    are strings, not ``Path`` objects (a fifth of the cost of writing a
    page's file). A folder inside one this made is made at once; inside one
    that was there, it is most likely there too (a recycled folder): it is
    looked at first, one system call instead of a failed ``mkdir`` and a
    look."""

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self._made = {self.root}
        self._new: set[str] = set()  # the folders this made

    def path(self, rel: str) -> str:
        """Where ``rel`` goes, its folder made."""
        path = f"{self.root}/{checked(rel)}"
        self._make(os.path.dirname(path))
        return path

    def write(self, rel: str, data: bytes) -> tuple[int, int]:
        """Write ``rel``; the (mtime_ns, size) of the file as written. A file
        already there (a recycled staging folder's, see ``Staging``) is
        overwritten where it is, unless it has another link (the served
        output's file): then it is replaced by a new file."""
        path = self.path(rel)
        fd = os.open(path, _OVERWRITE, 0o666)
        try:
            st = os.fstat(fd)
            if st.st_nlink > 1 or not stat.S_ISREG(st.st_mode):
                os.close(fd)
                fd = -1
                os.unlink(path)
                fd = os.open(path, _OVERWRITE | os.O_EXCL, 0o666)
                st = os.fstat(fd)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if st.st_size > len(data):
                os.ftruncate(fd, len(data))
        finally:
            if fd >= 0:
                os.close(fd)
        st = os.stat(path)  # after closing: a network file system may set the time then
        return st.st_mtime_ns, st.st_size

    def _make(self, folder: str) -> None:
        if folder in self._made:
            return
        parent = os.path.dirname(folder)
        if parent not in self._made:
            self._make(parent)
        if parent not in self._new and os.path.isdir(folder):
            self._made.add(folder)
            return
        try:
            os.mkdir(folder)
            self._new.add(folder)
        except FileExistsError:  # made by another worker (or a file: fail as pathlib would)
            if not os.path.isdir(folder):
                raise
        self._made.add(folder)


def checked(rel: str) -> str:
    """``rel``, an output-relative path, if it stays inside the output folder."""
    parts = rel.split("/")
    if (
        not rel
        or rel.startswith("/")
        or "\x00" in rel
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise OutputError(f"refusing to write {rel!r} outside the output folder")
    return rel


class _Inside:
    """Paths in an existing output folder for writing in place: resolved, so
    that a symlink planted in it cannot lead a write outside it.

    Only a path with a symlink on it is resolved by ``Path.resolve`` (a
    system call and a few Python objects per part, 87 us a page); each of
    the others' folders is looked at once (``lstat``), however many files
    are written in it, so a page costs about one system call."""

    def __init__(self, root: Path) -> None:
        self.given = root
        self.root = root.resolve()
        self._plain: set[str] = set()  # folders found real, not symlinks

    def path(self, rel: str) -> Path:
        rel = checked(rel)
        parts = rel.split("/")
        prefix = ""
        for i, part in enumerate(parts):
            prefix = f"{prefix}/{part}" if prefix else part
            last = i == len(parts) - 1
            if not last and prefix in self._plain:
                continue
            try:
                st = os.lstat(self.root / prefix)
            except FileNotFoundError:
                break  # nothing below it either: made, not followed, by the write
            if stat.S_ISLNK(st.st_mode):
                return self._resolved(rel)
            if last or not stat.S_ISDIR(st.st_mode):
                break
            self._plain.add(prefix)
        return self.root / rel

    def _resolved(self, rel: str) -> Path:
        target = (self.given / rel).resolve()
        if not target.is_relative_to(self.root) or target == self.root:
            raise OutputError(f"refusing to write {rel!r} outside the output folder")
        return target


def remove_files(output: Path, rels: list[str], inside: _Inside | None = None) -> None:
    """Delete outputs nothing produces any more, then the folders they leave empty."""
    inside = inside or _Inside(output)
    root = inside.root
    folders: set[Path] = set()
    for rel in rels:
        target = inside.path(rel)
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        folders.add(target.parent)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        while folder != root and folder.is_relative_to(root):
            try:
                folder.rmdir()  # only when empty
            except OSError:
                break
            folder = folder.parent
