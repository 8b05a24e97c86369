"""Lists of articles: how a list is cut into pages, and the date archives.

Pagination is decided here, never in layouts: a layout sees one page's
``Paginator``, so that page changes only when what it shows does.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from generator.config import SiteConfig, format_date
from generator.frozen import quick_init
from generator.model import Placed, urls
from generator.model.refs import TeaserRef
from generator.plan.jobs import Archive, ArchiveLink, PageInfo, PageLink, Paginator, page_url

WINDOW = 2  # page links either side of the current one


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    """One list of articles, before it is cut into pages: the index, a tag's
    articles, a month of the archive."""

    kind: str  # the page kind it belongs to
    path: str  # site path of its first page
    members: tuple[Placed, ...]  # newest first
    extra: Mapping[str, Any]  # more context for its layout ({"tag": tag})
    origin: str  # how errors name it: "the index", "the tag page of 'EU'"
    title: str  # its feeds' title
    what: str  # how its feeds' errors name it: "" (the site's), "tag 'EU'"
    first_extra: Mapping[str, Any] | None = None  # more context for its first page only


class Named(Protocol):
    """What has a list of its own: a tag, a section, an author."""

    @property
    def name(self) -> str: ...
    @property
    def path(self) -> str: ...


def named_listing(
    config: SiteConfig, kind: str, named: Named, members: tuple[Placed, ...]
) -> Listing:
    """The list of a tag, a section or an author (``kind``): its articles,
    newest first, at its path, with it in its layout's context."""
    return Listing(
        kind=kind,
        path=named.path,
        members=members,
        extra={kind: named},
        origin=f"the {kind} page of {named.name!r}",
        title=f"{config.title}: {named.name}",
        what=f"{kind} {named.name!r}",
    )


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class ListPage:
    """One page of a listing."""

    path: str
    context: Mapping[str, Any]
    origin: str
    lastmod: dt.datetime | None


def page_info(config: SiteConfig, kind: str, path: str, **links: str | None) -> PageInfo:
    return PageInfo(
        kind=kind,
        url=urls.url_for(config, path),
        permalink=urls.absolute_url(config, path),
        **links,
    )


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


def paginate(
    config: SiteConfig,
    listing: Listing,
    teaser: Callable[[str], TeaserRef],
    only: set[int] | None = None,
) -> list[tuple[int, ListPage]]:
    """``listing`` cut into pages of ``per_page`` (one empty page at least),
    with their numbers; or only the pages numbered ``only``. ``teaser``
    gives the reference to an article (``Planning.teaser``: one each)."""
    size = config.per_page
    items = listing.members
    total = max(1, -(-len(items) // size))
    first_url = urls.url_for(config, listing.path)
    later_urls = urls.url_for(config, urls.page_path_pattern(config, listing.path))
    # Each page's URL and link made once and shared: a page names its
    # neighbours', the last one's and a window of seven.
    url_of = functools.cache(functools.partial(page_url, first_url, later_urls))
    link_of = functools.cache(lambda m: PageLink(number=m, url=url_of(m)))
    pages = []
    for n in range(1, total + 1) if only is None else sorted(only):
        chunk = items[(n - 1) * size : n * size]
        paginator = Paginator(
            items=tuple(teaser(p.source) for p in chunk),
            number=n,
            total=total,
            total_items=len(items),
            url=url_of(n),
            prev_url=url_of(n - 1) if n > 1 else None,
            next_url=url_of(n + 1) if n < total else None,
            first_url=first_url,
            last_url=url_of(total),
            later_urls=later_urls,
            window=tuple(None if m is None else link_of(m) for m in page_window(n, total)),
        )
        path = urls.page_path(config, listing.path, n)
        page = page_info(
            config, listing.kind, path, prev_url=paginator.prev_url, next_url=paginator.next_url
        )
        list_page = ListPage(
            path=path,
            context={
                **listing.extra,
                **((listing.first_extra or {}) if n == 1 else {}),
                "paginator": paginator,
                "page": page,
            },
            origin=listing.origin if n == 1 else f"{listing.origin}, page {n}",
            lastmod=max((p.lastmod for p in chunk), default=None),
        )
        pages.append((n, list_page))
    return pages


def archives(config: SiteConfig, articles: Sequence[Placed]) -> list[Listing]:
    """Year, month and day lists for every prefix of the article URL pattern."""
    patterns = urls.archive_patterns(config)
    if not patterns:
        return []
    by_kind: dict[str, dict[tuple[int, ...], list[Placed]]] = {k: {} for k, _ in patterns}
    for p in articles:
        d = p.date
        keys = {"year": (d.year,), "month": (d.year, d.month), "day": (d.year, d.month, d.day)}
        for kind, _ in patterns:
            by_kind[kind].setdefault(keys[kind], []).append(p)

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
    listings: list[Listing] = []
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
            listings.append(
                Listing(
                    kind="archive",
                    path=first,
                    members=tuple(items),
                    extra={"archive": archive},
                    origin=f"the archive page {archive.title}",
                    title=f"{config.title}: {archive.title}",
                    what=f"the archive page {archive.title}",
                )
            )
    return listings
