"""Layouts: the Jinja environment (the site's ``layouts/`` over the built-in
theme), and what the build needs to know of the layouts before it renders:
which exist, which ones each layout reaches, a fingerprint of each, and
their syntax errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator.config import SiteConfig, format_date
from generator.diagnostics import Diagnostic, error
from generator.fingerprint import fingerprint
from generator.images.picture import Picture, picture_html
from generator.load import LAYOUTS_DIR, STATIC_DIR, THEME_DIR, scan
from generator.model import urls
from generator.publish.feeds import JSON_FEED_PATH, absolute
from generator.publish.jsonld import breadcrumb_ld, news_article_ld, profile_page_ld
from generator.render import compiled
from generator.render.environment import LayoutEnvironment
from generator.render.info import MISSING, LayoutInfo
from generator.render.problems import (
    TEMPLATE_SUFFIXES,
    LayoutUndefined,
    missing_references,
)
from generator.search import SEARCH_PATH

THEME_LAYOUTS = THEME_DIR / "layouts"
THEME_PREFIX = "theme"  # {% extends "theme/article.html" %} reaches the built-in layout


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
    favicon_url: str  # the site's icon (favicon: in site.yaml)
    search_url: str | None  # the search page; None with search: false
    params: Mapping[str, Any]
    authors_url: str  # the authors index
    sections: tuple[NavItem, ...] = ()  # sections: in site.yaml, in order
    nav: tuple[NavItem, ...] = ()  # nav: in site.yaml


@dataclass(frozen=True, slots=True, kw_only=True)
class NavItem:
    """A link of the site's navigation: a section's page, or a nav: link."""

    label: str
    url: str
    key: str = ""  # the section's key ("" for a nav: link)
    description: str = ""


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
        favicon_url=urls.favicon_url(config),
        search_url=urls.url_for(config, SEARCH_PATH) if config.search else None,
        params=config.params,
        authors_url=urls.url_for(config, urls.authors_index_path(config)),
        sections=tuple(
            NavItem(
                label=s.name,
                url=urls.url_for(config, urls.section_path(config, s.key)),
                key=s.key,
                description=s.description,
            )
            for s in config.sections
        ),
        nav=tuple(NavItem(label=link.label, url=_nav_url(config, link.url)) for link in config.nav),
    )


def _nav_url(config: SiteConfig, url: str) -> str:
    """A nav: link: a path from the site's root goes under the base URL's path."""
    return urls.url_for(config, url) if url.startswith("/") and not url.startswith("//") else url


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
        return self.names_and_suggestions()[0]

    def suggestions(self) -> list[str]:
        """Every name a tag can give: the layouts, and the theme's under ``theme/``."""
        return self.names_and_suggestions()[1]

    def names_and_suggestions(self) -> tuple[list[str], list[str]]:
        """``names`` and ``suggestions``, from one look at each folder."""
        theme = _layout_files(THEME_LAYOUTS)
        names = sorted({*_layout_files(self.site_layouts), *theme})
        return names, [*names, *(f"{THEME_PREFIX}/{n}" for n in theme)]

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

    def origin(self, filename: str | None) -> str:
        """Where a layout file is, without this machine's paths: "site"/"theme"."""
        if filename and Path(filename).resolve().is_relative_to(THEME_LAYOUTS.resolve()):
            return "theme"
        return "site"


def _layout_files(root: Path) -> list[str]:
    return [
        entry.rel
        for entry in scan(root)
        if entry.rel.endswith(TEMPLATE_SUFFIXES) and not entry.rel.startswith(STATIC_DIR + "/")
    ]


def make_env(
    site_dir: Path, config: SiteConfig, macros: MacroCache | None = None
) -> tuple[jinja2.Environment, Layouts]:
    """``macros``: the cache of the last environment for this site and these
    settings, when a layout changed (``MacroCache``)."""
    layouts = Layouts(site_dir)
    env = LayoutEnvironment(
        loader=layouts.loader(),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml", "svg"], default_for_string=True),
        undefined=LayoutUndefined,  # a layout using a name that is not there fails
        keep_trailing_newline=True,
        auto_reload=False,  # the renderer is made again when a layout changes
        cache_size=-1,  # every layout stays loaded (a plain dict: no LRU bookkeeping per lookup)
        bytecode_cache=compiled.CODE,  # each text compiled once a process (render/compiled.py)
    )
    env.globals["site"] = site_info(config)
    env.globals["asset"] = lambda path: urls.url_for(config, f"/{STATIC_DIR}/{path.lstrip('/')}")
    env.filters["date"] = lambda value: format_date(value, config)
    env.filters["iso"] = iso
    env.filters["absolute"] = lambda url: absolute(config, url)
    env.globals["news_article_ld"] = lambda article: news_article_ld(article, config)
    env.globals["breadcrumb_ld"] = lambda article: breadcrumb_ld(article, config)
    env.globals["profile_page_ld"] = lambda author: profile_page_ld(author, config)
    env.globals["cached"] = macros if macros is not None else MacroCache()
    env.filters["picture"] = picture_filter
    return env, layouts


def picture_filter(
    picture: Picture | None,
    alt: str = "",
    sizes: str = "100vw",
    eager: bool = False,
    css_class: str | None = None,
) -> Markup:
    """``{{ t.picture|picture(alt=t.image_alt, sizes="20rem") }}``: a teaser's
    or an article's image with every size and format it is published in
    (``eager=true`` for the one image a page should load first)."""
    if picture is None:
        return Markup("")
    return picture_html(picture, alt=alt, sizes=sizes, eager=eager, css_class=css_class)


_MISSING = object()


