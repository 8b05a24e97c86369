"""The page kinds: every kind of output the site has, declared in one table.

Each row says where its pages go, which layout (or built-in writer) makes
them, what they show, and how they are cut into pages; each page (or list)
has a key, so one page can be planned alone. The plan reads the table top
to bottom (the feeds are made for the lists of the rows above them, the
sitemap lists every page above it); the build, the dependency map and the
preview know kinds only through it. Adding a kind is a row here, a layout,
and tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.config import SiteConfig
from generator.model import Structure, urls
from generator.model.refs import ArticleRef, TeaserRef
from generator.plan.desks import author_listing, front_page, section_listing
from generator.plan.jobs import ArticlePage, Job
from generator.plan.lists import Listing, archives, page_info
from generator.plan.newsroom import (
    CORRECTIONS_FEED_LAYOUT,
    CORRECTIONS_PATH,
    corrections_feed,
    corrections_page,
    redirect_lines,
    redirect_page,
)
from generator.publish.feeds import ATOM_LAYOUT, plan_feed
from generator.publish.redirects import REDIRECTS_FILE
from generator.publish.sitemaps import (
    MAX_URLS,
    NewsEntry,
    SitemapEntry,
    in_news_window,
    news_valid_until,
)
from generator.search import SEARCH_DIR, SEARCH_PATH


@dataclass(slots=True, kw_only=True)
class Planning:
    """What a row plans from: the site's structure, the settings and the
    build time; the lists of every row, by key; and, when the whole site is
    planned, every output the rows above it planned."""

    config: SiteConfig
    structure: Structure
    now: dt.datetime
    jobs: list[Job] = field(default_factory=list)  # planned so far (the whole site only)
    _lists: dict[tuple[str, str], Listing] = field(default_factory=dict)
    _archives: dict[str, Listing] | None = None

    def listing(self, kind: str, key: str) -> Listing:
        """The list ``key`` of the list kind ``kind``, made once."""
        known = self._lists.get((kind, key))
        if known is None:
            make = KIND[kind].list
            assert make is not None, f"{kind} is no kind of lists"
            known = self._lists[(kind, key)] = make(self, key)
        return known

    def archives(self) -> dict[str, Listing]:
        if self._archives is None:
            found = archives(self.config, self.structure.articles)
            self._archives = {listing.path: listing for listing in found}
        return self._archives


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
    """One row of the table. A kind has pages, or lists cut into pages,
    each named by a key (an article's source, a tag's slug, a list's path),
    so that one page can be planned without the others."""

    name: str  # ``page.kind`` in layouts
    url: str  # where its pages go, as documented ("permalinks.tag" names the setting)
    shows: str  # what its pages show, in words
    keys: Callable[[Planning], Iterable[str]]  # every page or list it has, by key
    page: Callable[[Planning, str], Page] | None = None  # one page ...
    list: Callable[[Planning, str], Listing] | None = None  # ... or one list, by its key
    layout: str | None = None  # the layout that renders it ...
    producer: str | None = None  # ... or the built-in writer
    # Lists are cut into pages of ``per_page``; each list gets these feeds
    # (when base_url has a host): "atom" (the feed row's layout), "json".
    feeds: tuple[str, ...] = field(default=())
    needs_host: bool = False  # only when base_url names a host (feeds, sitemaps)
    # For a kind the build time decides: the next time (a timestamp) at
    # which its pages would change by themselves. The build time is then an
    # input of its pages.
    changes_at: Callable[[Planning], float] | None = None
    needs_all: bool = False  # reads every page planned above it (the sitemap)


# -- the rows' pages ---------------------------------------------------------------


def _article_keys(p: Planning) -> Iterable[str]:
    return (placed.source for placed in p.structure.articles)


def _article(p: Planning, source: str) -> Page:
    placed = p.structure.placed[source]
    near = p.structure.neighbours_of(source)
    article = ArticlePage(
        article=ArticleRef(source),
        related=tuple(TeaserRef(s) for s in near.related),
        prev=TeaserRef(near.prev) if near.prev else None,
        next=TeaserRef(near.next) if near.next else None,
    )
    return Page(
        path=placed.path,
        context={"article": article, "page": page_info(p.config, "article", placed.path)},
        origin=source,
        lastmod=placed.lastmod,
    )


def _withdrawn(p: Planning, source: str) -> Page:
    """What stays at an expired article's URL: its headline and when it was
    withdrawn (its layout says noindex), no body, in no list or sitemap."""
    placed = p.structure.placed[source]
    context = {
        "article": TeaserRef(source),
        "withdrawn": placed.expires,
        "page": page_info(p.config, "withdrawn", placed.path),
    }
    return Page(path=placed.path, context=context, origin=source)


def _index(p: Planning, key: str) -> Listing:
    return Listing(
        kind="index",
        path="/",
        members=p.structure.articles,
        extra={},
        first_extra=front_page(p.structure),
        origin="the index",
        title=p.config.title,
        what="",
    )


def _tag(p: Planning, slug: str) -> Listing:
    placed = p.structure.placed
    tag = p.structure.tag(slug)
    return Listing(
        kind="tag",
        path=tag.path,
        members=tuple(placed[s] for s in p.structure.tag_members[slug]),
        extra={"tag": tag},
        origin=f"the tag page of {tag.name!r}",
        title=f"{p.config.title}: {tag.name}",
        what=f"tag {tag.name!r}",
    )


def _tag_index(p: Planning, key: str) -> Page:
    path = urls.tags_index_path(p.config)
    newest = p.structure.articles[0].date if p.structure.articles else None
    context = {"tags": p.structure.tags, "page": page_info(p.config, "tags", path)}
    return Page(path=path, context=context, origin="the tags index", lastmod=newest)


def _authors_index(p: Planning, key: str) -> Page:
    path = urls.authors_index_path(p.config)
    newest = p.structure.articles[0].date if p.structure.articles else None
    context = {
        "authors": p.structure.desks.authors,
        "page": page_info(p.config, "authors", path),
    }
    return Page(path=path, context=context, origin="the authors index", lastmod=newest)


def _not_found(p: Planning, key: str) -> Page:
    return Page(
        path="/404.html", context={"page": page_info(p.config, "404", "/404.html")}, origin="404"
    )


def _feed_keys(form: str) -> Callable[[Planning], Iterable[str]]:
    """Every list of every kind whose lists have feeds in ``form``."""

    def keys(p: Planning) -> Iterable[str]:
        for kind in KINDS:
            if form in kind.feeds:
                yield from (f"{kind.name}:{key}" for key in kind.keys(p))

    return keys


def _feed(file: str, label: str) -> Callable[[Planning, str], Page]:
    """The feed of one list (``kind:key``)."""

    def feed(p: Planning, key: str) -> Page:
        kind, list_key = key.split(":", 1)
        listing = p.listing(kind, list_key)
        path = urls.feed_path(listing.path, file)
        planned = plan_feed(
            p.config,
            title=listing.title,
            path=path,
            home_path=listing.path,
            members=listing.members,
        )
        origin = f"the {label} feed" + (f" of {listing.what}" if listing.what else "")
        return Page(path=path, context={"feed": planned}, origin=origin)

    return feed


def _sitemap_entries(p: Planning) -> list[SitemapEntry]:
    config = p.config
    return sorted(
        (
            SitemapEntry(
                loc=urls.absolute_url(config, urls.site_path_of(job.output)), lastmod=job.lastmod
            )
            for job in p.jobs
            if job.layout is not None and job.layout.endswith(".html") and job.lastmod is not None
        ),
        key=lambda e: e.loc,
    )


def _sitemap_keys(p: Planning) -> Iterable[str]:
    """One sitemap, or parts of 50,000 URLs and an index of them."""
    count = -(-len(_sitemap_entries(p)) // MAX_URLS)
    if count <= 1:
        return ["sitemap.xml"]
    return [*(f"sitemap-{n}.xml" for n in range(1, count + 1)), "sitemap.xml"]


def _sitemap(p: Planning, key: str) -> Page:
    """Every page that has a date, by URL."""
    entries = _sitemap_entries(p)
    chunks = [entries[i : i + MAX_URLS] for i in range(0, len(entries), MAX_URLS)] or [[]]
    if len(chunks) == 1:
        return Page(
            path="/sitemap.xml", context={"entries": tuple(chunks[0])}, origin="the sitemap"
        )
    if key != "sitemap.xml":
        number = int(key.removeprefix("sitemap-").removesuffix(".xml"))
        return Page(
            path="/" + key,
            context={"entries": tuple(chunks[number - 1])},
            origin=f"the sitemap part {number}",
        )
    parts = tuple(
        SitemapEntry(
            loc=urls.absolute_url(p.config, f"/sitemap-{number}.xml"),
            lastmod=max((e.lastmod for e in chunk if e.lastmod), default=None),
        )
        for number, chunk in enumerate(chunks, start=1)
    )
    return Page(
        path="/sitemap.xml",
        context={"sitemaps": parts},
        origin="the sitemap",
        producer="sitemap_index",
    )


def _news_sitemap(p: Planning, key: str) -> Page:
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
    return Page(path="/news-sitemap.xml", context=context, origin="the news sitemap")


def _news_changes_at(p: Planning) -> float:
    return news_valid_until([a.date for a in p.structure.articles], p.now)


def _robots(p: Planning, key: str) -> Page:
    sitemaps = tuple(
        urls.absolute_url(p.config, path) for path in ("/sitemap.xml", "/news-sitemap.xml")
    )
    return Page(path="/robots.txt", context={"sitemaps": sitemaps}, origin="robots.txt")


def _favicon_keys(p: Planning) -> Iterable[str]:
    return () if p.config.favicon.url else ("favicon",)


def _favicon(p: Planning, key: str) -> Page:
    icon = p.config.favicon
    letter = icon.letter or next((c for c in p.config.title if c.isalnum()), "")
    context = {"favicon": {"letter": letter, "background": icon.background, "color": icon.color}}
    return Page(path=urls.FAVICON_PATH, context=context, origin="favicon")


def _corrections_keys(p: Planning) -> Iterable[str]:
    return ("corrections",) if p.structure.corrections else ()


def _corrections(p: Planning, key: str) -> Page:
    context, lastmod = corrections_page(p.config, p.structure)
    origin = "the corrections page"
    return Page(path=CORRECTIONS_PATH, context=context, origin=origin, lastmod=lastmod)


def _corrections_feed(p: Planning, key: str) -> Page:
    context = {"feed": corrections_feed(p.config, p.structure)}
    path = urls.feed_path(CORRECTIONS_PATH)
    return Page(path=path, context=context, origin="the Atom feed of the corrections")


def _redirect_keys(p: Planning) -> Iterable[str]:
    """Every old URL. One from the URL record that is now another page of
    the site (a tag page, an archive) stays that page; an alias there is an
    error, as any two outputs of one file are (``plan._collisions``)."""
    planned = {job.output.casefold() for job in p.jobs}
    for found in p.structure.redirects:
        if found.alias or urls.output_file(found.path).casefold() not in planned:
            yield found.path


def _redirect(p: Planning, path: str) -> Page:
    """The page at an old URL, sending readers on to the article."""
    context, origin = redirect_page(p.config, p.structure.redirect(path))
    return Page(path=path, context=context, origin=origin)


def _redirects_file(p: Planning, key: str) -> Page:
    """The redirect pages planned above, one line each."""
    paths = [job.address[1] for job in p.jobs if job.kind == "redirect"]
    context = {"redirects": redirect_lines(p.config, [p.structure.redirect(s) for s in paths])}
    return Page(path=REDIRECTS_FILE, context=context, origin="the _redirects file")


def _search_keys(p: Planning) -> Iterable[str]:
    return ("search",) if p.config.search else ()


def _search(p: Planning, key: str) -> Page:
    """The search page: where the index is, and the base of its results' URLs."""
    config = p.config
    context = {
        "page": page_info(config, "search", SEARCH_PATH),
        "search": {
            "bundle_url": urls.url_for(config, f"/{SEARCH_DIR}/"),
            "base_url": config.base_path,
        },
    }
    return Page(path=SEARCH_PATH, context=context, origin="the search page")


def _one(key: str) -> Callable[[Planning], Iterable[str]]:
    return lambda p: (key,)


# -- the table -----------------------------------------------------------------------

KINDS: tuple[Kind, ...] = (
    Kind(
        name="article",
        url="permalinks.article: /{year}/{month}/{day}/{slug}/",
        layout="article.html",
        keys=_article_keys,
        page=_article,
        shows="the article; the teasers of its related, older and newer articles",
    ),
    Kind(
        name="withdrawn",
        url="the article's URL, once its expires: has come",
        layout="withdrawn.html",
        keys=lambda p: (placed.source for placed in p.structure.withdrawn),
        page=_withdrawn,
        shows="the article's teaser (its headline) and when it was withdrawn; no body",
    ),
    Kind(
        name="index",
        url="/, /page/2/, ...",
        layout="index.html",
        keys=_one("/"),
        list=_index,
        feeds=("atom", "json"),
        shows="the teasers of every article, newest first",
    ),
    Kind(
        name="tag",
        url="permalinks.tag: /tags/{slug}/",
        layout="tag.html",
        keys=lambda p: (t.slug for t in p.structure.tags),
        list=_tag,
        feeds=("atom",),
        shows="the tag; the teasers of its articles, newest first",
    ),
    Kind(
        name="tags",
        url="permalinks.tags: /tags/",
        layout="tags.html",
        keys=_one("tags"),
        page=_tag_index,
        shows="every tag with its article count",
    ),
    Kind(
        name="section",
        url="permalinks.section: /{key}/",
        layout="section.html",
        keys=lambda p: (s.key for s in p.structure.desks.sections),
        list=lambda p, key: section_listing(p.config, p.structure, key),
        feeds=("atom", "json"),
        shows="the section; the teasers of its articles, newest first",
    ),
    Kind(
        name="author",
        url="permalinks.author: /authors/{slug}/",
        layout="author.html",
        keys=lambda p: (a.slug for a in p.structure.desks.authors),
        list=lambda p, slug: author_listing(p.config, p.structure, slug),
        feeds=("atom",),
        shows="the author and their profile; the teasers of their articles, newest first",
    ),
    Kind(
        name="authors",
        url="permalinks.authors: /authors/",
        layout="authors.html",
        keys=lambda p: ("authors",) if p.structure.desks.authors else (),
        page=_authors_index,
        shows="every author with their article count",
    ),
    Kind(
        name="archive",
        url="/{year}/, /{year}/{month}/, /{year}/{month}/{day}/",
        layout="archive.html",
        keys=lambda p: p.archives(),
        list=lambda p, k: p.archives()[k],
        shows="the period, its sub-periods; the teasers of its articles",
    ),
    Kind(
        name="corrections",
        url="/corrections/ (when an article has corrections:)",
        layout="corrections.html",
        keys=_corrections_keys,
        page=_corrections,
        shows="every correction, newest first, with the teaser of its article",
    ),
    Kind(
        name="corrections_feed",
        url="/corrections/feed.xml",
        layout=CORRECTIONS_FEED_LAYOUT,
        keys=_corrections_keys,
        page=_corrections_feed,
        needs_host=True,
        shows="the newest feeds.entries corrections, with the teaser of their article",
    ),
    Kind(
        name="404",
        url="/404.html",
        layout="404.html",
        keys=_one("404"),
        page=_not_found,
        shows="nothing more",
    ),
    Kind(
        name="search",
        url="/search/ (unless search: false)",
        layout="search.html",
        keys=_search_keys,
        page=_search,
        shows="a search form; the results of ?q= from the search index, with filters",
    ),
    Kind(
        name="favicon",
        url="/favicon.svg (unless favicon: names the site's own)",
        layout="favicon.svg",
        keys=_favicon_keys,
        page=_favicon,
        shows="the favicon settings and the title's first letter",
    ),
    Kind(
        name="feed",
        url="feed.xml beside each list that has one",
        layout=ATOM_LAYOUT,
        keys=_feed_keys("atom"),
        page=_feed("feed.xml", "Atom"),
        needs_host=True,
        shows="the newest feeds.entries articles of a list, bodies included",
    ),
    Kind(
        name="json_feed",
        url="feed.json beside each list that has one",
        producer="json_feed",
        keys=_feed_keys("json"),
        page=_feed("feed.json", "JSON"),
        needs_host=True,
        shows="the newest feeds.entries articles of a list, bodies included",
    ),
    Kind(
        name="sitemap",
        url="/sitemap.xml",
        producer="sitemap",
        keys=_sitemap_keys,
        page=_sitemap,
        needs_host=True,
        needs_all=True,
        shows="every page with a date, and the date",
    ),
    Kind(
        name="news_sitemap",
        url="/news-sitemap.xml",
        producer="news_sitemap",
        keys=_one("news-sitemap"),
        page=_news_sitemap,
        needs_host=True,
        changes_at=_news_changes_at,
        shows="the headlines of the articles of the last two days (the build time decides)",
    ),
    Kind(
        name="robots",
        url="/robots.txt",
        producer="robots",
        keys=_one("robots"),
        page=_robots,
        needs_host=True,
        shows="where the sitemaps are",
    ),
    Kind(
        name="redirect",
        url="each old URL: aliases:, and published-urls.txt",
        producer="redirect",
        keys=_redirect_keys,
        page=_redirect,
        shows="the teaser of the article the old URL leads to (last: other pages win)",
    ),
    Kind(
        name="redirects",
        url="/_redirects (when there are redirects)",
        producer="redirects_file",
        keys=lambda p: ("_redirects",) if p.structure.redirects else (),
        page=_redirects_file,
        needs_all=True,
        shows="every old URL and where it leads",
    ),
)

KIND: Mapping[str, Kind] = {kind.name: kind for kind in KINDS}
