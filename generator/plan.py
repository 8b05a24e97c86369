"""Every output the site needs, as a ``Job``: which layout, what the layout
sees, and which inputs it was made from.

Pagination is decided here, never in layouts. A layout sees only its job's
context, so the context (with the layouts and settings) is everything that
can change the output: that is what the dependency map fingerprints.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import urls
from generator.bodies import BodyStore
from generator.config import SiteConfig, format_date
from generator.diagnostics import Diagnostic, error
from generator.feeds import ATOM_LAYOUT, JSON_FEED_PATH, FeedEntry, build_feed
from generator.model import Article, Site, Teaser
from generator.sitemap import MAX_URLS, NEWS_FUTURE, NEWS_WINDOW, NewsEntry, SitemapEntry

# Keys of the dependency map. An output depends on:
CONFIG_KEY = "config"  # site.yaml
TAGS_KEY = "tags"  # the set of tags and their counts
STRUCTURE_KEY = "structure"  # which articles exist, their URLs, dates and tags


# Input keys are interned: ten pages name each article, and at 100,000
# articles a string per mention would be a million strings (a tenth of a
# gigabyte) in the plan and as many again in the dependency map.


def src_key(source: str) -> str:
    """The whole article file (its page shows everything in it)."""
    return sys.intern(f"src:{source}")


def teaser_key(source: str) -> str:
    """What lists show of an article: headline, URL, date, standfirst, tags..."""
    return sys.intern(f"teaser:{source}")


def layout_key(name: str) -> str:
    return f"layout:{name}"


def asset_key(rel: str) -> str:
    return f"asset:{rel}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PageLink:
    number: int
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Paginator:
    items: tuple[Teaser, ...]
    number: int  # 1-based
    total: int  # pages
    total_items: int
    url: str
    prev_url: str | None
    next_url: str | None
    first_url: str
    last_url: str
    later_urls: str  # the URL of every page after the first, with {n} for its number
    window: tuple[PageLink | None, ...]  # the page links to show; None: pages left out

    @property
    def pages(self) -> tuple[PageLink, ...]:
        """Every page of the list (made when a layout asks: a list of 5,000
        pages would otherwise carry 5,000 links into each of its pages)."""
        return tuple(PageLink(number=n, url=self.url_of(n)) for n in range(1, self.total + 1))

    def url_of(self, number: int) -> str:
        return page_url(self.first_url, self.later_urls, number)


def page_url(first_url: str, later_urls: str, number: int) -> str:
    return first_url if number <= 1 else later_urls.replace("{n}", str(number))


WINDOW = 2  # page links either side of the current one


def page_window(number: int, total: int) -> list[int | None]:
    """The page numbers a pagination bar shows: the first, the last, and
    ``WINDOW`` either side of ``number``; None where a run is left out."""
    shown = sorted({1, total, *range(max(1, number - WINDOW), min(total, number + WINDOW) + 1)})
    window: list[int | None] = []
    for n in shown:
        if window and n - (window[-1] or 0) > 1:
            window.append(None)
        window.append(n)
    return window


@dataclass(frozen=True, slots=True, kw_only=True)
class PageInfo:
    """``page`` in every layout: what this output is and where."""

    kind: str  # "article", "index", "tag", "tags", "archive", "404", "feed"
    url: str
    permalink: str  # absolute when base_url has a host
    prev_url: str | None = None  # for <link rel="prev/next"> on paginated lists
    next_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveLink:
    title: str
    url: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Archive:
    """A year, month or day page (``/2026/``, ``/2026/11/``, ``/2026/11/24/``)."""

    kind: str  # "year", "month" or "day"
    title: str  # "2026", "November 2026", "24 November 2026"
    date: dt.date  # the first day of the period
    url: str
    parent: ArchiveLink | None  # the enclosing period's page
    periods: tuple[ArchiveLink, ...]  # the months of a year, the days of a month


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One output to render: with a layout, or with a built-in producer."""

    output: str  # output-relative file: "2026/11/24/budget/index.html"
    layout: str | None  # template name: "article.html"
    context: Mapping[str, Any]  # the variables the layout sees (besides globals)
    inputs: tuple[str, ...]  # dependency keys, without layouts and config
    origin: str  # what to name in an error: the article file, or the page kind
    producer: str | None = None  # a built-in writer instead of a layout ("sitemap")
    lastmod: dt.datetime | None = None  # for the sitemap; None: not in the sitemap


