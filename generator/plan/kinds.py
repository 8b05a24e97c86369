"""The page kinds: every kind of output the site has, declared in one table.

Each row says where its pages go, which layout (or built-in writer) makes
them, what they show, and how they are cut into pages. The plan reads the
table top to bottom (a row sees what the rows above it planned: the feeds
are made for the lists above them, the sitemap lists every page above it);
the build, the dependency map and the preview know kinds only through it.
Adding a kind is a row here, a layout, and tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.config import SiteConfig
from generator.model import Structure, urls
from generator.model.refs import ArticleRef, TeaserRef
from generator.plan.jobs import ArticlePage, Job
from generator.plan.lists import Listing, archives, page_info
from generator.publish.feeds import ATOM_LAYOUT, plan_feed
from generator.publish.sitemaps import (
    MAX_URLS,
    NewsEntry,
    SitemapEntry,
    in_news_window,
    news_valid_until,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Planning:
    """What a row plans from: the site's structure, the settings, the build
    time, and what the rows above it planned."""

    config: SiteConfig
    structure: Structure
    now: dt.datetime
    listings: tuple[Listing, ...]  # every list planned so far
    jobs: tuple[Job, ...]  # every output planned so far


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """One output of a kind that is not a list."""

    path: str  # site path: "/404.html", "/sitemap.xml", "/2026/11/24/budget/"
    context: Mapping[str, Any]
    origin: str
    lastmod: dt.datetime | None = None  # the sitemap lists pages that have one
    producer: str | None = None  # another writer than its kind's


@dataclass(frozen=True, slots=True, kw_only=True)
class Kind:
    """One row of the table."""

    name: str  # ``page.kind`` in layouts
    url: str  # where its pages go, as documented ("permalinks.tag" names the setting)
    shows: str  # what its pages show, in words
    layout: str | None = None  # the layout that renders it ...
    producer: str | None = None  # ... or the built-in writer
    pages: Callable[[Planning], Iterable[Page]] | None = None  # its pages, for a kind of pages
    lists: Callable[[Planning], Iterable[Listing]] | None = None  # its lists, for a kind of lists
    # Lists are cut into pages of ``per_page``; each list gets these feeds
    # (when base_url has a host): "atom" (the feed row's layout), "json".
    feeds: tuple[str, ...] = field(default=())
    needs_host: bool = False  # only when base_url names a host (feeds, sitemaps)
    # For a kind the build time decides: the next time (a timestamp) at
    # which its pages would change by themselves. The build time is then an
    # input of its pages.
    changes_at: Callable[[Planning], float] | None = None


# -- the rows' pages ---------------------------------------------------------------


def _articles(p: Planning) -> Iterable[Page]:
    for placed in p.structure.articles:
        near = p.structure.neighbours[placed.source]
        article = ArticlePage(
            article=ArticleRef(placed.source),
            related=tuple(TeaserRef(s) for s in near.related),
            prev=TeaserRef(near.prev) if near.prev else None,
            next=TeaserRef(near.next) if near.next else None,
        )
        yield Page(
            path=placed.path,
            context={"article": article, "page": page_info(p.config, "article", placed.path)},
            origin=placed.source,
            lastmod=placed.lastmod,
        )


def _index(p: Planning) -> Iterable[Listing]:
    yield Listing(
        kind="index",
        path="/",
        members=p.structure.articles,
        extra={},
        origin="the index",
        title=p.config.title,
        what="",
    )


def _tags(p: Planning) -> Iterable[Listing]:
    placed = p.structure.placed
    for tag in p.structure.tags:
        yield Listing(
            kind="tag",
            path=tag.path,
            members=tuple(placed[s] for s in p.structure.tag_members[tag.slug]),
            extra={"tag": tag},
            origin=f"the tag page of {tag.name!r}",
            title=f"{p.config.title}: {tag.name}",
            what=f"tag {tag.name!r}",
        )


def _tag_index(p: Planning) -> Iterable[Page]:
    path = urls.tags_index_path(p.config)
    newest = p.structure.articles[0].date if p.structure.articles else None
    context = {"tags": p.structure.tags, "page": page_info(p.config, "tags", path)}
    yield Page(path=path, context=context, origin="the tags index", lastmod=newest)


def _archives(p: Planning) -> Iterable[Listing]:
    return archives(p.config, p.structure.articles)


def _not_found(p: Planning) -> Iterable[Page]:
    yield Page(
        path="/404.html", context={"page": page_info(p.config, "404", "/404.html")}, origin="404"
    )


def _feeds(form: str, file: str, label: str) -> Callable[[Planning], Iterable[Page]]:
    """The feeds in ``form`` of every list whose kind has them."""

    def feeds(p: Planning) -> Iterable[Page]:
        for listing in p.listings:
            if form not in KIND[listing.kind].feeds:
                continue
            path = urls.feed_path(listing.path, file)
            feed = plan_feed(
                p.config,
                title=listing.title,
                path=path,
                home_path=listing.path,
                members=listing.members,
            )
            origin = f"the {label} feed" + (f" of {listing.what}" if listing.what else "")
            yield Page(path=path, context={"feed": feed}, origin=origin)

    return feeds


def _sitemaps(p: Planning) -> Iterable[Page]:
    """Every page that has a date, by URL; an index of parts past 50,000."""
    config = p.config
    entries = sorted(
        (
            SitemapEntry(
                loc=urls.absolute_url(config, urls.site_path_of(job.output)), lastmod=job.lastmod
            )
            for job in p.jobs
            if job.layout is not None and job.layout.endswith(".html") and job.lastmod is not None
        ),
        key=lambda e: e.loc,
    )
    chunks = [entries[i : i + MAX_URLS] for i in range(0, len(entries), MAX_URLS)] or [[]]
    if len(chunks) == 1:
        yield Page(path="/sitemap.xml", context={"entries": tuple(chunks[0])}, origin="the sitemap")
        return
    parts = []
    for number, chunk in enumerate(chunks, start=1):
        path = f"/sitemap-{number}.xml"
        yield Page(
            path=path, context={"entries": tuple(chunk)}, origin=f"the sitemap part {number}"
        )
        newest = max((e.lastmod for e in chunk if e.lastmod), default=None)
        parts.append(SitemapEntry(loc=urls.absolute_url(config, path), lastmod=newest))
    yield Page(
        path="/sitemap.xml",
        context={"sitemaps": tuple(parts)},
        origin="the sitemap",
        producer="sitemap_index",
    )


def _news_sitemap(p: Planning) -> Iterable[Page]:
    """The articles of the last two days, counted back from the build time."""
    config = p.config
    recent = tuple(
        NewsEntry(
            loc=urls.absolute_url(config, a.path), published=a.date, article=TeaserRef(a.source)
        )
        for a in p.structure.articles
        if in_news_window(a.date, p.now)
    )
    context = {
        "entries": recent,
        "publication": config.publisher.name or config.title,
        "language": config.language.split("-")[0].lower(),
    }
    yield Page(path="/news-sitemap.xml", context=context, origin="the news sitemap")


def _news_changes_at(p: Planning) -> float:
    return news_valid_until([a.date for a in p.structure.articles], p.now)


def _robots(p: Planning) -> Iterable[Page]:
    sitemaps = tuple(
        urls.absolute_url(p.config, path) for path in ("/sitemap.xml", "/news-sitemap.xml")
    )
    yield Page(path="/robots.txt", context={"sitemaps": sitemaps}, origin="robots.txt")


# -- the table -----------------------------------------------------------------------

KINDS: tuple[Kind, ...] = (
    Kind(
        name="article",
        url="permalinks.article: /{year}/{month}/{day}/{slug}/",
        layout="article.html",
        pages=_articles,
        shows="the article; the teasers of its related, older and newer articles",
    ),
    Kind(
        name="index",
        url="/, /page/2/, ...",
        layout="index.html",
        lists=_index,
        feeds=("atom", "json"),
        shows="the teasers of every article, newest first",
    ),
    Kind(
        name="tag",
        url="permalinks.tag: /tags/{slug}/",
        layout="tag.html",
        lists=_tags,
        feeds=("atom",),
        shows="the tag; the teasers of its articles, newest first",
    ),
    Kind(
        name="tags",
        url="permalinks.tags: /tags/",
        layout="tags.html",
        pages=_tag_index,
        shows="every tag with its article count",
    ),
    Kind(
        name="archive",
        url="/{year}/, /{year}/{month}/, /{year}/{month}/{day}/",
        layout="archive.html",
        lists=_archives,
        shows="the period, its sub-periods; the teasers of its articles",
    ),
    Kind(name="404", url="/404.html", layout="404.html", pages=_not_found, shows="nothing more"),
    Kind(
        name="feed",
        url="feed.xml beside each list that has one",
        layout=ATOM_LAYOUT,
        pages=_feeds("atom", "feed.xml", "Atom"),
        needs_host=True,
        shows="the newest feeds.entries articles of a list, bodies included",
    ),
    Kind(
        name="json_feed",
        url="feed.json beside each list that has one",
        producer="json_feed",
        pages=_feeds("json", "feed.json", "JSON"),
        needs_host=True,
        shows="the newest feeds.entries articles of a list, bodies included",
    ),
    Kind(
        name="sitemap",
        url="/sitemap.xml",
        producer="sitemap",
        pages=_sitemaps,
        needs_host=True,
        shows="every page with a date, and the date",
    ),
    Kind(
        name="news_sitemap",
        url="/news-sitemap.xml",
        producer="news_sitemap",
        pages=_news_sitemap,
        needs_host=True,
        changes_at=_news_changes_at,
        shows="the headlines of the articles of the last two days (the build time decides)",
    ),
    Kind(
        name="robots",
        url="/robots.txt",
        producer="robots",
        pages=_robots,
        needs_host=True,
        shows="where the sitemaps are",
    ),
)

KIND: Mapping[str, Kind] = {kind.name: kind for kind in KINDS}
