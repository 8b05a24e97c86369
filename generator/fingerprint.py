"""Fingerprints: a short hash that changes whenever a value's content does.

Everything that flows between the stages is plain frozen data (strings,
numbers, dates, tuples, read-only mappings and frozen dataclasses of them),
and the ``repr`` of plain data is its exact content in canonical text: the
same data gives the same text in any process, on any machine. So a
fingerprint is the hash of that text. Objects that many outputs share (an
article's teaser, the article itself) compute theirs once, when the model
makes them, and carry it in a ``fingerprint`` field that ``repr`` leaves out.

Sets have no stable order and default object reprs name memory addresses:
neither ever reaches the model (``parse`` turns YAML sets into sorted tuples).
"""

from __future__ import annotations

import hashlib
import operator
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from generator import __version__


def _code() -> str:
    """The hash of the generator's own source: an edited checkout (a
    developer's, or a branch) is a new generator even at the same version
    number, so no state it made is trusted by another. Read once, at import:
    ~70 small files, about a millisecond."""
    digest = hashlib.blake2b(digest_size=8)
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


# The generator that runs: its version and its code.
GENERATOR = f"{__version__}+{_code()}"
# Part of every fingerprint: a new generator or Python version never trusts
# an old one (the repr of a type may change between versions).
SALT = f"digest {GENERATOR} py{sys.version_info[0]}.{sys.version_info[1]}\n"

_GETTERS: dict[type, Callable[[Any], tuple[Any, ...]]] = {}
T = TypeVar("T")


def plain_repr(cls: type[T]) -> type[T]:
    """A dataclass whose ``repr`` (its fingerprint's text) skips the guard
    the dataclass decorator wraps around it against an object that contains
    itself, which plain frozen data never does. Same text, 2.3x faster for a
    small class inside a larger value (tags, bylines, page links): the
    classes inside what is fingerprinted most (skeletons, items, the pages'
    contexts) take it."""
    guarded = cls.__dict__["__repr__"]
    cls.__repr__ = guarded.__wrapped__  # type: ignore[method-assign]
    return cls


def fingerprint(*parts: object) -> str:
    """The hash of ``parts``' content: 32 hex digits."""
    return of_text(repr(parts))


def of_text(text: str) -> str:
    """The hash of a text that already spells its content out in full
    (``fingerprint`` hashes the ``repr``; a stored encoding can be hashed
    as it is): 32 hex digits, salted like every fingerprint."""
    data = (SALT + text).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def of_fields(obj: object) -> str:
    """The fingerprint of a dataclass's fields, its own ``fingerprint`` field
    left out (the fields are read with one C-level getter, then hashed as a
    tuple: several times faster than the dataclass's generated repr)."""
    cls = type(obj)
    getter = _GETTERS.get(cls)
    if getter is None:
        names = [f.name for f in fields(obj) if f.name != "fingerprint"]  # type: ignore[arg-type]
        attrs = operator.attrgetter(*names)
        getter = attrs if len(names) > 1 else (lambda o: (attrs(o),))
        _GETTERS[cls] = getter
    return fingerprint(cls.__name__, getter(obj))


def seal(obj: Any) -> Any:
    """``obj`` (a frozen dataclass with a ``fingerprint`` field) with its
    fingerprint set from its other fields; returns ``obj``."""
    object.__setattr__(obj, "fingerprint", of_fields(obj))
    return obj
