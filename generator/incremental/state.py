"""The build state: what one build hands the next.

- ``inputs``: every article file as the last build saw it (its stat and the
  digest of its bytes), so an unchanged file is not even read;
- ``parsed``: the parse cache, by file, keyed by the bytes' digest and the
  parse settings;
- bodies: the rendered article bodies, by digest (most of the state's weight,
  read only when a page shows one);
- ``images``: every image under content/ as it was processed (its stat,
  digest, settings, size and variants, in the image cache
  ``.digest/images/``);
- ``outputs``: the dependency map, every output with its signature, its
  input keys and the stat and digest of the file as it was written.

``digest serve`` keeps a state in memory for as long as it runs; ``digest
build`` keeps one on disk, in ``.digest/state.sqlite`` at the site root (never
in the output): plain data in SQLite, versioned, with no absolute path and no
secret, so a ``.digest/`` restored on another machine (a CI cache) is used
there too. One state per site: a build into another output folder finds its
outputs not as they were left, and renders them. Anything unreadable,
damaged or from another version is ignored: losing the state costs one full
build, never a wrong page.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from generator import __version__
from generator.fingerprint import SALT
from generator.incremental.codec import (
    CodecError,
    Stored,
    decode_diagnostics,
    decode_links,
    decode_skeleton,
    encode_diagnostics,
    encode_parse,
    skeleton_print,
)
from generator.incremental.records import (
    ImageRecord,
    InputRecord,
    OutputRecord,
    ParseEntry,
    Summary,
)
from generator.parse.markdown import body_ref

STATE_DIR = ".digest"
STATE_FILE = "state.sqlite"
SCHEMA = 9  # bump when the tables or the codec change
BUSY_SECONDS = 60.0  # how long a build waits for another one saving the same state

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inputs (
    path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL,
    digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS parsed (
    path TEXT PRIMARY KEY, key TEXT NOT NULL, body TEXT, skeleton TEXT, diagnostics TEXT NOT NULL,
    article TEXT, links TEXT);
CREATE TABLE IF NOT EXISTS prints (path TEXT PRIMARY KEY, teaser TEXT NOT NULL,
    article TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS images (path TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (digest TEXT PRIMARY KEY, html BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS outputs (
    path TEXT PRIMARY KEY, signature TEXT NOT NULL, inputs TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, digest TEXT NOT NULL,
    kind TEXT, key TEXT, number INTEGER);
"""


class Bodies:
    """Rendered bodies by digest: in memory, or in the state's database.
    A body read from the database is checked against its digest once per
    process (a damaged body is a missing one); the ones this process put
    need no check."""

    def __init__(self, db: sqlite3.Connection | None = None) -> None:
        self._db = db
        self._memory: dict[str, bytes] = {}
        # The bodies this process put or has checked: read back, they need
        # no second check (10,000 articles, cold: 0.4 s of hashing).
        self._checked: set[str] = set()

    def put(self, items: Iterable[tuple[str, bytes]]) -> None:
        if self._db is None:
            self._memory.update(items)
            return
        items = list(items)
        with transaction(self._db):
            # REPLACE: a damaged row of the same digest is mended, not kept.
            self._db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?)", items)
        self._checked.update(digest for digest, _ in items)

    def get(self, digests: Iterable[str]) -> dict[str, bytes]:
        """The bodies there are of ``digests`` (a damaged one counts as gone)."""
        wanted = list(dict.fromkeys(digests))
        if self._db is None:
            return {d: self._memory[d] for d in wanted if d in self._memory}
        found: dict[str, bytes] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT digest, html FROM bodies WHERE digest IN ({marks})", chunk
            )
            checked = self._checked
            for digest, html in rows:
                data = bytes(html)
                if digest in checked or body_ref(data).digest == digest:
                    found[digest] = data
                    checked.add(digest)
        return found

    def forget_unused(self, live: Callable[[], set[str]], articles: int) -> None:
        """Forget every body whose digest is not in ``live()``. In memory,
        only once edits have left as many unused bodies as there are
        articles: a preview session need not look at every article per edit."""
        if self._db is None:
            if len(self._memory) > 2 * articles + 64:
                keep = live()
                for digest in self._memory.keys() - keep:
                    del self._memory[digest]
            return
        keep = live()
        stored = {d for (d,) in self._db.execute("SELECT digest FROM bodies")}
        gone = [(d,) for d in stored - keep]
        if gone:
            with transaction(self._db):
                self._db.executemany("DELETE FROM bodies WHERE digest = ?", gone)


