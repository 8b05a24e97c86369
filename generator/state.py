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
import dataclasses
import hashlib
import hmac
import os
import pickle
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from generator.bodies import BodyRef, BodyStore
from generator.deps import DependencyMap, state_salt
from generator.diagnostics import Diagnostic
from generator.load import SourceFile
from generator.parse import ParsedArticle

STATE_DIR = ".digest"
Stats = tuple[tuple[str, tuple[int, int]], ...]  # (path, (mtime_ns, size)) of every file
Inputs = tuple[Stats, Stats]  # articles, assets


ParseEntry = tuple[object, ParsedArticle | None, list[Diagnostic]]  # key, article, problems


@dataclass(frozen=True, slots=True)
class ParseBase:
    """The parse cache file a state was read with: ``token`` names that
    version of it, ``entries`` are its objects as loaded."""

    token: str
    entries: dict[str, ParseEntry]


@dataclass(slots=True, kw_only=True)
class SavedState:
    key: object  # settings, layouts, options and version it was built with
    inputs: Inputs  # every input file with its stat
    files: dict[str, SourceFile]  # articles by path, without their bytes
    parsed: dict[str, ParseEntry]  # the parse cache, by article path
    deps: DependencyMap
    outputs: dict[str, tuple[int, int]]  # output -> (mtime_ns, size) as written
    valid_until: float  # when the output goes stale by itself (the news sitemap's window)
    counts: tuple[int, int, int, int]  # articles, tags, pages, files
    warnings: list[Diagnostic] = field(default_factory=list)
    related: dict[str, object] = field(default_factory=dict)  # see model.build_site
    base: ParseBase | None = None  # where ``parsed`` came from (set when loaded)


@dataclass(frozen=True, slots=True, kw_only=True)
class StateHead:
    """What a build with nothing to do needs of the state, in a small file of
    its own: the inputs and outputs as the last build left them. It is a
    complete witness by itself (this output, with these stats, was made from
    inputs with these stats and these settings), so it needs no other file."""

    key: object
    inputs: Inputs
    outputs: dict[str, tuple[int, int]]
    valid_until: float
    counts: tuple[int, int, int, int]
    warnings: list[Diagnostic]
    unsure: dict[str, str]  # article -> digest of the bytes parsed, where its stat proves nothing


def head_of(state: SavedState) -> StateHead:
    unsure = {}
    for rel, source in state.files.items():
        entry = state.parsed.get(rel)
        if not source.digest and entry is not None and isinstance(entry[0], tuple):
            unsure[rel] = entry[0][0]
    return StateHead(
        key=state.key,
        inputs=state.inputs,
        outputs=state.outputs,
        valid_until=state.valid_until,
        counts=state.counts,
        warnings=state.warnings,
        unsure=unsure,
    )


def state_path(site_dir: Path, output_dir: Path) -> Path:
    key = hashlib.sha256(str(output_dir.resolve()).encode()).hexdigest()[:12]
    return site_dir / STATE_DIR / f"state-{key}.pickle"


def head_path(site_dir: Path, output_dir: Path) -> Path:
    return state_path(site_dir, output_dir).with_suffix(".head")


def parse_cache_path(site_dir: Path, output_dir: Path) -> Path:
    """The parse cache: most of the state by size, and what changes least, so
    it is a file of its own; a state file carries only the entries that
    changed since it was written (see ``save_state``)."""
    return state_path(site_dir, output_dir).with_suffix(".parsed")


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


def _read(path: Path, secret: bytes) -> object:
    """The object pickled in ``path``, if its HMAC is ours; else raises."""
    with path.open("rb") as f:
        expected = f.read(32)
        mac = hmac.new(secret, digestmod=hashlib.sha256)
        while chunk := f.read(1 << 20):  # verify first, without holding a copy
            mac.update(chunk)
        if not hmac.compare_digest(expected, mac.digest()):
            raise ValueError("not ours")
        f.seek(32)
        salt, value = pickle.load(f)
    if salt != state_salt():
        raise ValueError("another version")
    return value


