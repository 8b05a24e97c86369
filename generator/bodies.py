"""Where rendered article bodies are kept between parsing and rendering.

A body's HTML is most of an article's weight (half a gigabyte for 100,000
articles) and a build needs each one twice at most: when its page is rendered
and when it is in a feed. So ``digest build`` keeps bodies on disk, in pack
files under ``.digest/`` beside the parse cache they belong to, and an
article carries a small ``BodyRef``: where its bytes are and their digest.
A forked worker that reads a body gets its own copy for a moment instead of
dirtying (and so copying) the parent's pages, and the parse cache pickles
references instead of bodies.

Packs are append-only: a reference, once written, stays valid as long as its
pack exists. Each process writes its own pack (forked parse workers included),
flushed before the references leave it. After a build has saved its state,
``collect`` deletes the packs that state no longer refers to. Every read is
checked against the digest, which the state's HMAC covers, so a damaged or
edited pack is an error, never a wrong page.

Without a folder (the preview server, ``digest check``, a site folder that
cannot be written) the store keeps bodies in memory, in the references.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

PACK_SUFFIX = ".pack"
_PACK_NAME = re.compile(r"[0-9a-f]{16}\.pack")


class BodyError(Exception):
    """A body could not be read back as it was written (a pack damaged or
    deleted under the build): the build starts again without its state."""


def body_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


@dataclass(frozen=True, slots=True)
class BodyRef:
    """One body: its digest and size, and either its bytes (``data``) or
    where they are (``pack`` and ``offset``). Two references with the same
    digest stand for the same HTML: signatures use only the digest."""

    digest: bytes
    size: int
    pack: str = ""  # "" when ``data`` holds the bytes
    offset: int = 0
    data: bytes | None = None


class BodyStore:
    """Bodies in memory (``directory=None``) or in pack files in ``directory``."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._writer: BinaryIO | None = None
        self._inherited: list[BinaryIO] = []  # a forked worker's parent's writers
        self._writer_pid = 0
        self._pack = ""
        self._end = 0
        self._readers: dict[str, int] = {}
        self._reader_pid = os.getpid()
        self._creator = os.getpid()
        self._append_to = ""  # a pack of the saved state, to append to (see ``resume``)

    @property
    def on_disk(self) -> bool:
        return self.directory is not None

    def put(self, data: bytes) -> BodyRef:
        digest = body_digest(data)
        if self.directory is None:
            return BodyRef(digest, len(data), data=data)
        writer = self._writer
        if writer is None or self._writer_pid != os.getpid():
            writer = self._open_pack()
        offset = self._end
        writer.write(data)
        self._end += len(data)
        return BodyRef(digest, len(data), self._pack, offset)

    def _open_pack(self) -> BinaryIO:
        """A new pack for this process: a forked worker never shares one."""
        assert self.directory is not None
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._writer is not None:
            # The parent's: kept alive, or collecting it would flush its
            # buffer a second time, through a file offset both share.
            self._inherited.append(self._writer)
        buffering = 1 << 20
        if self._append_to and self._creator == os.getpid():
            name = self._append_to
            writer = open(self.directory / name, "ab", buffering=buffering)  # noqa: SIM115
        else:
            name = secrets.token_hex(8) + PACK_SUFFIX
            writer = open(self.directory / name, "xb", buffering=buffering)  # noqa: SIM115
        self._append_to = ""
        self._writer, self._writer_pid = writer, os.getpid()
        self._pack, self._end = name, writer.tell()
        return writer

    def flush(self) -> None:
        """Make every reference handed out so far readable (by any process)."""
        if self._writer is not None and self._writer_pid == os.getpid():
            self._writer.flush()

    def read(self, ref: BodyRef) -> bytes:
        if ref.data is not None:
            return ref.data
        data = self._read_pack(ref)
        if len(data) != ref.size or body_digest(data) != ref.digest:
            raise BodyError(f"the stored body in {ref.pack} is damaged")
        return data

    def _read_pack(self, ref: BodyRef) -> bytes:
        if self.directory is None or not _PACK_NAME.fullmatch(ref.pack):
            raise BodyError(f"no stored body {ref.pack!r}")
        if self._reader_pid != os.getpid():  # a forked worker: its own descriptors
            self._readers, self._reader_pid = {}, os.getpid()
        if ref.pack == self._pack:
            self.flush()
        fd = self._readers.get(ref.pack)
        try:
            if fd is None:
                fd = os.open(self.directory / ref.pack, os.O_RDONLY | os.O_CLOEXEC)
                self._readers[ref.pack] = fd
            return os.pread(fd, ref.size, ref.offset)
        except OSError as exc:
            raise BodyError(f"cannot read the stored body in {ref.pack}: {exc.strerror}") from exc

    def resume(self, refs: Iterable[BodyRef]) -> bool:
        """Take up the packs of ``refs`` (a saved state's): True when every
        reference points inside a pack that exists, and then this process
        appends new bodies to the smallest of them rather than starting one
        more pack per build. False: the state's bodies are gone."""
        ends: dict[str, int] = {}
        for ref in refs:
            if ref.data is None:
                ends[ref.pack] = max(ends.get(ref.pack, 0), ref.offset + ref.size)
        if ends and self.directory is None:
            return False
        sizes = {}
        for pack, end in ends.items():
            if not _PACK_NAME.fullmatch(pack):
                return False
            assert self.directory is not None
            try:
                sizes[pack] = (self.directory / pack).stat().st_size
            except OSError:
                return False
            if sizes[pack] < end:
                return False
        if sizes and self._writer is None:
            self._append_to = min(sizes, key=lambda pack: (sizes[pack], pack))
        return True

    def collect(self, live: Iterable[BodyRef]) -> None:
        """Delete every pack none of ``live`` is in (call once the state that
        refers to ``live`` is saved)."""
        if self.directory is None:
            return
        keep = {ref.pack for ref in live if ref.data is None}
        keep.add(self._pack)
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            if _PACK_NAME.fullmatch(name) and name not in keep:
                self._forget(name)
                with contextlib.suppress(OSError):
                    (self.directory / name).unlink()

    def _forget(self, pack: str) -> None:
        fd = self._readers.pop(pack, None)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)

    def close(self) -> None:
        if self._writer is not None and self._writer_pid == os.getpid():
            with contextlib.suppress(OSError):
                self._writer.close()
        self._writer = None
        for pack in list(self._readers):
            self._forget(pack)
