"""A ``Renderer`` holds a Jinja environment for one site and its settings; it
makes a job's context real (``materialize``) and runs the job's layout or
built-in writer. Layout problems come back as diagnostics naming the layout
file, its line, and the page being rendered.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2

from generator.config import SiteConfig
from generator.diagnostics import Diagnostic, error
from generator.load import LAYOUTS_DIR, is_ignored
from generator.model.refs import Items
from generator.plan import Job
from generator.publish.feeds import json_feed
from generator.publish.sitemaps import PRODUCERS as SITEMAP_PRODUCERS
from generator.render.info import LayoutInfo
from generator.render.layouts import TEMPLATE_SUFFIXES, analyse_layouts, make_env, syntax_error
from generator.render.materialize import materialize

__all__ = ["PRODUCERS", "Renderer"]

PRODUCERS: Mapping[str, Callable[[Mapping[str, Any]], bytes]] = {
    **SITEMAP_PRODUCERS,
    "json_feed": json_feed,
}


class Renderer:
    """Renders the jobs of one site with one set of settings."""

    def __init__(self, site_dir: Path, config: SiteConfig) -> None:
        self.config = config
        self.env, self.layouts = make_env(site_dir, config)

    def analyse(self) -> LayoutInfo:
        return analyse_layouts(self.env, self.layouts)

    def missing(self, names: set[str], users: Mapping[str, tuple[str, int]]) -> list[Diagnostic]:
        """One error per layout that pages need and nobody provides; ``users``
        gives, per name, the first page needing it and how many do."""
        diags = []
        assert self.env.loader is not None
        for name in sorted(names):
            try:
                self.env.loader.get_source(self.env, name)
            except jinja2.TemplateNotFound:
                first, count = users[name]
                others = f" and {count - 1} more" if count > 1 else ""
                diags.append(
                    error(
                        f"{LAYOUTS_DIR}/{name}",
                        f"layout {name!r} not found (needed for {first}{others})",
                        hint="add it to layouts/ or fix the name",
                    )
                )
        return diags

    def render(self, job: Job, items: Items) -> tuple[bytes | None, Diagnostic | None]:
        """The bytes of ``job``'s output, or the layout's error."""
        context = materialize(job.context, items, self.config)
        if job.layout is None:
            assert job.producer is not None
            return PRODUCERS[job.producer](context), None
        try:
            template = self.env.get_template(job.layout)
            text = template.render(context)
        except jinja2.TemplateSyntaxError as exc:
            return None, syntax_error(exc, self.layouts)
        except jinja2.TemplateNotFound as exc:
            return None, error(
                f"{LAYOUTS_DIR}/{job.layout}",
                f"layout {exc.name!r} not found (needed for {job.origin})",
                hint=f"add it to {LAYOUTS_DIR}/ or fix the name",
            )
        except Exception as exc:  # a layout's runtime error: undefined names, bad filters
            filename, line = _template_frame(exc)
            return None, Diagnostic(
                path=self.layouts.display(filename),
                message=_describe(exc),
                line=line,
                rendering=job.origin,
            )
        if not text.endswith("\n"):
            text += "\n"
        return text.encode("utf-8"), None


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost traceback frame that is in a layout file."""
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(TEMPLATE_SUFFIXES) and not is_ignored(Path(frame.filename).name):
            found = (frame.filename, frame.lineno)
    return found


_OBJECT_REPR = re.compile(r"'generator\.[\w.]+\.(\w+) object'")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        # "'generator.model.items.ArticleView object' has no attribute 'x'" -> "Article ..."
        message = _OBJECT_REPR.sub(r"\1", exc.message or "")
        return "undefined variable: " + message.replace("ArticleView", "Article", 1)
    return f"{type(exc).__name__}: {exc}"
