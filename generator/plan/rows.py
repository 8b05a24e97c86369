"""A row of the page-kind table and what it plans from.

``Kind`` is a row of the table (``plan/kinds.py``); ``Planning`` what its
functions read (the structure, the settings, the build time, the lists
made so far); ``Page`` one output a row plans. The rows' functions are in
``plan/pages.py`` (the site's pages) and ``plan/machine_pages.py`` (feeds,
sitemaps, robots.txt, redirects: what other programs read).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.config import SiteConfig
from generator.frozen import quick_init
from generator.model import Structure
from generator.model.refs import TeaserRef
from generator.plan.jobs import Job
from generator.plan.lists import Listing, archives


@dataclass(slots=True, kw_only=True)
class Planning:
    """What a row plans from: the site's structure, the settings and the
    build time; the lists of every row, by key; and, when the whole site is
    planned, every output the rows above it planned."""

    config: SiteConfig
    structure: Structure
    now: dt.datetime
    kinds: Mapping[str, Kind]  # the table, by name (``kinds.KIND``)
    jobs: list[Job] = field(default_factory=list)  # planned so far (the whole site only)
    _lists: dict[tuple[str, str], Listing] = field(default_factory=dict)
    _archives: dict[str, Listing] | None = None
    _teasers: dict[str, TeaserRef] = field(default_factory=dict)

    def teaser(self, source: str) -> TeaserRef:
        """The reference to ``source``'s teaser, one object for the whole
        plan: an article is on ten pages or so (its tags', the archive's,
        its neighbours' related boxes), and a string per mention was 14 MB
        of the plan at 10,000 articles (it pickles once per task, too)."""
        ref = self._teasers.get(source)
        if ref is None:
            ref = self._teasers[source] = TeaserRef(source)
        return ref

    def listing(self, kind: str, key: str) -> Listing:
        """The list ``key`` of the list kind ``kind``, made once."""
        known = self._lists.get((kind, key))
        if known is None:
            make = self.kinds[kind].list
            assert make is not None, f"{kind} is no kind of lists"
            known = self._lists[(kind, key)] = make(self, key)
        return known

    def archives(self) -> dict[str, Listing]:
        if self._archives is None:
            found = archives(self.config, self.structure.articles)
            self._archives = {listing.path: listing for listing in found}
        return self._archives


@quick_init
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


def one(key: str) -> Callable[[Planning], Iterable[str]]:
    return lambda p: (key,)
