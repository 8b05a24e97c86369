"""What the plan makes: one ``Job`` per output, and the context types layouts see.

A job's context is what its layout sees, with every article in it a
reference (``model.refs``): the plan is decided by the site's structure and
the settings alone. A job knows the references its context holds (``refs``,
its inputs besides the layouts and the settings) and a fingerprint of the
rest of it (``static``), so its signature needs no look inside.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from generator.fingerprint import fingerprint, plain_repr
from generator.frozen import quick_init, quick_pickle
from generator.model.refs import ArticleRef, Ref, TeaserRef

CONFIG_KEY = "config"  # site.yaml: an input of every output
TIME_KEY = "time"  # the build time: an input of the outputs it decides (the news sitemap)


# Where a job is in the table: its kind, the key of its page or list, and
# its page number (1 for a kind of single pages).
Address = tuple[str, str, int]


def layout_key(name: str) -> str:
    return f"layout:{name}"


def asset_key(rel: str) -> str:
    return f"asset:{rel}"


@quick_init
@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class PageInfo:
    """``page`` in every layout: what this output is and where."""

    refs_in: ClassVar[tuple[str, ...]] = ()  # fields that hold references

    kind: str  # "article", "index", "tag", "tags", "archive", "404"
    url: str
    permalink: str  # absolute when base_url has a host
    prev_url: str | None = None  # for <link rel="prev/next"> on paginated lists
    next_url: str | None = None


@quick_init
@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class PageLink:
    refs_in: ClassVar[tuple[str, ...]] = ()  # fields that hold references
    number: int
    url: str


@quick_init
@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class Paginator:
    refs_in: ClassVar[tuple[str, ...]] = ("items",)  # fields that hold references
    items: tuple[Any, ...]  # teasers (references to them, in the plan)
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


@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveLink:
    refs_in: ClassVar[tuple[str, ...]] = ()  # fields that hold references
    title: str
    url: str
    count: int


@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class Archive:
    """A year, month or day page (``/2026/``, ``/2026/11/``, ``/2026/11/24/``)."""

    refs_in: ClassVar[tuple[str, ...]] = ()  # fields that hold references

    kind: str  # "year", "month" or "day"
    title: str  # "2026", "November 2026", "24 November 2026"
    date: dt.date  # the first day of the period
    url: str
    parent: ArchiveLink | None  # the enclosing period's page
    periods: tuple[ArchiveLink, ...]  # the months of a year, the days of a month


@quick_init
@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class ArticlePage:
    """An article page's article: itself and the articles its page shows.
    The render stage makes it the ``ArticleView`` the layout gets."""

    article: ArticleRef
    related: tuple[TeaserRef, ...]
    prev: TeaserRef | None
    next: TeaserRef | None


@quick_init
@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One output to render: with a layout, or with a built-in producer."""

    output: str  # output-relative file: "2026/11/24/budget/index.html"
    address: Address  # ("tag", "politics", 2): the page kind, key and number that planned it
    layout: str | None  # template name: "article.html"
    producer: str | None  # a built-in writer instead of a layout ("sitemap")
    context: Mapping[str, Any]  # the variables the layout sees (besides globals)
    refs: tuple[Ref, ...]  # the articles the context shows, in order, each once
    static: str  # fingerprint of the context, references by name
    origin: str  # what to name in an error: the article file, or the page

    @property
    def kind(self) -> str:
        return self.address[0]

    lastmod: dt.datetime | None  # for the sitemap; None: not in the sitemap
    timed: bool  # decided by the build time (an input: TIME_KEY)


def make_job(
    *,
    output: str,
    address: Address,
    context: Mapping[str, Any],
    origin: str,
    layout: str | None = None,
    producer: str | None = None,
    lastmod: dt.datetime | None = None,
    timed: bool = False,
) -> Job:
    refs: dict[tuple[str, str], Ref] = {}
    _collect(context, refs)
    static = fingerprint(address, output, layout, producer, context)
    return Job(
        output=output,
        address=address,
        layout=layout,
        producer=producer,
        context=context,
        refs=tuple(refs.values()),
        static=static,
        origin=origin,
        lastmod=lastmod,
        timed=timed,
    )


_ATOMS = (str, int, float, bool, type(None), dt.date)  # datetime is a date


def _collect(value: Any, refs: dict[tuple[str, str], Ref]) -> None:
    """Every reference in ``value``, in order, each once (by its kind: a
    teaser and an article of one source are equal strings). A class may
    say which of its fields can hold references (``refs_in``); any other
    dataclass is looked through whole."""
    if isinstance(value, Ref):
        refs.setdefault((value.prefix, value), value)
    elif isinstance(value, _ATOMS):
        return
    elif isinstance(value, tuple | list):
        for item in value:  # most are references (a list's teasers): no call for those
            if isinstance(item, Ref):
                refs.setdefault((item.prefix, item), item)
            elif not isinstance(item, _ATOMS):
                _collect(item, refs)
    elif isinstance(value, Mapping):
        for item in value.values():
            _collect(item, refs)
    elif dataclasses.is_dataclass(value):
        for name in getattr(value, "refs_in", value.__dataclass_fields__):
            _collect(getattr(value, name), refs)


@dataclass(frozen=True, slots=True, kw_only=True)
class CopyJob:
    """One file copied as it is."""

    output: str
    source: str  # site-relative, e.g. "content/2026/img/map.png" or "theme/static/style.css"
    path: Path  # the file to copy
    stat: tuple[int, int]  # (mtime_ns, size)


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    pages: tuple[Job, ...]
    copies: tuple[CopyJob, ...]
    # The build time at which a time-decided output would change (the next
    # article to enter or leave the news sitemap's window); inf: never.
    valid_until: float
