"""Jinja: the environment (site layouts over the built-in theme) and rendering
one job to bytes. Layout problems come back as diagnostics naming the layout
file and line."""

from __future__ import annotations

import datetime as dt
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from generator import urls
from generator.bodies import BodyStore
from generator.config import SiteConfig, format_date
from generator.diagnostics import Diagnostic, error
from generator.feeds import JSON_FEED_PATH, absolute, json_feed
from generator.load import LAYOUTS_DIR, STATIC_DIR, THEME_DIR, is_ignored, walk
from generator.metadata import news_article_ld
from generator.model import Article, with_html
from generator.plan import Job
from generator.sitemap import PRODUCERS as SITEMAP_PRODUCERS

THEME_LAYOUTS = THEME_DIR / "layouts"
THEME_PREFIX = "theme"  # {% extends "theme/article.html" %} reaches the built-in layout
TEMPLATE_SUFFIXES = (".html", ".htm", ".xml", ".txt", ".json")


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteInfo:
    """``site`` in every layout."""

    title: str
    description: str
    language: str
    url: str  # the home page
    tags_url: str
    base_url: str
    feed_url: str | None  # the Atom feed; None when base_url has no host
    json_feed_url: str | None
    params: Mapping[str, Any]


def site_info(config: SiteConfig) -> SiteInfo:
    return SiteInfo(
        title=config.title,
        description=config.description,
        language=config.language,
        url=urls.url_for(config, "/"),
        tags_url=urls.url_for(config, urls.tags_index_path(config)),
        base_url=config.base_url,
        feed_url=urls.url_for(config, urls.feed_path("/")) if config.absolute_base else None,
        json_feed_url=urls.url_for(config, JSON_FEED_PATH) if config.absolute_base else None,
        params=config.params,
    )


class Layouts:
    """Where layouts come from: the site's ``layouts/`` first, then the theme."""

    def __init__(self, site_dir: Path) -> None:
        self.site_layouts = site_dir / LAYOUTS_DIR
        self.site_dir = site_dir

    def loader(self) -> jinja2.BaseLoader:
        theme = jinja2.FileSystemLoader(str(THEME_LAYOUTS), encoding="utf-8")
        return jinja2.ChoiceLoader(
            [
                jinja2.PrefixLoader({THEME_PREFIX: theme}),
                jinja2.FileSystemLoader(str(self.site_layouts), encoding="utf-8"),
                theme,
            ]
        )

    def names(self) -> list[str]:
        """Every layout name, site and theme, sorted."""
        found: set[str] = set()
        for root in (self.site_layouts, THEME_LAYOUTS):
            for path in walk(root):
                rel = path.relative_to(root).as_posix()
                if rel.startswith(STATIC_DIR + "/") or not rel.endswith(TEMPLATE_SUFFIXES):
                    continue
                found.add(rel)
        return sorted(found)

    def display(self, filename: str | None) -> str:
        """A layout file as a user should read it in a message."""
        if not filename:
            return LAYOUTS_DIR
        path = Path(filename)
        try:
            return path.resolve().relative_to(self.site_dir.resolve()).as_posix()
        except ValueError:
            pass
        try:
            rel = path.resolve().relative_to(THEME_LAYOUTS.resolve()).as_posix()
            return f"<built-in theme>/{rel}"
        except ValueError:
            return filename


PRODUCERS: Mapping[str, Callable[[Mapping[str, Any]], bytes]] = {
    **SITEMAP_PRODUCERS,
    "json_feed": json_feed,
}