@dataclass(slots=True, kw_only=True)
class State:
    """What one build hands the next (see the module's docstring)."""

    settings: str = ""  # what the outputs were built with (see build.py)
    output: str = ""  # the output folder ``outputs`` describes (see ``output_identity``)
    inputs: dict[str, InputRecord] = field(default_factory=dict)
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    images: dict[str, ImageRecord] = field(default_factory=dict)  # by content-relative path
    valid_until: float = 0.0  # the build time at which the outputs go stale by themselves
    # The build time they were made at: an earlier one (--now, or
    # SOURCE_DATE_EPOCH, set back) may decide otherwise.
    valid_from: float = 0.0
    # What the outputs were planned from (see shortcuts.py): the plan's key,
    # what was learnt of the layouts (their files, when, each one's name,
    # fingerprint and reach), and each article's teaser's and article's
    # fingerprint.
    plan: str = ""
    layouts: dict[str, Any] = field(default_factory=dict)
    summary: Summary = field(default_factory=Summary)
    bodies: Bodies = field(default_factory=Bodies)
    path: Path | None = None  # the file it is saved in; None: in memory only
    db: sqlite3.Connection | None = field(default=None, repr=False)
    saved: State | None = field(default=None, repr=False)  # as last read or written
    # The parse cache and the articles' fingerprints are read from the
    # database when first asked for: a build with nothing to do needs neither.
    _parsed: dict[str, ParseEntry] | None = field(default=None, repr=False)
    _prints: dict[str, tuple[str, str]] | None = field(default=None, repr=False)

    @property
    def parsed(self) -> dict[str, ParseEntry]:
        """The parse cache: every article file's parse, by path."""
        if self._parsed is None:
            self._read_articles()
        assert self._parsed is not None
        return self._parsed

    @property
    def prints(self) -> dict[str, tuple[str, str]]:
        """Each article's teaser's and article's fingerprint, as planned."""
        if self._prints is None:
            self._read_articles()
        assert self._prints is not None
        return self._prints

    @prints.setter
    def prints(self, value: dict[str, tuple[str, str]]) -> None:
        if self._prints is None:
            self._read_articles()
        self._prints = value

    def put_parsed(self, entries: Iterable[tuple[str, ParseEntry, Stored]]) -> None:
        """Files just parsed, with their parse as stored (encoded where they
        were parsed): into the parse cache, and into the database now, not
        when the state is saved. A parse is right whatever the build does
        next: its key says which bytes and settings it is of."""
        parsed, saved = self.parsed, self.saved
        rows = []
        for path, entry, stored in entries:
            parsed[path] = entry
            if self.db is not None and saved is not None and saved._parsed is not None:
                rows.append((path, entry.key, entry.body, *stored))
                saved._parsed[path] = entry
        if rows:
            assert self.db is not None
            with transaction(self.db):
                self.db.executemany(
                    "INSERT OR REPLACE INTO parsed VALUES (?, ?, ?, ?, ?, ?, ?)", rows
                )

    @property
    def stores_parses(self) -> bool:
        """Whether parses are kept on disk (``put_parsed`` wants them encoded)."""
        return self.db is not None

    def _read_articles(self) -> None:
        parsed, prints = _read_articles(self.db) if self.db is not None else ({}, {})
        self._parsed, self._prints = parsed, prints
        if self.saved is not None:  # what is on disk, to write only what changes
            self.saved._parsed, self.saved._prints = dict(parsed), dict(prints)


def output_identity(site_dir: Path, output_dir: Path) -> str:
    """Which output folder a state's outputs are in, without this machine's
    paths: its path inside the site folder (the same wherever the site is
    restored), else a hash of where it is."""
    site, out = site_dir.resolve(), output_dir.resolve()
    if out.is_relative_to(site):
        return "site:" + out.relative_to(site).as_posix()
    return "elsewhere:" + hashlib.sha256(str(out).encode()).hexdigest()[:16]


