"""The Jinja environment layouts run in: Jinja's, with what a renderer does
not need taken out of the way of every page. A renderer is made for one set
of settings and layouts (made again when a layout changes), and sets the
environment's globals once, before any layout is loaded (``make_env``).

What each part saves was measured on the render stage of a 2,000-article
bench site with the built-in theme (docs/SPEED.md).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from types import CodeType
from typing import Any

import jinja2
import markupsafe

try:  # the C function behind markupsafe.escape, without the Markup around it
    from markupsafe import _escape_inner  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another markupsafe: Jinja's own escape stays
    _escape_inner = None  # type: ignore[assignment]


def escape_output(value: Any) -> str:
    """What ``{{ value }}`` writes: the text of ``markupsafe.escape(value)``.

    Jinja's compiled code calls ``escape`` on each expression an output
    statement writes, and nowhere else; what it writes it yields, or
    collects and joins as HTML itself (``Markup(concat(...))`` for a
    ``{% set %}`` block, a macro, a filter block). So the text serves as
    well as a ``Markup`` of it, which costs an object and a Python call
    more: a tenth of the render stage (~75 expressions a page).
    ``tests/test_render_speed.py`` renders every such construct both ways."""
    cls = type(value)
    if cls is str:
        return _escape_inner(value)
    if cls is markupsafe.Markup:  # a macro's output, a body: escape() would copy it
        return value  # type: ignore[no-any-return]
    if cls is int:  # digits
        return str(value)
    return markupsafe.escape(value)


class LayoutTemplate(jinja2.Template):
    """A layout whose ``{{ ... }}`` write through ``escape_output``."""

    @classmethod
    def from_code(
        cls,
        environment: jinja2.Environment,
        code: CodeType,
        globals: MutableMapping[str, Any],
        uptodate: Any = None,
    ) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        # The functions of a compiled layout (root, blocks, macros) share the
        # module's namespace, where its code imported Jinja's ``escape``.
        namespace = template.root_render_func.__globals__
        if _escape_inner is not None and namespace.get("escape") is markupsafe.escape:
            namespace["escape"] = escape_output
        return template


class LayoutEnvironment(jinja2.Environment):
    """A Jinja environment for globals that never change.

    Each template's globals are a plain dict, not Jinja's ``ChainMap`` over
    the environment's (which lets later changes to them show): every page's
    context, every include's and every ``{% from ... import %}`` copies or
    compares them, and a ``ChainMap`` does that in Python, key by key.

    A layout once loaded is found by its name alone: includes and imports
    ask for theirs on every page (six times a page with the built-in
    theme), and Jinja's own lookup makes a weak reference and a key each
    time. Give ``cache_size=-1`` too, so that its cache is a plain dict."""

    template_class = LayoutTemplate

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._loaded: dict[str, jinja2.Template] = {}

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}

    def get_template(
        self,
        name: str | jinja2.Template,
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.Template:
        if globals is not None or not isinstance(name, str):
            return super().get_template(name, parent, globals)
        # join_path is Jinja's own: the name is the name, whoever asks.
        template = self._loaded.get(name)
        if template is None:
            template = self._loaded[name] = super().get_template(name, parent)
        return template