@dataclass(frozen=True, slots=True, kw_only=True)
class CopyJob:
    """One file copied as it is."""

    output: str
    source: str  # site-relative, e.g. "content/2026/img/map.png" or "theme/static/style.css"
    path: Path  # the file to copy
    stat: tuple[int, int]  # (mtime_ns, size): its signature
    inputs: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    pages: tuple[Job, ...]
    copies: tuple[CopyJob, ...]


FeedMemo = dict[str, tuple[Article, FeedEntry]]  # source -> the article and its feed entry


def plan_site(
    site: Site, *, now: dt.datetime, bodies: BodyStore, feed_memo: FeedMemo | None = None
) -> tuple[Plan, list[Diagnostic]]:
    """Every output of ``site``. ``now`` only decides which articles are recent
    enough for the Google News sitemap; ``bodies`` has the bodies that
    full-content feeds show. ``feed_memo`` (the preview's, kept
    between builds) gives an article that is the very same object as last
    time (see ``model.Reuse``) the same feed entry; it is left holding this
    build's entries."""
    config = site.config
    pages: list[Job] = []

    pages += [article_job(config, article) for article in site.articles]

    pages += _paginate(config, "/", "index.html", "index", site.teasers, {}, "the index")
    for tag in site.tags:
        pages += _paginate(
            config,
            tag.path,
            "tag.html",
            "tag",
            site.tag_articles[tag.slug],
            {"tag": tag},
            f"the tag page of {tag.name!r}",
        )
    tags_path = urls.tags_index_path(config)
    pages.append(
        Job(
            output=urls.output_file(tags_path),
            layout="tags.html",
            context={"tags": site.tags, "page": _page(config, "tags", tags_path)},
            inputs=(TAGS_KEY,),
            origin="the tags index",
            lastmod=site.teasers[0].date if site.teasers else None,
        )
    )
    pages += _archives(config, site.teasers)
    pages.append(
        Job(
            output="404.html",
            layout="404.html",
            context={"page": _page(config, "404", "/404.html")},
            inputs=(),
            origin="404",
        )
    )
    if config.absolute_base:
        pages += _feeds(site, bodies, feed_memo)
        pages += _sitemaps(site, pages, now)

    copies = [
        CopyJob(
            output=asset.dest,
            source=asset.rel,
            path=asset.path,
            stat=asset.stat,
            inputs=(asset_key(asset.rel),),
        )
        for asset in site.assets
    ]
    plan = Plan(pages=tuple(pages), copies=tuple(copies))
    return plan, _collisions(plan)


def article_job(config: SiteConfig, article: Article) -> Job:
    neighbours = [t for t in (*article.related, article.prev, article.next) if t is not None]
    inputs = [src_key(article.source)]
    inputs += [teaser_key(t.source) for t in neighbours]
    inputs += [teaser_key(s) for s in article.links_to]
    return Job(
        output=urls.output_file(article.path),
        layout="article.html",
        context={"article": article, "page": _page(config, "article", article.path)},
        inputs=tuple(dict.fromkeys(inputs)),
        origin=article.source,
        lastmod=article.updated or article.date,
    )


def _page(config: SiteConfig, kind: str, path: str, **links: str | None) -> PageInfo:
    return PageInfo(
        kind=kind,
        url=urls.url_for(config, path),
        permalink=urls.absolute_url(config, path),
        **links,
    )