def state_path(site_dir: Path) -> Path:
    return site_dir / STATE_DIR / STATE_FILE


def _version() -> str:
    return f"{SCHEMA} {SALT.strip()}"


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One transaction, taking the write lock at once (another build saving
    the same state is waited for)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        yield db
    finally:
        db.close()


def open_state(site_dir: Path, *, create: bool = True) -> State:
    """The saved state of the site. When there is none, or it cannot be read
    or trusted: an empty one, saved to the same place (or, without
    ``create``, kept in memory: ``digest check`` writes nothing)."""
    path = state_path(site_dir)
    if not create and not path.is_file():
        return State()
    state = _open(path, create)
    if state is None and create:  # damaged: start it again
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{path}{suffix}")
        state = _open(path, create)
    if state is None:  # a site folder that cannot be written: in memory
        return State()
    state.path = path
    state.saved = _copy(state)
    return state


def _open(path: Path, create: bool) -> State | None:
    try:
        if create:
            path.parent.mkdir(exist_ok=True)
        db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    except (OSError, sqlite3.Error):
        return None
    state: State | None = None
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        try:
            state = _read(db)
        except (sqlite3.Error, CodecError, ValueError, TypeError, KeyError, IndexError):
            state = None  # not a state this version wrote
        if state is None and create:
            state = _reset(db)
    except sqlite3.Error:  # not a database at all
        state = None
    if state is None:
        db.close()
    return state


def _read(db: sqlite3.Connection) -> State | None:
    meta = dict(db.execute("SELECT key, value FROM meta"))
    if meta.get("version") != _version():
        return None
    articles, tags, pages, files = json.loads(meta["counts"])
    scheduled, next_scheduled = json.loads(meta["scheduled"])
    state = State(
        settings=meta["settings"],
        output=meta["output"],
        plan=meta["plan"],
        layouts=json.loads(meta["layouts"]),
        valid_until=float(meta["valid_until"]),
        valid_from=float(meta["valid_from"]),
        summary=Summary(
            articles=articles,
            tags=tags,
            pages=pages,
            files=files,
            warnings=decode_diagnostics(meta["warnings"]),
            scheduled=scheduled,
            next_scheduled=tuple(
                (headline, dt.datetime.fromisoformat(when)) for headline, when in next_scheduled
            ),
        ),
        bodies=Bodies(db),
        db=db,
    )
    state.inputs = {
        path: InputRecord((mtime, size), digest)
        for path, mtime, size, digest in db.execute("SELECT * FROM inputs")
    }
    state.images = {
        path: ImageRecord.decode(record) for path, record in db.execute("SELECT * FROM images")
    }
    state.outputs = {
        path: OutputRecord(
            signature, inputs, (mtime, size), digest, (kind, key, number) if kind else None
        )
        for path, signature, inputs, mtime, size, digest, kind, key, number in db.execute(
            "SELECT * FROM outputs"
        )
    }
    return state


def _read_articles(
    db: sqlite3.Connection,
) -> tuple[dict[str, ParseEntry], dict[str, tuple[str, str]]]:
    parsed = {}
    for path, key, body, skeleton, diags, article, links in db.execute("SELECT * FROM parsed"):
        parsed[path] = ParseEntry(
            key,
            None,
            decode_diagnostics(diags) if diags != "[]" else (),
            skeleton=decode_skeleton(skeleton) if skeleton else None,
            skeleton_print=skeleton_print(skeleton) if skeleton else None,
            body=body,
            text=article,
            links=decode_links(links) if links else None,
        )
    prints = {path: (t, a) for path, t, a in db.execute("SELECT * FROM prints")}
    return parsed, prints


def _reset(db: sqlite3.Connection) -> State:
    """Empty tables: a new state (raises sqlite3.Error when it cannot be)."""
    with transaction(db):
        for table in ("meta", "inputs", "parsed", "prints", "bodies", "outputs", "images"):
            db.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in _TABLES.split(";"):
            if statement.strip():
                db.execute(statement)
    return State(bodies=Bodies(db), db=db)


