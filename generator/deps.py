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
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import __version__
from generator.plan import CONFIG_KEY, layout_key

STATE_VERSION = 1


def _feed(h: Any, obj: object) -> None:
    """Feed a stable encoding of plain data (dataclasses, mappings, sequences,
    scalars, dates) into hash ``h``. Dict order and object ids never leak in."""
    if obj is None or isinstance(obj, bool | int | float):
        h.update(f"{type(obj).__name__}:{obj!r};".encode())
    elif isinstance(obj, str):
        data = obj.encode("utf-8", "surrogatepass")
        h.update(f"s{len(data)}:".encode())
        h.update(data)
    elif isinstance(obj, dt.datetime | dt.date | dt.time):
        h.update(f"{type(obj).__name__}:{obj.isoformat()};".encode())
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        h.update(f"dc:{type(obj).__qualname__}{{".encode())
        for f in dataclasses.fields(obj):
            h.update(f.name.encode() + b"=")
            _feed(h, getattr(obj, f.name))
        h.update(b"}")
    elif isinstance(obj, Mapping):
        h.update(b"map{")
        for key in sorted(obj, key=str):
            _feed(h, str(key))
            _feed(h, obj[key])
        h.update(b"}")
    elif isinstance(obj, list | tuple):
        h.update(f"seq{len(obj)}[".encode())
        for item in obj:
            _feed(h, item)
        h.update(b"]")
    elif isinstance(obj, bytes):
        h.update(f"b{len(obj)}:".encode() + obj)
    else:
        h.update(f"{type(obj).__qualname__}:{obj!r};".encode())


def fingerprint(*parts: object) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(f"digest-{__version__}-state{STATE_VERSION};".encode())
    for part in parts:
        _feed(h, part)
    return h.hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class OutputRecord:
    signature: str
    inputs: tuple[str, ...]


@dataclass(slots=True)
class DependencyMap:
    """output file -> its signature and input keys."""

    outputs: dict[str, OutputRecord] = field(default_factory=dict)

    def add(self, output: str, signature: str, inputs: Iterable[str]) -> None:
        self.outputs[output] = OutputRecord(signature=signature, inputs=tuple(inputs))

    def outputs_of(self, key: str) -> list[str]:
        """The outputs made (in part) from input ``key``, sorted."""
        return sorted(out for out, rec in self.outputs.items() if key in rec.inputs)

    def to_json(self) -> str:
        data = {
            "version": STATE_VERSION,
            "generator": __version__,
            "outputs": {
                out: {"signature": rec.signature, "inputs": list(rec.inputs)}
                for out, rec in sorted(self.outputs.items())
            },
        }
        return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> DependencyMap | None:
        """None when the text is not a state this version wrote: never trust it then."""
        try:
            data = json.loads(text)
            if data.get("version") != STATE_VERSION or data.get("generator") != __version__:
                return None
            outputs = {
                str(out): OutputRecord(
                    signature=str(rec["signature"]), inputs=tuple(map(str, rec["inputs"]))
                )
                for out, rec in data["outputs"].items()
            }
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        return cls(outputs)

    @classmethod
    def load(cls, path: Path) -> DependencyMap | None:
        try:
            return cls.from_json(path.read_text(encoding="utf-8"))
        except OSError:
            return None


def layout_inputs(closure: tuple[str, ...] | None, all_layouts: Iterable[str]) -> tuple[str, ...]:
    names = closure if closure is not None else tuple(sorted(all_layouts))
    return (CONFIG_KEY, *(layout_key(n) for n in names))
