"""The URL scheme in one place.

Three forms of the same place:
- a *site path* starts with ``/`` and ignores where the site is hosted
  (``/2026/11/24/budget/``); the model and the dependency map use it;
- a *URL* is what pages link to: the site path under ``base_url``'s path
  (``/news/2026/11/24/budget/``), so the site works under a sub-path;
- an *output file* is where the page is written (``2026/11/24/budget/index.html``).
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import sys

from generator.config import SiteConfig


def article_path(config: SiteConfig, date: dt.datetime, slug: str) -> str:
    return config.permalinks.article.format(
        year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}", slug=slug
    )


def tag_path(config: SiteConfig, slug: str) -> str:
    return config.permalinks.tag.format(slug=slug)


def tags_index_path(config: SiteConfig) -> str:
    return config.permalinks.tags


def section_path(config: SiteConfig, key: str) -> str:
    return config.permalinks.section.format(key=key)


def author_path(config: SiteConfig, slug: str) -> str:
    return config.permalinks.author.format(slug=slug)


def authors_index_path(config: SiteConfig) -> str:
    return config.permalinks.authors


def page_path(config: SiteConfig, first: str, number: int) -> str:
    """The site path of page ``number`` of a list whose first page is ``first``."""
    if number <= 1:
        return first
    return page_path_pattern(config, first).replace("{n}", str(number))


def page_path_pattern(config: SiteConfig, first: str) -> str:
    """The site path of the pages after the first, with ``{n}`` for the number."""
    folder = first if first.endswith("/") else posixpath.dirname(first) + "/"
    return folder + config.permalinks.page


def feed_path(list_path: str, name: str = "feed.xml") -> str:
    """The Atom feed beside a list page: ``/tags/x/`` -> ``/tags/x/feed.xml``."""
    if list_path.endswith("/"):
        return list_path + name
    stem = posixpath.splitext(list_path)[0]
    return f"{stem}.{name.rsplit('.', 1)[-1]}"


def archive_patterns(config: SiteConfig) -> tuple[tuple[str, str], ...]:
    """The date archives an article URL can be cut back to, finest last:
    ``/{year}/{month}/{day}/{slug}/`` -> year ``/{year}/``, month
    ``/{year}/{month}/``, day ``/{year}/{month}/{day}/``. Only prefixes made of
    date placeholders (and fixed text) before ``{slug}`` count."""
    return _archive_patterns(config.permalinks.article)


@functools.lru_cache(maxsize=16)
def _archive_patterns(article_pattern: str) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    prefix = "/"
    for segment in article_pattern.strip("/").split("/"):
        if "{slug}" in segment:
            break
        prefix += segment + "/"
        kinds = [k for k in ("day", "month", "year") if "{" + k + "}" in segment]
        if kinds:
            found.append((kinds[0], prefix))
    return tuple(found)


def archive_path(pattern: str, date: dt.date) -> str:
    return pattern.format(year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}")


def archive_url(config: SiteConfig, date: dt.date) -> str | None:
    """The finest date archive page that ``date`` falls in, if the URL pattern has one."""
    patterns = archive_patterns(config)
    return url_for(config, archive_path(patterns[-1][1], date)) if patterns else None


def url_for(config: SiteConfig, site_path: str) -> str:
    """The link to a site path, under the base URL's path. Interned, as
    ``absolute_url``'s: a page's link is in its teaser, its own page's
    context and the sitemap, and one string serves them all."""
    return sys.intern(config.base_path + site_path.lstrip("/"))


def absolute_url(config: SiteConfig, site_path: str) -> str:
    """A full URL when base_url names a host, else the same as ``url_for``."""
    base = config.absolute_base
    return sys.intern(base + site_path.lstrip("/")) if base else url_for(config, site_path)


FAVICON_PATH = "/favicon.svg"  # the built-in icon


def favicon_url(config: SiteConfig) -> str:
    """The site's icon: its own (a path is put under the base URL's path),
    or the built-in one."""
    own = config.favicon.url
    if not own:
        return url_for(config, FAVICON_PATH)
    if own.startswith("/") and not own.startswith("//"):
        return url_for(config, own)
    return own


def output_file(site_path: str) -> str:
    """``/a/b/`` -> ``a/b/index.html``; ``/a/b.html`` -> ``a/b.html``."""
    rel = site_path.lstrip("/")
    if not rel or rel.endswith("/"):
        return rel + "index.html"
    return rel


def site_path_of(output: str) -> str:
    """The inverse of ``output_file``: ``a/b/index.html`` -> ``/a/b/``."""
    if output == "index.html":
        return "/"
    if output.endswith("/index.html"):
        return "/" + output[: -len("index.html")]
    return "/" + output
