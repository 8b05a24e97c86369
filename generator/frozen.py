"""Plain frozen data that goes to worker processes: a read-only dict that
pickles (``types.MappingProxyType`` does not), and quicker pickling and
making for the frozen dataclasses made and sent by the thousand."""

from __future__ import annotations

import dataclasses
import inspect
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
        _slot(cls, n).__set__ for n in names
    )

    def __getstate__(self: object) -> tuple[object, ...]:
        return (getter(self),) if one else getter(self)

    def __setstate__(self: object, state: tuple[object, ...]) -> None:
        for set_slot, value in zip(setters, state, strict=True):
            set_slot(self, value)

    cls.__getstate__ = __getstate__  # type: ignore[method-assign]
    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]
    return cls


def quick_init(cls: type[T]) -> type[T]:
    """A frozen dataclass with slots whose ``__init__`` sets each slot
    through the slot's own setter. The dataclass decorator's calls
    ``object.__setattr__`` by name for every field (the price of
    ``frozen``): about 2.5 times the time for an object of eight fields.
    The parameters, defaults and default factories are the decorator's
    (checked: the signatures must be equal). For the classes made by the
    ten thousand on every build: each article's skeleton, place, teaser
    and article, and each page's job."""
    if not (dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen):  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__} is not a frozen dataclass")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__")
    given = inspect.signature(cls.__init__)
    scope: dict[str, Any] = {}
    positional: list[str] = []
    keywords: list[str] = []
    lines: list[str] = []
    for f in dataclasses.fields(cls):
        name = f.name
        slot = _slot(cls, name)
        if not f.init or type(slot).__name__ != "member_descriptor":
            raise TypeError(f"{cls.__name__}.{name} is not a slot that __init__ sets")
        scope[f"_set_{name}"] = slot.__set__
        param = name
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            # The decorator's own default: the value, or its mark for a factory.
            scope[f"_default_{name}"] = given.parameters[name].default
            param = f"{name}=_default_{name}"
        if f.default_factory is not dataclasses.MISSING:
            scope[f"_factory_{name}"] = f.default_factory
            lines.append(f"    if {name} is _default_{name}: {name} = _factory_{name}()")
        (keywords if f.kw_only else positional).append(param)
        lines.append(f"    _set_{name}(self, {name})")
    params = ", ".join(["self", *positional, *(["*", *keywords] if keywords else [])])
    exec(f"def __init__({params}):\n" + "\n".join(lines or ["    pass"]), scope)
    made = scope["__init__"]
    made.__qualname__ = f"{cls.__qualname__}.__init__"
    if _parameters(inspect.signature(made)) != _parameters(given):
        raise TypeError(f"{cls.__name__}: quick_init would change the parameters")
    cls.__init__ = made  # type: ignore[method-assign]
    return cls


def _slot(cls: type, name: str) -> Any:
    """What the class (or the nearest of its bases) holds under ``name``:
    a field's slot descriptor, for a dataclass with slots."""
    return next((k.__dict__[name] for k in cls.__mro__ if name in k.__dict__), None)


def _parameters(signature: inspect.Signature) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


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
