"""What Jinja makes of a layout's text, kept for the life of the process.

Reading a layout (its syntax tree: the layouts it names, the filters and
tests it uses) and compiling it depend on nothing but its text, its name,
its file and the environment's settings, which ``layouts.make_env`` makes
the same way every time. Every build makes a new environment (one per set
of settings and layouts), so without this each one parses and compiles
every layout again: 85 ms for the built-in theme's analysis, about as much
again for each process that renders. The preview rebuilds, the renderers
of its workers and a test suite's hundreds of builds ask for the same texts
again and again.

Both are caches of a pure function, keyed by the whole text: a layout that
changes by one byte is a new entry, so no build can be given another
text's result. Each holds at most ``LIMIT`` entries and starts again when
full (a long preview session of layout edits).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from types import CodeType
from typing import Generic, TypeVar

import jinja2
from jinja2 import meta
from jinja2.bccache import Bucket

from generator.diagnostics import Diagnostic
from generator.render.problems import ReferenceTag, reference_tags, unknown_filters_and_tests

LIMIT = 1024  # layouts (the built-in theme has 28)

K = TypeVar("K")
V = TypeVar("V")


class _Kept(Generic[K, V]):
    """What is kept, by key: at most ``LIMIT`` entries, all forgotten when
    full; safe to share between the preview's threads."""

    def __init__(self) -> None:
        self._entries: dict[K, V] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            if len(self._entries) >= LIMIT:
                self._entries.clear()
            self._entries[key] = value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class CompiledCode(jinja2.BytecodeCache):
    """Jinja's bytecode cache, in memory: each layout's code object by its
    name and file (Jinja's bucket key) and the text it was compiled from
    (the bucket's checksum). No bytes are written anywhere; a code object
    is shared, each template runs it in a namespace of its own."""

    def __init__(self) -> None:
        self._codes: _Kept[str, tuple[str, CodeType]] = _Kept()

    def load_bytecode(self, bucket: Bucket) -> None:
        known = self._codes.get(bucket.key)
        if known is not None and known[0] == bucket.checksum:
            bucket.code = known[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        assert bucket.code is not None
        self._codes.put(bucket.key, (bucket.checksum, bucket.code))

    def clear(self) -> None:
        self._codes.clear()


CODE = CompiledCode()  # given to every environment ``make_env`` makes


@dataclass(frozen=True, slots=True)
class Reading:
    """What the analysis learns of one layout's text (``read``)."""

    syntax_error: jinja2.TemplateSyntaxError | None  # it does not parse
    references: tuple[str, ...] | None  # the layouts it names (None: one only known at render)
    unknown: tuple[Diagnostic, ...]  # filters and tests the environment lacks
    tags: tuple[ReferenceTag, ...]  # the tags that name layouts as text
    compile_error: jinja2.TemplateSyntaxError | None  # what else Jinja refuses


_readings: _Kept[tuple[str, str | None, str, str], Reading] = _Kept()


def read(
    env: jinja2.Environment, name: str, filename: str | None, source: str, path: str
) -> Reading:
    """The layout ``name`` (its file, its text, and ``path``, how messages
    name it) as the analysis sees it; once per text in a process."""
    key = (name, filename, source, path)
    reading = _readings.get(key)
    if reading is None:
        reading = _read(env, name, filename, source, path)
        _readings.put(key, reading)
    return reading


def _read(
    env: jinja2.Environment, name: str, filename: str | None, source: str, path: str
) -> Reading:
    try:
        tree = env.parse(source, name, filename)
    except jinja2.TemplateSyntaxError as exc:
        return Reading(_bare(exc), (), (), (), None)
    found = tuple(meta.find_referenced_templates(tree))
    references = None if None in found else tuple(str(r) for r in found)
    compile_error = None
    try:
        env.compile(tree, name, filename, raw=True)
    except jinja2.TemplateSyntaxError as exc:  # told only if nothing else is wrong
        compile_error = _bare(exc)
    return Reading(
        None,
        references,
        tuple(unknown_filters_and_tests(tree, env, path)),
        tuple(reference_tags(tree)),
        compile_error,
    )


def _bare(exc: jinja2.TemplateSyntaxError) -> jinja2.TemplateSyntaxError:
    exc.__traceback__ = None  # kept: not the frames it was raised in
    return exc