def make_env(site_dir: Path, config: SiteConfig) -> tuple[jinja2.Environment, Layouts]:
    layouts = Layouts(site_dir)
    env = jinja2.Environment(
        loader=layouts.loader(),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals["site"] = site_info(config)
    env.globals["asset"] = lambda path: urls.url_for(config, f"/{STATIC_DIR}/{path.lstrip('/')}")
    env.filters["date"] = lambda value: format_date(value, config)
    env.filters["iso"] = iso
    env.filters["absolute"] = lambda url: absolute(config, url)
    env.globals["news_article_ld"] = lambda article: news_article_ld(article, config)
    env.globals["cached"] = MacroCache()
    return env, layouts


_MISSING = object()


class MacroCache:
    """``cached(macro, args...)`` in a layout: the macro's output for those
    arguments, rendered once per build and reused on every page that asks
    again, like Hugo's ``partialCached``. For macros whose output depends on
    nothing but their arguments, ``site`` and the filters: a teaser is shown
    on its tag, archive and index pages and in related boxes, and rendering
    it once is most of the time those pages take. Arguments are compared by
    value; unhashable ones render without the cache."""

    def __init__(self) -> None:
        self._memo: dict[object, Any] = {}
        self._previous: dict[object, Any] = {}  # the last build's (see ``new_build``)

    def __call__(self, macro: Any, /, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(macro, jinja2.runtime.Macro):
            raise TypeError(f"cached() takes a macro first, not {type(macro).__name__}")
        # The macro's code: the same for every page, even when it is
        # imported "with context" (a new Macro object on every page).
        code = getattr(getattr(macro, "_func", None), "__code__", macro)
        key = (code, args, tuple(sorted(kwargs.items())))
        try:
            return self._memo[key]
        except KeyError:
            pass
        except TypeError:  # unhashable arguments
            return macro(*args, **kwargs)
        value = self._previous.get(key, _MISSING)
        if value is _MISSING:
            value = macro(*args, **kwargs)
        self._memo[key] = value
        return value

    def next_build(self) -> None:
        """What the last build rendered stays usable for one more build, then
        goes: a teaser edited away is not kept for ever."""
        self._previous, self._memo = self._memo, {}


def new_build(env: jinja2.Environment) -> None:
    """Start a build with an environment that outlives builds (the preview's).
    Its settings and layouts are the ones the cached macros were rendered
    with (a change of either makes a new environment), so their outputs for
    equal arguments are still right."""
    cache = env.globals.get("cached")
    if isinstance(cache, MacroCache):
        cache.next_build()


def iso(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def layout_files_key(site_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Every layout file with its mtime and size: equal keys, same layouts."""
    found = []
    for label, root in (("site", site_dir / LAYOUTS_DIR), ("theme", THEME_LAYOUTS)):
        for path in walk(root):
            st = path.stat()
            found.append(
                (f"{label}/{path.relative_to(root).as_posix()}", st.st_mtime_ns, st.st_size)
            )
    return tuple(found)


def check_layouts(env: jinja2.Environment, layouts: Layouts) -> list[Diagnostic]:
    """Compile every layout, used or not, so a syntax error anywhere is found."""
    diags: list[Diagnostic] = []
    for name in layouts.names():
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            diags.append(_syntax_error(exc, layouts))
        except jinja2.TemplateError as exc:
            diags.append(error(layouts.display(None) + "/" + name, str(exc)))
    return diags


def layout_closure(env: jinja2.Environment, name: str) -> tuple[str, ...] | None:
    """Every layout ``name`` uses through extends/include/import, itself included.
    None when a dynamic name makes it unknowable (then: depends on every layout)."""
    seen: list[str] = []
    stack = [name]
    assert env.loader is not None
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.append(current)
        try:
            source, _, _ = env.loader.get_source(env, current)
        except jinja2.TemplateNotFound:
            continue
        for ref in meta.find_referenced_templates(env.parse(source)):
            if ref is None:
                return None
            stack.append(ref)
    return tuple(sorted(seen))


def render_job(
    env: jinja2.Environment, layouts: Layouts, job: Job, bodies: BodyStore
) -> tuple[bytes | None, Diagnostic | None]:
    """The bytes of ``job``'s output, or the layout's error. An article
    page's body is read from ``bodies``: a body that cannot be read back is
    not the layout's fault, so that raises ``bodies.BodyError``."""
    if job.layout is None:
        assert job.producer is not None
        return PRODUCERS[job.producer](job.context), None
    context = job.context
    article = context.get("article")
    if isinstance(article, Article):  # raises BodyError if its body is gone
        context = {**context, "article": with_html(article, bodies.read(article.body))}
    try:
        template = env.get_template(job.layout)
        text = template.render(context)
    except jinja2.TemplateSyntaxError as exc:
        return None, _syntax_error(exc, layouts)
    except jinja2.TemplateNotFound as exc:
        return None, error(
            f"{LAYOUTS_DIR}/{job.layout}",
            f"layout {exc.name!r} not found (needed for {job.origin})",
            hint=f"add it to {LAYOUTS_DIR}/ or fix the name",
        )
    except Exception as exc:  # a layout's runtime error: undefined names, bad filters
        filename, line = _template_frame(exc)
        return None, error(
            layouts.display(filename),
            f"{_describe(exc)}{WHILE_RENDERING}{job.origin})",
            line=line,
        )
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8"), None


def _syntax_error(exc: jinja2.TemplateSyntaxError, layouts: Layouts) -> Diagnostic:
    where = exc.filename or (f"{LAYOUTS_DIR}/{exc.name}" if exc.name else None)
    return error(layouts.display(where), f"layout syntax error: {exc.message}", line=exc.lineno)


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost traceback frame that is in a layout file."""
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(TEMPLATE_SUFFIXES) and not is_ignored(Path(frame.filename).name):
            found = (frame.filename, frame.lineno)
    return found


_OBJECT_REPR = re.compile(r"'generator\.\w+\.(\w+) object'")
WHILE_RENDERING = " (while rendering "


def _describe(exc: BaseException) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        # "'generator.model.Article object' has no attribute 'x'" -> "Article has no ..."
        message = _OBJECT_REPR.sub(r"\1", exc.message or "")
        return f"undefined variable: {message}"
    return f"{type(exc).__name__}: {exc}"