class MacroCache:
    """``cached(macro, args...)`` in a layout: the macro's output for those
    arguments, rendered once and reused on every page that asks again, like
    Hugo's ``partialCached``. For macros whose output depends on nothing but
    their arguments, ``site`` and the filters: a teaser is shown on its tag,
    archive and index pages and in related boxes, and rendering it once is
    most of the time those pages take. Arguments are compared by value;
    unhashable ones render without the cache.

    It serves one site with one set of settings, and outlives a layout
    edit: an output is kept under the fingerprint of every layout the
    macro's own layout reaches (``use``), so a footer edited leaves the
    teasers as they were, and a teaser's layout edited makes them again.
    (On 10,000 articles, making the teasers again was 6% of a footer
    edit's rendering under cProfile: 18,042 of them, 0.83 of 13.1 s.)"""

    def __init__(self) -> None:
        self._memo: dict[object, Any] = {}
        # The same by identity: the hash of a teaser is every field's, of a
        # code object its bytecode's, and the same objects come back page
        # after page. An entry holds them, so no other object takes their ids.
        self._same: dict[object, tuple[object, tuple[Any, ...], Any]] = {}
        self._layouts = ""  # the fingerprint of every layout's text
        self._closures: Mapping[str, str] = {}
        self._scope: dict[int, tuple[object, str]] = {}  # id(code) -> (code, what it reaches)

    def use(self, layouts: str, closures: Mapping[str, str]) -> None:
        """The layouts of the pages that render next: the fingerprint of
        every layout's text, and each layout's name -> the fingerprint of
        every layout it reaches (``LayoutInfo.closure_prints``)."""
        if layouts != self._layouts:
            self._layouts, self._closures = layouts, closures
            self._scope.clear()

    def __call__(self, macro: Any, /, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(macro, jinja2.runtime.Macro):
            raise TypeError(f"cached() takes a macro first, not {type(macro).__name__}")
        # The macro's code: the same for every page, even when it is
        # imported "with context" (a new Macro object on every page).
        func = getattr(macro, "_func", None)
        code = getattr(func, "__code__", macro)
        scope = self._scope.get(id(code))
        if scope is None or scope[0] is not code:
            scope = (code, self._reach(func))
            self._scope[id(code)] = scope
        where = scope[1]
        same = (where, id(code), *map(id, args), *kwargs.items())
        try:
            known = self._same.get(same)
        except TypeError:  # unhashable arguments
            return macro(*args, **kwargs)
        if known is not None:
            return known[2]
        key = (where, code, args, tuple(sorted(kwargs.items())))
        try:
            value = self._memo.get(key, _MISSING)
        except TypeError:  # unhashable arguments
            return macro(*args, **kwargs)
        if value is _MISSING:
            value = macro(*args, **kwargs)
            if len(self._memo) >= MACRO_CACHE_SIZE:
                self._memo.clear()  # a long preview session: start again
                self._same.clear()
            self._memo[key] = value
        if len(self._same) >= MACRO_CACHE_SIZE:
            self._same.clear()
        self._same[same] = (code, args, value)
        return value

    def _reach(self, func: Any) -> str:
        """What a macro's output may depend on besides its arguments: every
        layout its own layout reaches (Jinja's code names its layout
        ``name``), or these layouts only."""
        name = getattr(func, "__globals__", {}).get("name")
        known = self._closures.get(name) if isinstance(name, str) else None
        return f"reach:{known}" if known is not None else f"layouts:{self._layouts}"


MACRO_CACHE_SIZE = 200_000


def iso(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


# -- what the build knows of the layouts ----------------------------------------------


def analyse_layouts(env: jinja2.Environment, layouts: Layouts) -> LayoutInfo:
    """Read and compile every layout, used or not, so that a syntax error,
    an unknown filter or test, or a tag naming a layout that does not exist
    is found, once, wherever it is; follow what each one reaches."""
    assert env.loader is not None
    names, suggestions = layouts.names_and_suggestions()
    prints: dict[str, str] = {}
    references: dict[str, tuple[str, ...] | None] = {}
    diags: list[Diagnostic] = []

    def read(name: str) -> None:
        if name in prints:
            return
        assert env.loader is not None
        try:
            source, filename, _ = env.loader.get_source(env, name)
        except jinja2.TemplateNotFound:
            prints[name] = MISSING
            references[name] = ()
            return
        prints[name] = fingerprint(layouts.origin(filename), name, source)
        references[name] = ()
        path = layouts.display(filename)
        reading = compiled.read(env, name, filename, source, path)
        if reading.syntax_error is not None:
            diags.append(syntax_error(reading.syntax_error, layouts))
            return
        references[name] = reading.references
        problems = [*reading.unknown]
        problems += missing_references(reading.tags, path, exists, suggestions)
        diags.extend(problems)
        if not problems and reading.compile_error is not None:
            diags.append(syntax_error(reading.compile_error, layouts))

    def exists(name: str) -> bool:
        read(name)
        return prints[name] != MISSING

    for name in names:
        read(name)
    closures: dict[str, tuple[str, ...] | None] = {}
    for name in names:
        closures[name] = _closure(name, references, read)
    return LayoutInfo(
        names=tuple(names),
        prints=prints,
        closures=closures,
        diagnostics=tuple(diags),
    )


def _closure(
    name: str, references: dict[str, tuple[str, ...] | None], read: Any
) -> tuple[str, ...] | None:
    seen: set[str] = set()
    stack = [name]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        read(current)
        refs = references[current]
        if refs is None:
            return None
        stack.extend(refs)
    return tuple(sorted(seen))


def syntax_error(exc: jinja2.TemplateSyntaxError, layouts: Layouts) -> Diagnostic:
    where = exc.filename or (f"{LAYOUTS_DIR}/{exc.name}" if exc.name else None)
    return error(layouts.display(where), f"layout syntax error: {exc.message}", line=exc.lineno)
