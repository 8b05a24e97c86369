"""Every output the site needs, as a ``Job``: which layout, what the layout
sees, and which inputs it was made from.

Pagination is decided here, never in layouts. A layout sees only its job's
context, so the context (with the layouts and settings) is everything that
can change the output: that is what the dependency map fingerprints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import urls
from generator.config import SiteConfig
from generator.diagnostics import Diagnostic, error
from generator.model import Site, Teaser

# Keys of the dependency map. An output depends on:
CONFIG_KEY = "config"  # site.yaml
TAGS_KEY = "tags"  # the set of tags and their counts


def src_key(source: str) -> str:
    """The whole article file (its page shows everything in it)."""
    return f"src:{source}"


def teaser_key(source: str) -> str:
    """What lists show of an article: headline, URL, date, standfirst, tags..."""
    return f"teaser:{source}"


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
    pages: tuple[PageLink, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One page to render."""

    output: str  # output-relative file: "2026/11/24/budget/index.html"
    layout: str  # template name: "article.html"
    context: Mapping[str, Any]  # the variables the layout sees (besides globals)
    inputs: tuple[str, ...]  # dependency keys, without layouts and config
    origin: str  # what to name in an error: the article file, or the page kind


@dataclass(frozen=True, slots=True, kw_only=True)
class CopyJob:
    """One file copied as it is."""

    output: str
    source: str  # site-relative, e.g. "content/2026/img/map.png" or "theme/static/style.css"
    path: Path  # the file to copy
    inputs: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    pages: tuple[Job, ...]
    copies: tuple[CopyJob, ...]


def plan_site(site: Site) -> tuple[Plan, list[Diagnostic]]:
    config = site.config
    pages: list[Job] = []

    for article in site.articles:
        neighbours = [t for t in (*article.related, article.prev, article.next) if t is not None]
        inputs = [src_key(article.source)]
        inputs += [teaser_key(t.source) for t in neighbours]
        inputs += [teaser_key(s) for s in article.links_to]
        pages.append(
            Job(
                output=urls.output_file(article.path),
                layout="article.html",
                context={"article": article},
                inputs=tuple(dict.fromkeys(inputs)),
                origin=article.source,
            )
        )

    pages += _paginate(config, "/", "index.html", site.teasers, {}, "the index")
    for tag in site.tags:
        pages += _paginate(
            config,
            tag.path,
            "tag.html",
            site.tag_articles[tag.slug],
            {"tag": tag},
            f"the tag page of {tag.name!r}",
        )
    pages.append(
        Job(
            output=urls.output_file(urls.tags_index_path(config)),
            layout="tags.html",
            context={"tags": site.tags},
            inputs=(TAGS_KEY,),
            origin="the tags index",
        )
    )
    pages.append(Job(output="404.html", layout="404.html", context={}, inputs=(), origin="404"))

    copies = [
        CopyJob(
            output=asset.dest, source=asset.rel, path=asset.path, inputs=(asset_key(asset.rel),)
        )
        for asset in site.assets
    ]
    plan = Plan(pages=tuple(pages), copies=tuple(copies))
    return plan, _collisions(plan)


def _paginate(
    config: SiteConfig,
    first: str,
    layout: str,
    items: Sequence[Teaser],
    extra: Mapping[str, Any],
    origin: str,
) -> list[Job]:
    size = config.per_page
    total = max(1, -(-len(items) // size))
    page_urls = [
        urls.url_for(config, urls.page_path(config, first, n)) for n in range(1, total + 1)
    ]
    links = tuple(PageLink(number=n, url=u) for n, u in enumerate(page_urls, start=1))
    jobs = []
    for n in range(1, total + 1):
        chunk = tuple(items[(n - 1) * size : n * size])
        paginator = Paginator(
            items=chunk,
            number=n,
            total=total,
            total_items=len(items),
            url=page_urls[n - 1],
            prev_url=page_urls[n - 2] if n > 1 else None,
            next_url=page_urls[n] if n < total else None,
            first_url=page_urls[0],
            last_url=page_urls[-1],
            pages=links,
        )
        jobs.append(
            Job(
                output=urls.output_file(urls.page_path(config, first, n)),
                layout=layout,
                context={**extra, "paginator": paginator},
                inputs=(*tuple(teaser_key(t.source) for t in chunk), TAGS_KEY),
                origin=origin if n == 1 else f"{origin}, page {n}",
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
