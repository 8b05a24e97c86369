"""Layout problems in an editor's words: a filter or test that does not
exist, a layout that ``extends`` or ``include``s a name nobody provides, a
variable or field a page does not have. Each is found as data (Jinja's
syntax tree, the undefined value a layout used) and told with the closest
known name as a hint; Jinja's own message text is never read apart."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NoReturn

import jinja2
from jinja2 import nodes
from jinja2.utils import missing, object_type_repr

from generator.diagnostics import Diagnostic, did_you_mean, error

NOT_FOUND_HINT = "add it to layouts/ or fix the name"
TEMPLATE_SUFFIXES = (".html", ".htm", ".xml", ".txt", ".json", ".svg")

# The tags that name another layout, and how a message calls them.
_REFERENCES: tuple[tuple[type[nodes.Node], str], ...] = (
    (nodes.Extends, "extends"),
    (nodes.Include, "include"),
    (nodes.Import, "import"),
    (nodes.FromImport, "import"),
)


def layout_hint(name: str, known: Iterable[str]) -> str:
    """The closest layout name when it is very close, else how to fix it.
    Names are compared without the ".html" they share, and in the same
    folder by their file names alone: "partials/" in common is no likeness."""
    folder, _, base = _stem(name).rpartition("/")

    def likeness(candidate: str) -> float:
        other_folder, _, other_base = _stem(candidate).rpartition("/")
        if other_folder == folder:
            return difflib.SequenceMatcher(None, base, other_base).ratio()
        return difflib.SequenceMatcher(None, _stem(name), _stem(candidate)).ratio()

    best = max(sorted(set(known)), key=likeness, default=None)  # the first, on a tie
    if best is None or likeness(best) < 0.8:
        return NOT_FOUND_HINT
    return f"did you mean {best!r}?"


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if name.endswith(TEMPLATE_SUFFIXES) else name


def unknown_filters_and_tests(
    tree: nodes.Template, env: jinja2.Environment, path: str
) -> list[Diagnostic]:
    """Every filter and test a layout names that the environment lacks, at
    its line; also those Jinja would only notice when an ``if`` reaches them."""
    diags = []
    for kind, node_type, known in (
        ("filter", nodes.Filter, env.filters),
        ("test", nodes.Test, env.tests),
    ):
        for node in tree.find_all(node_type):
            name = node.name
            if name not in known:
                diags.append(
                    error(
                        path,
                        f"no {kind} named {name!r}",
                        line=node.lineno,
                        hint=did_you_mean(name, known),
                    )
                )
    return diags


ReferenceTag = tuple[tuple[str, ...], str, int]  # the names it gives, the tag, its line


def reference_tags(tree: nodes.Template) -> list[ReferenceTag]:
    """Every ``extends``/``include``/``import`` tag that names its layouts as
    text (the names, the tag, its line), but an ``include`` that may miss."""
    tags = []
    for node_type, tag in _REFERENCES:
        for node in tree.find_all(node_type):
            if isinstance(node, nodes.Include) and node.ignore_missing:
                continue
            targets = _constant_names(node.template)  # type: ignore[attr-defined]
            if targets:  # else named at render time
                tags.append((tuple(targets), tag, node.lineno))
    return tags


def missing_references(
    tags: Iterable[ReferenceTag], path: str, exists: Callable[[str], bool], names: Iterable[str]
) -> list[Diagnostic]:
    """An error at every tag (``reference_tags``) whose layout does not
    exist: said once, at the tag, whatever the pages that use it."""
    known = list(names)
    diags = []
    for targets, tag, line in tags:
        if any(exists(t) for t in targets):
            continue
        diags.append(
            error(
                path,
                f"layout {targets[0]!r} not found ({tag})",
                line=line,
                hint=layout_hint(targets[0], known),
            )
        )
    return diags


def _constant_names(node: nodes.Expr) -> list[str]:
    """The layout names a tag gives as text ("a.html" or ["a.html", "b.html"]);
    none when a name is only known at render time."""
    items = node.items if isinstance(node, nodes.List | nodes.Tuple) else [node]
    names = [n.value for n in items if isinstance(n, nodes.Const) and isinstance(n.value, str)]
    return names if len(names) == len(items) else []


def assigned_names(tree: nodes.Template) -> Iterator[str]:
    """The names a layout makes itself: ``set``, ``for``, macros and their
    arguments, imports."""
    for node in tree.find_all((nodes.Name, nodes.Macro, nodes.Import, nodes.FromImport)):
        if isinstance(node, nodes.Macro) or (
            isinstance(node, nodes.Name) and node.ctx in ("store", "param")
        ):
            yield node.name
        elif isinstance(node, nodes.Import):
            yield node.target
        elif isinstance(node, nodes.FromImport):
            for item in node.names:
                yield item[1] if isinstance(item, tuple) else item


# -- a name or field that is not there, at render time -----------------------------------


class UndefinedUse(jinja2.UndefinedError):
    """A layout used a variable or a field that does not exist. ``name`` is
    what it asked for; ``owner`` the object it asked (``missing`` for a
    variable)."""

    def __init__(self, message: str, *, name: object, owner: object) -> None:
        super().__init__(message)
        self.name = name
        self.owner = owner


class LayoutUndefined(jinja2.StrictUndefined):
    """``StrictUndefined`` whose error says, as data, what was missing."""

    __slots__ = ()

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise UndefinedUse(
            self._undefined_message, name=self._undefined_name, owner=self._undefined_obj
        )

    # Jinja binds these to the base class's function, not to an override:
    # bind them again, as ``StrictUndefined`` does.
    __iter__ = __str__ = __len__ = __contains__ = _fail_with_undefined_error
    __eq__ = __ne__ = __bool__ = __hash__ = _fail_with_undefined_error
    __add__ = __radd__ = __sub__ = __rsub__ = _fail_with_undefined_error
    __mul__ = __rmul__ = __div__ = __rdiv__ = _fail_with_undefined_error
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _fail_with_undefined_error
    __mod__ = __rmod__ = __pos__ = __neg__ = __pow__ = __rpow__ = _fail_with_undefined_error
    __call__ = __getitem__ = _fail_with_undefined_error
    __lt__ = __le__ = __gt__ = __ge__ = _fail_with_undefined_error
    __int__ = __float__ = __complex__ = _fail_with_undefined_error


def undefined_problem(exc: UndefinedUse, variables: Iterable[str]) -> tuple[str, str | None]:
    """The message and hint for a layout's use of something not there;
    ``variables`` are the names the layout could have meant."""
    name, owner = exc.name, exc.owner
    if not isinstance(name, str):
        return f"undefined variable: {exc.message}", None
    if owner is missing:
        return f"no variable named {name!r}", did_you_mean(name, variables)
    if isinstance(owner, Mapping):
        fields = [k for k in owner if isinstance(k, str)]
    else:
        fields = [f for f in dir(owner) if not f.startswith("_")]
    return (
        f"undefined variable: {_describe_owner(owner)} has no attribute {name!r}",
        did_you_mean(name, fields),
    )


def _describe_owner(owner: object) -> str:
    cls = type(owner)
    if cls.__module__.startswith("generator."):  # a page's article, teaser, paginator...
        return "Article" if cls.__name__ == "ArticleView" else cls.__name__
    return repr(object_type_repr(owner))
