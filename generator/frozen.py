"""Plain frozen data that goes to worker processes: a read-only dict that
pickles (``types.MappingProxyType`` does not), and quicker pickling for the
frozen dataclasses that travel most."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


def quick_pickle(cls: type[T]) -> type[T]:
    """A frozen dataclass with slots, pickled as the tuple of its fields
    (read with one C-level getter) and read back through its slots' own
    setters. The dataclass decorator's ``__getstate__`` and ``__setstate__``
    look its fields up again for every object: pickling every job and
    article of a 1,000-article site took 1.8 times the instructions each
    way (callgrind). The classes that cross between processes by the
    thousand (jobs and their contexts, items, parse results) take it."""
    if cls.__dict__.get("__setstate__") is not _DATACLASS_SETSTATE:
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with slots")
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    getter = operator.attrgetter(*names)
    one = len(names) == 1
    setters: tuple[Callable[[object, object], None], ...] = tuple(
        next(k.__dict__[n] for k in cls.__mro__ if n in k.__dict__).__set__ for n in names
    )

    def __getstate__(self: object) -> tuple[object, ...]:
        return (getter(self),) if one else getter(self)

    def __setstate__(self: object, state: tuple[object, ...]) -> None:
        for set_slot, value in zip(setters, state, strict=True):
            set_slot(self, value)

    cls.__getstate__ = __getstate__  # type: ignore[method-assign]
    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]
    return cls


@dataclasses.dataclass(frozen=True, slots=True)
class _Probe:
    value: int


_DATACLASS_SETSTATE = _Probe.__dict__["__setstate__"]


class FrozenDict(dict[K, V]):
    """A dict whose contents cannot change after it is made."""

    __slots__ = ()

    def _readonly(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("this mapping is read-only")

    __setitem__ = _readonly
    __delitem__ = _readonly
    __ior__ = _readonly
    clear = _readonly
    pop = _readonly
    popitem = _readonly
    setdefault = _readonly
    update = _readonly

    def __reduce__(self) -> tuple[type[FrozenDict[K, V]], tuple[dict[K, V]]]:
        return (type(self), (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=repr)))
