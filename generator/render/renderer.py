"""A ``Renderer`` holds a Jinja environment for one site and its settings; it
makes a job's context real (``materialize``) and runs the job's layout or
built-in writer. Layout problems come back as diagnostics naming the layout
file, its line, and the page being rendered.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2

from generator.config import SiteConfig
from generator.diagnostics import Diagnostic
from generator.load import LAYOUTS_DIR, is_ignored
from generator.model.refs import Items
from generator.plan import Job
from generator.publish.feeds import json_feed
from generator.publish.redirects import PRODUCERS as REDIRECT_PRODUCERS
from generator.publish.sitemaps import PRODUCERS as SITEMAP_PRODUCERS
from generator.render.info import LayoutInfo
from generator.render.layouts import MacroCache, analyse_layouts, make_env, syntax_error
from generator.render.materialize import materialize
from generator.render.problems import (
    TEMPLATE_SUFFIXES,
    UndefinedUse,
    assigned_names,
    layout_hint,
    undefined_problem,
)

__all__ = ["PRODUCERS", "Renderer"]

PRODUCERS: Mapping[str, Callable[[Mapping[str, Any]], bytes]] = {
    **SITEMAP_PRODUCERS,
    **REDIRECT_PRODUCERS,
    "json_feed": json_feed,
}


class Renderer:
    """Renders the jobs of one site with one set of settings."""

    def __init__(self, site_dir: Path, config: SiteConfig, carried: Renderer | None = None) -> None:
        """``carried``: the renderer this one replaces after a layout edit;
        for the same site and settings, its macro cache carries over."""
        self.config = config
        self.site_dir = site_dir
        same = (
            carried is not None
            and carried.site_dir == site_dir
            and carried.config.fingerprint() == config.fingerprint()
        )
        self.macros: MacroCache = carried.macros if same and carried is not None else MacroCache()
        self.env, self.layouts = make_env(site_dir, config, self.macros)

    def analyse(self) -> LayoutInfo:
        return analyse_layouts(self.env, self.layouts)

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
        except jinja2.TemplateNotFound as exc:  # a layout named at render time
            filename, line = _template_frame(exc)
            return None, Diagnostic(
                path=self.layouts.display(filename) if filename else f"{LAYOUTS_DIR}/{job.layout}",
                message=f"layout {exc.name!r} not found",
                line=line,
                hint=layout_hint(str(exc.name), self.layouts.suggestions()),
                rendering=job.origin,
            )
        except UndefinedUse as exc:
            filename, line = _template_frame(exc)
            message, hint = undefined_problem(exc, self._variables(context, filename))
            return None, Diagnostic(
                path=self.layouts.display(filename),
                message=message,
                line=line,
                hint=hint,
                rendering=job.origin,
            )
        except Exception as exc:  # a layout's other runtime errors
            filename, line = _template_frame(exc)
            return None, Diagnostic(
                path=self.layouts.display(filename),
                message=f"{type(exc).__name__}: {exc}",
                line=line,
                rendering=job.origin,
            )
        if not text.endswith("\n"):
            text += "\n"
        return text.encode("utf-8"), None

    def _variables(self, context: Mapping[str, Any], filename: str | None) -> list[str]:
        """The names a layout that used an unknown one could have meant: the
        page's, the globals, and those the layout file makes itself."""
        names = [*context, *self.env.globals]
        if filename:
            try:
                source = Path(filename).read_text(encoding="utf-8")
                names += assigned_names(self.env.parse(source))
            except (OSError, UnicodeDecodeError, jinja2.TemplateSyntaxError):
                pass  # the suggestion is a nicety; the error stands without it
        return names


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost traceback frame that is in a layout file."""
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(TEMPLATE_SUFFIXES) and not is_ignored(Path(frame.filename).name):
            found = (frame.filename, frame.lineno)
    return found
