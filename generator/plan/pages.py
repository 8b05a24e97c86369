"""The rows' functions for the site's own pages: articles (and what stays at
an expired one's URL), the index, tags, authors, the 404 page, the favicon,
corrections and search. Each takes the ``Planning`` and a key."""

from __future__ import annotations

from collections.abc import Iterable

from generator.model import urls
from generator.model.refs import ArticleRef
from generator.plan.desks import front_page
from generator.plan.jobs import ArticlePage
from generator.plan.lists import Listing, named_listing, page_info
from generator.plan.newsroom import CORRECTIONS_PATH, corrections_page
from generator.plan.rows import Page, Planning
from generator.search import SEARCH_DIR, SEARCH_PATH


def article_keys(p: Planning) -> Iterable[str]:
    return (placed.source for placed in p.structure.articles)


def article(p: Planning, source: str) -> Page:
    placed = p.structure.placed[source]
    near = p.structure.neighbours_of(source)
    article = ArticlePage(
        article=ArticleRef(source),
        related=tuple(map(p.teaser, near.related)),
        prev=p.teaser(near.prev) if near.prev else None,
        next=p.teaser(near.next) if near.next else None,
    )
    return Page(
        path=placed.path,
        context={"article": article, "page": page_info(p.config, "article", placed.path)},
        origin=source,
        lastmod=placed.lastmod,
    )


def withdrawn(p: Planning, source: str) -> Page:
    """What stays at an expired article's URL: its headline and when it was
    withdrawn (its layout says noindex), no body, in no list or sitemap."""
    placed = p.structure.placed[source]
    context = {
        "article": p.teaser(source),
        "withdrawn": placed.expires,
        "page": page_info(p.config, "withdrawn", placed.path),
    }
    return Page(path=placed.path, context=context, origin=source)


def index(p: Planning, key: str) -> Listing:
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


def tag(p: Planning, slug: str) -> Listing:
    placed = p.structure.placed
    members = tuple(placed[s] for s in p.structure.tag_members[slug])
    return named_listing(p.config, "tag", p.structure.tag(slug), members)


def tag_index(p: Planning, key: str) -> Page:
    path = urls.tags_index_path(p.config)
    newest = p.structure.articles[0].date if p.structure.articles else None
    context = {"tags": p.structure.tags, "page": page_info(p.config, "tags", path)}
    return Page(path=path, context=context, origin="the tags index", lastmod=newest)


def authors_index(p: Planning, key: str) -> Page:
    path = urls.authors_index_path(p.config)
    newest = p.structure.articles[0].date if p.structure.articles else None
    context = {
        "authors": p.structure.desks.authors,
        "page": page_info(p.config, "authors", path),
    }
    return Page(path=path, context=context, origin="the authors index", lastmod=newest)


def not_found(p: Planning, key: str) -> Page:
    return Page(
        path="/404.html", context={"page": page_info(p.config, "404", "/404.html")}, origin="404"
    )


def favicon_keys(p: Planning) -> Iterable[str]:
    return () if p.config.favicon.url else ("favicon",)


def favicon(p: Planning, key: str) -> Page:
    icon = p.config.favicon
    letter = icon.letter or next((c for c in p.config.title if c.isalnum()), "")
    context = {"favicon": {"letter": letter, "background": icon.background, "color": icon.color}}
    return Page(path=urls.FAVICON_PATH, context=context, origin="favicon")


def corrections_keys(p: Planning) -> Iterable[str]:
    return ("corrections",) if p.structure.corrections else ()


def corrections(p: Planning, key: str) -> Page:
    context, lastmod = corrections_page(p.config, p.structure)
    origin = "the corrections page"
    return Page(path=CORRECTIONS_PATH, context=context, origin=origin, lastmod=lastmod)


def search_keys(p: Planning) -> Iterable[str]:
    return ("search",) if p.config.search else ()


def search(p: Planning, key: str) -> Page:
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
