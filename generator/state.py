"""The build state kept between ``digest build`` runs, in ``.digest/`` at the
site root (never in the output): the parse cache, the dependency map, and the
inputs and outputs as they were, so a build with nothing changed does nothing
and a build after an edit renders only what the edit touched.

The state is a pickle, so it is only ever read back if it carries an HMAC
made with a key private to this user (``~/.cache/digest/state.key``): a state
file from anywhere else, from another version, or damaged, is ignored and the
build starts from scratch. Losing it costs time, never correctness.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from generator.deps import DependencyMap, state_salt
from generator.diagnostics import Diagnostic
from generator.load import SourceFile
from generator.parse import ParsedArticle

STATE_DIR = ".digest"
Stats = tuple[tuple[str, tuple[int, int]], ...]  # (path, (mtime_ns, size)) of every file
Inputs = tuple[Stats, Stats]  # articles, assets


@dataclass(slots=True, kw_only=True)
class SavedState:
    key: object  # settings, layouts, options and version it was built with
    inputs: Inputs  # every input file with its stat
    files: dict[str, SourceFile]  # articles by path, without their bytes
    parsed: dict[str, tuple[object, ParsedArticle | None, list[Diagnostic]]]
    deps: DependencyMap
    outputs: dict[str, tuple[int, int]]  # output -> (mtime_ns, size) as written
    valid_until: float  # when the output goes stale by itself (the news sitemap's window)
    counts: tuple[int, int, int, int]  # articles, tags, pages, files
    warnings: list[Diagnostic] = field(default_factory=list)
    related: dict[str, object] = field(default_factory=dict)  # see model.build_site


def state_path(site_dir: Path, output_dir: Path) -> Path:
    key = hashlib.sha256(str(output_dir.resolve()).encode()).hexdigest()[:12]
    return site_dir / STATE_DIR / f"state-{key}.pickle"


def _secret() -> bytes | None:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "digest"
    path = base / "state.key"
    try:
        return path.read_bytes()
    except OSError:
        pass
    try:
        base.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
        return path.read_bytes()
    except OSError:
        return None


class _MacWriter:
    """A file that HMACs what is written to it."""

    def __init__(self, f: BinaryIO, mac: hmac.HMAC) -> None:
        self._f, self._mac = f, mac

    def write(self, data: bytes) -> int:
        self._mac.update(data)
        return self._f.write(data)


def load_state(site_dir: Path, output_dir: Path) -> SavedState | None:
    secret = _secret()
    if secret is None:
        return None
    try:
        with state_path(site_dir, output_dir).open("rb") as f:
            expected = f.read(32)
            mac = hmac.new(secret, digestmod=hashlib.sha256)
            while chunk := f.read(1 << 20):  # verify first, without holding a copy
                mac.update(chunk)
            if not hmac.compare_digest(expected, mac.digest()):
                return None
            f.seek(32)
            salt, state = pickle.load(f)
    except Exception:  # missing, damaged, or from another version of the classes
        return None
    if salt != state_salt() or not isinstance(state, SavedState):
        return None
    return state


def save_state(site_dir: Path, output_dir: Path, state: SavedState) -> None:
    secret = _secret()
    if secret is None:
        return
    path = state_path(site_dir, output_dir)
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(exist_ok=True)
        with tmp.open("wb") as f:
            f.write(bytes(32))  # the HMAC goes here once the body is written
            mac = hmac.new(secret, digestmod=hashlib.sha256)
            pickler = pickle.Pickler(_MacWriter(f, mac), protocol=pickle.HIGHEST_PROTOCOL)
            # No memo: the state is a tree, and a memo of every object in it
            # would cost as much memory as the objects themselves.
            pickler.fast = True
            pickler.dump((state_salt(), state))
            f.seek(0)
            f.write(mac.digest())
        tmp.replace(path)
    except (OSError, pickle.PicklingError, RecursionError, TypeError):
        # No state is a correct state: the next build is a full one.
        with contextlib.suppress(OSError):
            tmp.unlink()


def output_stats(output_dir: Path, outputs: list[str]) -> dict[str, tuple[int, int]]:
    stats = {}
    for rel in outputs:
        try:
            st = (output_dir / rel).stat()
        except OSError:
            continue
        stats[rel] = (st.st_mtime_ns, st.st_size)
    return stats
