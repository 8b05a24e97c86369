"""The dependency map: which inputs every output was made from.

Each output gets a *signature*: a hash of everything that can change its bytes
(the job's context, the layouts it uses and where they come from, the settings,
the generator version). Two builds that give an output the same signature give
it the same bytes, so a later build can skip it. The *inputs* are the
human-readable keys (``src:content/a.md``, ``teaser:content/b.md``,
``layout:base.html``, ``config``) that say why: the watcher and ``explain``
read them backwards, from a changed file to the outputs it feeds.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import operator
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from generator import __version__
from generator.bodies import BodyRef
from generator.frozen import FrozenDict
from generator.plan import CONFIG_KEY, layout_key

STATE_VERSION = 5  # bump when a pickled class changes shape
_SALT = f"digest-{__version__}-state{STATE_VERSION}-py{sys.version_info[:2]}"


def state_salt() -> str:
    """Changes with the generator and Python versions: older state is ignored."""
    return _SALT


_GETTERS: dict[type, Callable[[Any], Any]] = {}


def _getter(cls: type) -> Callable[[Any], Any] | None:
    """A fast attrgetter of a dataclass's fields (the stdlib getstate is slow)."""
    getter = _GETTERS.get(cls)
    if getter is None and dataclasses.is_dataclass(cls):
        names = [f.name for f in dataclasses.fields(cls)]
        getter = (
            operator.attrgetter(*names) if len(names) > 1 else lambda o: (getattr(o, names[0]),)
        )
        _GETTERS[cls] = getter
    return getter


class _Pickler(pickle.Pickler):
    """Encodes plain model data for hashing (never unpickled). Dataclasses
    become (class, field values); read-only mappings become dicts; objects
    listed in ``shared`` (teasers, which many pages show) are replaced by
    their own fingerprint, computed once per build."""

    def __init__(self, file: io.BytesIO, shared: Fingerprints | None) -> None:
        super().__init__(file, protocol=5)
        self._shared = shared

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        if cls is MappingProxyType or cls is FrozenDict:
            return dict, (dict(obj),)
        if cls is BodyRef:  # the same HTML wherever it is kept
            return bytes, (obj.digest,)
        if self._shared is not None and cls in self._shared.memo_types:
            return str, (self._shared.of(obj),)
        getter = _getter(cls)
        if getter is not None:
            return cls, (getter(obj),)
        return NotImplemented


class Fingerprints:
    """Fingerprints for one build, memoizing objects of ``memo_types`` by
    identity (they are immutable, and the memo keeps them alive).

    ``previous`` is the last build's (the preview's, whose model gives back
    the same objects for what did not change: see ``model.Reuse``); what it
    knew and this build still uses is carried over, the rest is let go, so
    the memo never holds more than two builds' objects."""

    def __init__(
        self, memo_types: tuple[type, ...] = (), previous: Fingerprints | None = None
    ) -> None:
        self.memo_types = frozenset(memo_types)
        self._memo: dict[int, tuple[object, str]] = {}
        self._previous = previous._memo if previous is not None else {}

    def of(self, obj: object) -> str:
        key = id(obj)
        hit = self._memo.get(key)
        if hit is not None and hit[0] is obj:
            return hit[1]
        hit = self._previous.get(key)
        if hit is not None and hit[0] is obj:
            self._memo[key] = hit
            return hit[1]
        value = _hash(obj, None)
        self._memo[key] = (obj, value)
        return value

    def __call__(self, *parts: object) -> str:
        return _hash(parts, self)


def _hash(obj: object, shared: Fingerprints | None) -> str:
    buffer = io.BytesIO()
    _Pickler(buffer, shared).dump((_SALT, obj))
    return hashlib.blake2b(buffer.getbuffer(), digest_size=16).hexdigest()


def fingerprint(*parts: object) -> str:
    """A hash of plain data (dataclasses, tuples, mappings, strings, dates).

    The encoding is pickle's: fast (C), exact, and the same for the same data
    built the same way; an identical context can only hash differently when
    its objects are shared differently, which costs a re-render, never a
    wrong page. The generator and Python versions are part of every hash.
    """
    return _hash(parts, None)


@dataclass(frozen=True, slots=True, kw_only=True)
class OutputRecord:
    signature: str
    inputs: tuple[str, ...]

    def __reduce__(self) -> tuple[Any, ...]:
        # Read back with each input key once in memory, as the plan has them
        # (a state is pickled without a memo: see state._write).
        return _record, (self.signature, self.inputs)


def _record(signature: str, inputs: tuple[str, ...]) -> OutputRecord:
    return OutputRecord(signature=signature, inputs=tuple(map(sys.intern, inputs)))


@dataclass(slots=True)
class DependencyMap:
    """output file -> its signature and input keys."""

    outputs: dict[str, OutputRecord] = field(default_factory=dict)

    def add(self, output: str, signature: str, inputs: Iterable[str]) -> None:
        self.outputs[output] = OutputRecord(signature=signature, inputs=tuple(inputs))

    def json_chunks(self) -> Iterator[str]:
        """The map as JSON, an output per line, without building it whole."""
        head = {"version": STATE_VERSION, "generator": __version__}
        yield json.dumps(head)[:-1] + ',"outputs":{\n'
        dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        for index, (out, rec) in enumerate(sorted(self.outputs.items())):
            entry = {"signature": rec.signature, "inputs": list(rec.inputs)}
            yield ("," if index else "") + dump(out) + ":" + dump(entry) + "\n"
        yield "}}\n"


def layout_inputs(closure: tuple[str, ...] | None, all_layouts: Iterable[str]) -> tuple[str, ...]:
    names = closure if closure is not None else tuple(sorted(all_layouts))
    return (CONFIG_KEY, *(layout_key(n) for n in names))