def _write(path: Path, secret: bytes, value: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("wb") as f:
            f.write(bytes(32))  # the HMAC goes here once the body is written
            mac = hmac.new(secret, digestmod=hashlib.sha256)
            pickler = pickle.Pickler(_MacWriter(f, mac), protocol=pickle.HIGHEST_PROTOCOL)
            # No memo: the state is a tree, and a memo of every object in it
            # would cost as much memory as the objects themselves.
            pickler.fast = True
            pickler.dump((state_salt(), value))
            f.seek(0)
            f.write(mac.digest())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _load(*paths: Path) -> list[object] | None:
    """The objects pickled in ``paths``, or None unless every one is ours."""
    secret = _secret()
    if secret is None:
        return None
    try:
        return [_read(path, secret) for path in paths]
    except Exception:  # missing, damaged, or from another version of the classes
        return None


def load_head(site_dir: Path, output_dir: Path) -> StateHead | None:
    loaded = _load(head_path(site_dir, output_dir))
    head = loaded[0] if loaded else None
    return head if isinstance(head, StateHead) else None


def load_state(site_dir: Path, output_dir: Path) -> SavedState | None:
    loaded = _load(state_path(site_dir, output_dir), parse_cache_path(site_dir, output_dir))
    if loaded is None:
        return None
    stored, cached = loaded
    if not (isinstance(stored, tuple) and len(stored) == 4 and isinstance(cached, tuple)):
        return None
    state, token, delta, removed = stored
    base_token, entries = cached
    if not isinstance(state, SavedState) or token != base_token or not isinstance(entries, dict):
        return None  # a state and a parse cache from different builds
    parsed = {rel: e for rel, e in entries.items() if rel not in removed}
    parsed.update(delta)
    state.parsed = parsed
    state.base = ParseBase(token=token, entries=entries)
    return state


def save_state(
    site_dir: Path, output_dir: Path, state: SavedState, previous: SavedState | None
) -> bool:
    """Write ``state``. When ``previous`` (the state this build read) came
    with a parse cache that still holds most entries, only the entries that
    differ from it go into the state file: an edit build writes a few
    megabytes, not the whole cache. Otherwise the parse cache is written anew.
    False when no state could be written (the next build is a full one)."""
    secret = _secret()
    if secret is None:
        return False
    base = previous.base if previous is not None else None
    delta: dict[str, ParseEntry] = {}
    removed: frozenset[str] = frozenset()
    if base is not None:
        delta = {rel: e for rel, e in state.parsed.items() if base.entries.get(rel) is not e}
        removed = frozenset(base.entries.keys() - state.parsed.keys())
        if len(delta) + len(removed) > max(64, len(base.entries) // 8):
            base = None  # too far from the cache on disk: write it again
    try:
        state_path(site_dir, output_dir).parent.mkdir(exist_ok=True)
        if base is None:
            base = ParseBase(token=secrets.token_hex(8), entries=state.parsed)
            delta, removed = {}, frozenset()
            _write(parse_cache_path(site_dir, output_dir), secret, (base.token, state.parsed))
        stored = dataclasses.replace(state, parsed={}, base=None)
        _write(state_path(site_dir, output_dir), secret, (stored, base.token, delta, removed))
        _write(head_path(site_dir, output_dir), secret, head_of(state))
    except (OSError, pickle.PicklingError, RecursionError, TypeError):
        return False  # no state is a correct state: the next build is a full one
    return True


def body_store(site_dir: Path, output_dir: Path) -> BodyStore:
    """The store for the bodies of the parse cache: pack files beside it, or
    memory when the site folder cannot be written."""
    directory = state_path(site_dir, output_dir).with_suffix(".bodies")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return BodyStore()
    return BodyStore(directory)


def body_refs(parsed: dict[str, ParseEntry]) -> list[BodyRef]:
    return [e[1].body.html for e in parsed.values() if e[1] is not None]


def output_stats(output_dir: Path, outputs: list[str]) -> dict[str, tuple[int, int]]:
    stats = {}
    base = os.fspath(output_dir)
    for rel in outputs:
        try:
            st = os.stat(f"{base}/{rel}")
        except OSError:
            continue
        stats[rel] = (st.st_mtime_ns, st.st_size)
    return stats