def _copy(state: State) -> State:
    return State(
        settings=state.settings,
        output=state.output,
        plan=state.plan,
        layouts=dict(state.layouts),
        inputs=dict(state.inputs),
        outputs=dict(state.outputs),
        images=dict(state.images),
        valid_until=state.valid_until,
        valid_from=state.valid_from,
        summary=dataclasses.replace(state.summary),
        _parsed=dict(state._parsed) if state._parsed is not None else None,
        _prints=dict(state._prints) if state._prints is not None else None,
    )


def save_state(state: State) -> bool:
    """Write what changed since the state was loaded (or last saved). False
    when it cannot be written: the next build is then a full one."""
    db, old = state.db, state.saved
    if db is None or old is None:
        return False
    try:
        with transaction(db):
            _write_changes(db, "inputs", old.inputs, state.inputs, _input_row)
            _write_changes(db, "outputs", old.outputs, state.outputs, _output_row)
            _write_changes(db, "images", old.images, state.images, lambda p, r: (p, r.encode()))
            if state._parsed is not None:  # read, so maybe changed
                old_parsed = old._parsed if old._parsed is not None else {}
                _write_changes(db, "parsed", old_parsed, state._parsed, _parsed_row, _same_entry)
            if state._prints is not None:
                old_prints = old._prints if old._prints is not None else {}
                _write_changes(db, "prints", old_prints, state._prints, lambda p, v: (p, *v))
            s = state.summary
            meta = {
                "version": _version(),
                "generator": __version__,
                "settings": state.settings,
                "output": state.output,
                "plan": state.plan,
                "layouts": json.dumps(state.layouts, sort_keys=True),
                "valid_until": repr(state.valid_until),
                "valid_from": repr(state.valid_from),
                "counts": json.dumps([s.articles, s.tags, s.pages, s.files]),
                "warnings": encode_diagnostics(s.warnings),
                "scheduled": json.dumps(
                    [s.scheduled, [[h, when.isoformat()] for h, when in s.next_scheduled]],
                    ensure_ascii=False,
                ),
            }
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
    except (sqlite3.Error, CodecError, OSError):
        return False
    state.saved = _copy(state)
    return True


def _same_entry(a: ParseEntry, b: ParseEntry) -> bool:
    return a is b  # an entry is made anew only when its file was parsed again


V = TypeVar("V")


def _write_changes(
    db: sqlite3.Connection,
    table: str,
    old: Mapping[str, V],
    new: Mapping[str, V],
    row: Callable[[str, V], tuple[object, ...]],
    same: Callable[[V, V], bool] | None = None,
) -> None:
    equal = same if same is not None else (lambda a, b: a is b or a == b)
    gone = [(path,) for path in old.keys() - new.keys()]
    db.executemany(f"DELETE FROM {table} WHERE path = ?", gone)
    changed = [
        row(path, value)
        for path, value in new.items()
        if path not in old or not equal(old[path], value)
    ]
    if changed:
        marks = ",".join("?" * len(changed[0]))
        db.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", changed)


def _input_row(path: str, r: InputRecord) -> tuple[object, ...]:
    return (path, r.stat[0], r.stat[1], r.digest)


def _parsed_row(path: str, e: ParseEntry) -> tuple[object, ...]:
    return (path, e.key, e.body, *encode_parse(e.skeleton, e.diagnostics, e.article, e.links))


def _output_row(path: str, r: OutputRecord) -> tuple[object, ...]:
    address = r.address if r.address is not None else (None, None, None)
    inputs = r._inputs if isinstance(r._inputs, str) else json.dumps(r.inputs)
    return (path, r.signature, inputs, r.stat[0], r.stat[1], r.digest, *address)


def close_state(state: State) -> None:
    db = state.db
    if db is not None:
        with contextlib.suppress(sqlite3.Error):
            db.close()


def dependency_map(site_dir: Path) -> dict[str, dict[str, object]]:
    """The saved dependency map, for people and tests: output -> its
    signature and input keys."""
    with _connect(state_path(site_dir)) as db:
        rows = db.execute("SELECT path, signature, inputs FROM outputs ORDER BY path")
        return {p: {"signature": s, "inputs": json.loads(i)} for p, s, i in rows}