def _archives(config: SiteConfig, teasers: Sequence[Teaser]) -> list[Job]:
    """Year, month and day pages for every prefix of the article URL pattern."""
    patterns = urls.archive_patterns(config)
    if not patterns:
        return []
    by_kind: dict[str, dict[tuple[int, ...], list[Teaser]]] = {k: {} for k, _ in patterns}
    for t in teasers:
        d = t.date
        keys = {"year": (d.year,), "month": (d.year, d.month), "day": (d.year, d.month, d.day)}
        for kind, _ in patterns:
            by_kind[kind].setdefault(keys[kind], []).append(t)

    def path_of(kind: str, key: tuple[int, ...]) -> str:
        year, month, day = (*key, 1, 1)[:3]
        return urls.archive_path(dict(patterns)[kind], dt.date(year, month, day))

    def title_of(kind: str, key: tuple[int, ...]) -> str:
        if kind == "year":
            return str(key[0])
        if kind == "month":
            return f"{config.month_names[key[1] - 1]} {key[0]}"
        return format_date(dt.date(key[0], key[1], key[2]), config)

    kinds = [k for k, _ in patterns]
    jobs: list[Job] = []
    for kind, groups in by_kind.items():
        finer = kinds[kinds.index(kind) + 1] if kinds.index(kind) + 1 < len(kinds) else None
        coarser = kinds[kinds.index(kind) - 1] if kinds.index(kind) > 0 else None
        for key, items in sorted(groups.items()):
            periods: tuple[ArchiveLink, ...] = ()
            if finer is not None:
                periods = tuple(
                    ArchiveLink(
                        title=title_of(finer, sub),
                        url=urls.url_for(config, path_of(finer, sub)),
                        count=len(sub_items),
                    )
                    for sub, sub_items in sorted(by_kind[finer].items(), reverse=True)
                    if sub[: len(key)] == key
                )
            parent = None
            if coarser is not None:
                up = key[: len(key) - 1] if len(key) > 1 else key
                parent = ArchiveLink(
                    title=title_of(coarser, up),
                    url=urls.url_for(config, path_of(coarser, up)),
                    count=len(by_kind[coarser][up]),
                )
            first = path_of(kind, key)
            archive = Archive(
                kind=kind,
                title=title_of(kind, key),
                date=dt.date(key[0], *(*key[1:], 1, 1)[:2]),
                url=urls.url_for(config, first),
                parent=parent,
                periods=periods,
            )
            jobs += _paginate(
                config,
                first,
                "archive.html",
                "archive",
                items,
                {"archive": archive},
                f"the archive page {archive.title}",
            )
    return jobs


def _feeds(site: Site, bodies: BodyStore, memo: FeedMemo | None) -> list[Job]:
    config = site.config
    by_source = {a.source: a for a in site.articles}
    n = config.feeds.entries
    entries: dict[str, FeedEntry] = {}
    if memo:
        entries = {s: e for s, (a, e) in memo.items() if by_source.get(s) is a}
    jobs = []
    main = build_feed(
        config,
        title=config.title,
        path=urls.feed_path("/"),
        home_path="/",
        articles=site.articles[:n],
        bodies=bodies,
        entries_of=entries,
    )
    inputs = tuple(src_key(a.source) for a in site.articles[:n])
    jobs.append(
        Job(
            output=urls.output_file(urls.feed_path("/")),
            layout=ATOM_LAYOUT,
            context={"feed": main},
            inputs=inputs,
            origin="the Atom feed",
        )
    )
    jobs.append(
        Job(
            output=urls.output_file(JSON_FEED_PATH),
            layout=None,
            producer="json_feed",
            context={
                "feed": build_feed(
                    config,
                    title=config.title,
                    path=JSON_FEED_PATH,
                    home_path="/",
                    articles=site.articles[:n],
                    bodies=bodies,
                    entries_of=entries,
                )
            },
            inputs=inputs,
            origin="the JSON feed",
        )
    )
    for tag in site.tags:
        members = [by_source[t.source] for t in site.tag_articles[tag.slug][:n]]
        path = urls.feed_path(tag.path)
        feed = build_feed(
            config,
            title=f"{config.title}: {tag.name}",
            path=path,
            home_path=tag.path,
            articles=members,
            bodies=bodies,
            entries_of=entries,
        )
        jobs.append(
            Job(
                output=urls.output_file(path),
                layout=ATOM_LAYOUT,
                context={"feed": feed},
                inputs=tuple(src_key(a.source) for a in members),
                origin=f"the Atom feed of tag {tag.name!r}",
            )
        )
    if memo is not None:
        memo.clear()
        memo.update((s, (by_source[s], e)) for s, e in entries.items())
    return jobs


