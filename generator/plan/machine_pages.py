"""The rows' functions for what other programs read: the Atom and JSON
feeds of every list, the corrections' feed, the sitemaps (and the Google
News one, which the build time decides), robots.txt, the redirect pages
and ``_redirects``."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from generator.model import urls
from generator.plan.newsroom import (
    CORRECTIONS_PATH,
    corrections_feed,
    redirect_lines,
    redirect_page,
)
from generator.plan.rows import Page, Planning
from generator.publish.feeds import plan_feed
from generator.publish.redirects import REDIRECTS_FILE
from generator.publish.sitemaps import (
    MAX_URLS,
    NewsEntry,
    SitemapEntry,
    in_news_window,
    news_valid_until,
)


def feed_keys(form: str) -> Callable[[Planning], Iterable[str]]:
    """Every list of every kind whose lists have feeds in ``form``."""

    def keys(p: Planning) -> Iterable[str]:
        for kind in p.kinds.values():
            if form in kind.feeds:
                yield from (f"{kind.name}:{key}" for key in kind.keys(p))

    return keys


def feed(file: str, label: str) -> Callable[[Planning, str], Page]:
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


def sitemap_entries(p: Planning) -> list[SitemapEntry]:
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


def sitemap_keys(p: Planning) -> Iterable[str]:
    """One sitemap, or parts of 50,000 URLs and an index of them."""
    count = -(-len(sitemap_entries(p)) // MAX_URLS)
    if count <= 1:
        return ["sitemap.xml"]
    return [*(f"sitemap-{n}.xml" for n in range(1, count + 1)), "sitemap.xml"]


def sitemap(p: Planning, key: str) -> Page:
    """Every page that has a date, by URL."""
    entries = sitemap_entries(p)
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


def news_sitemap(p: Planning, key: str) -> Page:
    """The articles of the last two days, counted back from the build time."""
    config = p.config
    recent = tuple(
        NewsEntry(
            loc=urls.absolute_url(config, a.path), published=a.date, article=p.teaser(a.source)
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


def news_changes_at(p: Planning) -> float:
    return news_valid_until([a.date for a in p.structure.articles], p.now)


def robots(p: Planning, key: str) -> Page:
    sitemaps = tuple(
        urls.absolute_url(p.config, path) for path in ("/sitemap.xml", "/news-sitemap.xml")
    )
    return Page(path="/robots.txt", context={"sitemaps": sitemaps}, origin="robots.txt")


def corrections_atom(p: Planning, key: str) -> Page:
    context = {"feed": corrections_feed(p.config, p.structure)}
    path = urls.feed_path(CORRECTIONS_PATH)
    return Page(path=path, context=context, origin="the Atom feed of the corrections")


def redirect_keys(p: Planning) -> Iterable[str]:
    """Every old URL. One from the URL record that is now another page of
    the site (a tag page, an archive) stays that page; an alias there is an
    error, as any two outputs of one file are (``plan._collisions``)."""
    planned = {job.output.casefold() for job in p.jobs}
    for found in p.structure.redirects:
        if found.alias or urls.output_file(found.path).casefold() not in planned:
            yield found.path


def redirect(p: Planning, path: str) -> Page:
    """The page at an old URL, sending readers on to the article."""
    context, origin = redirect_page(p.config, p.structure.redirect(path))
    return Page(path=path, context=context, origin=origin)


def redirects_file(p: Planning, key: str) -> Page:
    """The redirect pages planned above, one line each."""
    paths = [job.address[1] for job in p.jobs if job.kind == "redirect"]
    context = {"redirects": redirect_lines(p.config, [p.structure.redirect(s) for s in paths])}
    return Page(path=REDIRECTS_FILE, context=context, origin="the _redirects file")
