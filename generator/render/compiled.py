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

import jinja2
from jinja2 import meta
from jinja2.bccache import Bucket

from generator.diagnostics import Diagnostic
from generator.render.problems import ReferenceTag, reference_tags, unknown_filters_and_tests

LIMIT = 1024  # layouts (the built-in theme has 28)


class CompiledCode(jinja2.BytecodeCache):
    """Jinja's bytecode cache, in memory: each layout's code object by its
    name and file (Jinja's bucket key) and the text it was compiled from
    (the bucket's checksum). No bytes are written anywhere; a code object
    is shared, each template runs it in a namespace of its own."""

    def __init__(self) -> None:
        self._codes: dict[str, tuple[str, CodeType]] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            known = self._codes.get(bucket.key)
        if known is not None and known[0] == bucket.checksum:
            bucket.code = known[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        assert bucket.code is not None
        with self._lock:
            if len(self._codes) >= LIMIT:
                self._codes.clear()
            self._codes[bucket.key] = (bucket.checksum, bucket.code)

    def clear(self) -> None:
        with self._lock:
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


_readings: dict[tuple[str, str | None, str, str], Reading] = {}
_readings_lock = threading.Lock()


def read(
    env: jinja2.Environment, name: str, filename: str | None, source: str, path: str
) -> Reading:
    """The layout ``name`` (its file, its text, and ``path``, how messages
    name it) as the analysis sees it; once per text in a process."""
    key = (name, filename, source, path)
    with _readings_lock:
        known = _readings.get(key)
    if known is not None:
        return known
    reading = _read(env, name, filename, source, path)
    with _readings_lock:
        if len(_readings) >= LIMIT:
            _readings.clear()
        _readings[key] = reading
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