def _sitemaps(site: Site, pages: Sequence[Job], now: dt.datetime) -> list[Job]:
    config = site.config
    entries = sorted(
        (
            SitemapEntry(
                loc=urls.absolute_url(config, urls.site_path_of(j.output)), lastmod=j.lastmod
            )
            for j in pages
            if j.layout is not None and j.layout.endswith(".html") and j.lastmod is not None
        ),
        key=lambda e: e.loc,
    )
    # The sitemaps show URLs and dates only: what an article's skeleton decides.
    every_page = (STRUCTURE_KEY,)
    jobs: list[Job] = []
    chunks = [entries[i : i + MAX_URLS] for i in range(0, len(entries), MAX_URLS)] or [[]]
    if len(chunks) == 1:
        jobs.append(
            Job(
                output="sitemap.xml",
                layout=None,
                producer="sitemap",
                context={"entries": tuple(chunks[0])},
                inputs=every_page,
                origin="the sitemap",
            )
        )
    else:
        parts = []
        for number, chunk in enumerate(chunks, start=1):
            name = f"sitemap-{number}.xml"
            jobs.append(
                Job(
                    output=name,
                    layout=None,
                    producer="sitemap",
                    context={"entries": tuple(chunk)},
                    inputs=every_page,
                    origin=f"the sitemap part {number}",
                )
            )
            newest = max((e.lastmod for e in chunk if e.lastmod), default=None)
            parts.append(SitemapEntry(loc=urls.absolute_url(config, "/" + name), lastmod=newest))
        jobs.append(
            Job(
                output="sitemap.xml",
                layout=None,
                producer="sitemap_index",
                context={"sitemaps": tuple(parts)},
                inputs=every_page,
                origin="the sitemap",
            )
        )

    recent = tuple(
        NewsEntry(source=a.source, loc=a.permalink, title=a.headline, published=a.date)
        for a in site.teasers
        if now - NEWS_WINDOW <= a.date <= now + NEWS_FUTURE
    )
    jobs.append(
        Job(
            output="news-sitemap.xml",
            layout=None,
            producer="news_sitemap",
            context={
                "entries": recent,
                "publication": config.publisher.name or config.title,
                "language": config.language.split("-")[0].lower(),
            },
            inputs=(*(teaser_key(e.source) for e in recent), STRUCTURE_KEY),
            origin="the news sitemap",
        )
    )
    jobs.append(
        Job(
            output="robots.txt",
            layout=None,
            producer="robots",
            context={
                "sitemaps": (
                    urls.absolute_url(config, "/sitemap.xml"),
                    urls.absolute_url(config, "/news-sitemap.xml"),
                )
            },
            inputs=(),
            origin="robots.txt",
        )
    )
    return jobs


def _paginate(
    config: SiteConfig,
    first: str,
    layout: str,
    kind: str,
    items: Sequence[Teaser],
    extra: Mapping[str, Any],
    origin: str,
) -> list[Job]:
    size = config.per_page
    total = max(1, -(-len(items) // size))
    first_url = urls.url_for(config, first)
    later_urls = urls.url_for(config, urls.page_path_pattern(config, first))
    url_of = functools.partial(page_url, first_url, later_urls)
    jobs = []
    for n in range(1, total + 1):
        chunk = tuple(items[(n - 1) * size : n * size])
        paginator = Paginator(
            items=chunk,
            number=n,
            total=total,
            total_items=len(items),
            url=url_of(n),
            prev_url=url_of(n - 1) if n > 1 else None,
            next_url=url_of(n + 1) if n < total else None,
            first_url=first_url,
            last_url=url_of(total),
            later_urls=later_urls,
            window=tuple(
                None if m is None else PageLink(number=m, url=url_of(m))
                for m in page_window(n, total)
            ),
        )
        path = urls.page_path(config, first, n)
        page = _page(config, kind, path, prev_url=paginator.prev_url, next_url=paginator.next_url)
        jobs.append(
            Job(
                output=urls.output_file(path),
                layout=layout,
                context={**extra, "paginator": paginator, "page": page},
                inputs=(*tuple(teaser_key(t.source) for t in chunk), TAGS_KEY),
                origin=origin if n == 1 else f"{origin}, page {n}",
                lastmod=max((t.updated or t.date for t in chunk), default=None),
            )
        )
    return jobs


def _collisions(plan: Plan) -> list[Diagnostic]:
    """Two outputs written to one file are an error, never a silent overwrite."""
    owners: dict[str, str] = {}
    diags: list[Diagnostic] = []
    for output, origin in [(j.output, j.origin) for j in plan.pages] + [
        (c.output, c.source) for c in plan.copies
    ]:
        key = output.casefold()  # case-insensitive hosts and file systems
        if key in owners:
            first = owners[key]
            path = origin if "/" in origin else first
            diags.append(
                error(
                    path,
                    f"{first} and {origin} would both be written to {output}",
                    hint="change a slug, a file name or a permalink pattern in site.yaml",
                )
            )
        else:
            owners[key] = origin
    return diags
