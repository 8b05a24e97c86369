"""Stage 6, write: the output folder, never half-written.

A build that changes many outputs writes them into a staging folder beside
``output/`` (same file system), hard-links the unchanged files into it (same
bytes, same modification time), and swaps it in only when everything was
written: a failed or interrupted build leaves the last good site exactly as
it was. A build that changes a few outputs renders them in memory first and
only then replaces them one by one, each atomically, leaving the others
untouched. A file whose bytes did not change is never rewritten. Hidden
entries at the top of an existing output folder (``.git`` of a gh-pages
checkout, ``.well-known``) are carried over into the new one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path


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
    """A folder to write a whole site into, then ``commit`` in place of the output."""

    def __init__(self, output: Path) -> None:
        self.output = output
        output.parent.mkdir(parents=True, exist_ok=True)
        self.root = output.parent / f".digest-staging-{output.name}-{uuid.uuid4().hex[:8]}"
        self.root.mkdir()
        self._dirs: set[Path] = {self.root}

    def _target(self, rel: str) -> Path:
        # The staging folder is new and ours: no symlinks in it to follow, so
        # checking the path's text is enough (and 10x cheaper than resolving).
        target = self.root / checked(rel)
        parent = target.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        return target

    def write(self, rel: str, data: bytes) -> None:
        self._target(rel).write_bytes(data)

    def copy(self, rel: str, source: Path) -> None:
        shutil.copyfile(source, self._target(rel))

    def keep(self, rel: str) -> bool:
        """Carry the current output's file over unchanged (a hard link: same
        bytes, same mtime, no copy). False when that cannot be done."""
        old = self.output / rel
        try:
            os.link(old, self._target(rel))
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
        if not out.exists():
            os.replace(self.root, out)
            return None
        old = out.parent / f".digest-old-{out.name}-{uuid.uuid4().hex[:8]}"
        os.replace(out, old)
        try:
            os.replace(self.root, out)
        except OSError:
            os.replace(old, out)  # put the last good site back
            raise
        for entry in sorted(os.listdir(old)):
            if entry.startswith(".") and not (out / entry).exists():
                os.replace(old / entry, out / entry)
        if keep_old:
            return old
        shutil.rmtree(old, ignore_errors=True)
        return None


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


def _inside(root: Path, rel: str) -> Path:
    """``root/rel`` for writing in place: resolved, so a symlink planted in an
    existing output folder cannot lead a write outside it."""
    target = (root / checked(rel)).resolve()
    if not target.is_relative_to(root.resolve()) or target == root.resolve():
        raise OutputError(f"refusing to write {rel!r} outside the output folder")
    return target


def replace_file(output: Path, rel: str, data: bytes) -> bool:
    """Write one output in place, atomically (temp file + ``os.replace``).
    A file whose bytes are unchanged is left alone, mtime included.
    Returns whether the file changed."""
    target = _inside(output, rel)
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.digest-tmp"
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return True


def replace_copy(output: Path, rel: str, source: Path) -> bool:
    return replace_file(output, rel, source.read_bytes())


def remove_files(output: Path, rels: list[str]) -> None:
    """Delete outputs nothing produces any more, then the folders they leave empty."""
    root = output.resolve()
    folders: set[Path] = set()
    for rel in rels:
        target = _inside(output, rel)
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
