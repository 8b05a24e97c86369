"""Sitemaps for search engines and ``robots.txt``, written directly as bytes.

``sitemap.xml`` lists every page with its ``lastmod`` (from content, never
the build time) and becomes a sitemap index past 50,000 URLs; the Google News
sitemap lists the articles of the last two days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape as _html_escape
from typing import Any, ClassVar

from generator.frozen import quick_pickle


def escape(text: str) -> str:
    """XML character data: ``&``, ``<`` and ``>`` escaped."""
    return _html_escape(text, quote=False)


MAX_URLS = 50_000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NEWS_WINDOW = dt.timedelta(days=2)
NEWS_FUTURE = dt.timedelta(minutes=5)  # articles dated up to this far ahead count as out


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class SitemapEntry:
    refs_in: ClassVar[tuple[str, ...]] = ()  # fields that hold references (plan.jobs)

    loc: str  # absolute URL
    lastmod: dt.datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class NewsEntry:
    refs_in: ClassVar[tuple[str, ...]] = ("article",)  # fields that hold references (plan.jobs)

    loc: str
    published: dt.datetime
    article: Any  # its Teaser (a reference to it, in the plan): the title is its headline


def in_news_window(date: dt.datetime, now: dt.datetime) -> bool:
    return now - NEWS_WINDOW <= date <= now + NEWS_FUTURE


def news_valid_until(dates: Sequence[dt.datetime], now: dt.datetime) -> float:
    """The time (a timestamp) at which the news sitemap made at ``now`` goes
    stale by itself: the next article leaving the window, or entering it."""
    moments = [d + NEWS_WINDOW for d in dates if d + NEWS_WINDOW > now]
    moments += [d - NEWS_FUTURE for d in dates if d - NEWS_FUTURE > now]
    return min(moments).timestamp() if moments else float("inf")


def _lastmod(value: dt.datetime | None) -> str:
    return f"<lastmod>{value.isoformat(timespec='seconds')}</lastmod>" if value else ""


def _entries_xml(root: str, item: str, entries: Sequence[SitemapEntry]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<{root} xmlns="{SITEMAP_NS}">']
    for e in entries:
        lines.append(f"<{item}><loc>{escape(e.loc)}</loc>{_lastmod(e.lastmod)}</{item}>")
    lines.append(f"</{root}>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap_xml(context: Mapping[str, Any]) -> bytes:
    return _entries_xml("urlset", "url", context["entries"])


def sitemap_index_xml(context: Mapping[str, Any]) -> bytes:
    return _entries_xml("sitemapindex", "sitemap", context["sitemaps"])


def news_sitemap_xml(context: Mapping[str, Any]) -> bytes:
    entries: Sequence[NewsEntry] = context["entries"]
    name: str = context["publication"]
    language: str = context["language"]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">',
    ]
    for e in entries:
        lines += [
            "<url>",
            f"<loc>{escape(e.loc)}</loc>",
            "<news:news>",
            "<news:publication>"
            f"<news:name>{escape(name)}</news:name>"
            f"<news:language>{escape(language)}</news:language>"
            "</news:publication>",
            f"<news:publication_date>{e.published.isoformat(timespec='seconds')}"
            "</news:publication_date>",
            f"<news:title>{escape(e.article.headline)}</news:title>",
            *_keywords(e.article),
            "</news:news>",
            "</url>",
        ]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _keywords(teaser: Any) -> list[str]:
    """The article's section as ``news:keywords`` (the News sitemap schema
    has it after the title; Google reads it as a hint at most)."""
    section = getattr(teaser, "section", None)
    return [f"<news:keywords>{escape(section.name)}</news:keywords>"] if section else []


def robots_txt(context: Mapping[str, Any]) -> bytes:
    lines = ["User-agent: *", "Allow: /", ""]
    lines += [f"Sitemap: {url}" for url in context["sitemaps"]]
    return ("\n".join(lines) + "\n").encode("utf-8")


PRODUCERS = {
    "sitemap": sitemap_xml,
    "sitemap_index": sitemap_index_xml,
    "news_sitemap": news_sitemap_xml,
    "robots": robots_txt,
}
