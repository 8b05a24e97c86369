"""The site's structure: where every article is and which lists it is in.

It is made from each article's *skeleton* alone (its file, date, slug, tags,
updated and draft flags, expiry, bylines, section and featured flag), never
from its text, and from the build time (``schedule``: which articles are
live, scheduled or withdrawn): the order of the articles, their URLs, the
tags with their pages, the sections and authors, and each article's
neighbours (the related articles and the next older and newer ones). So an
edit that keeps an article's skeleton keeps the structure, and everything
the plan decides, until the time reaches ``changes_at``.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import unquote

from generator.config import SiteConfig
from generator.diagnostics import Diagnostic, error
from generator.fingerprint import fingerprint, plain_repr
from generator.frozen import FrozenDict, quick_init, quick_pickle
from generator.images import CENTRE, ImageInfo, image_kind, parse_focus
from generator.load import CONTENT_DIR
from generator.model import related, urls
from generator.model.desks import Desks, author_slug, find_desks, section_of
from generator.model.redirects import Claim, Redirect, resolve
from generator.model.schedule import timing
from generator.parse import ParsedArticle
from generator.parse.newsroom import Alias, Correction, newest
from generator.parse.slugs import tag_key
from generator.record import Record


@quick_init
@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class Skeleton:
    """What an article decides about the rest of the site."""

    source: str
    date: dt.datetime  # aware
    slug: str
    tags: tuple[str, ...]  # as written
    updated: dt.datetime | None
    draft: bool
    slug_line: int  # where a URL collision is reported
    expires: dt.datetime | None = None  # withdrawn from then on
    # The corrections page and the feeds list every correction; its URLs are
    # the site's too.
    corrections: tuple[Correction, ...] = ()  # newest first
    aliases: tuple[Alias, ...] = ()
    ident: str | None = None
    ident_line: int | None = None
    authors: tuple[str, ...] = ()  # bylines as written: each has an author page
    section: str | None = None  # section: as written
    section_line: int | None = None
    featured: bool = False
    # The lead image under content/ (content-relative) and the point its
    # link-preview crop is cut around: the crops the site makes.
    lead_image: str | None = None
    image_focus: tuple[float, float] = CENTRE


def skeleton(p: ParsedArticle) -> Skeleton:
    return Skeleton(
        source=p.source,
        date=p.date,
        slug=p.slug,
        tags=p.tags,
        updated=p.updated,
        draft=p.draft,
        slug_line=p.slug_line,
        expires=p.expires,
        corrections=p.corrections,
        aliases=p.aliases,
        ident=p.ident,
        ident_line=p.ident_line,
        authors=p.authors,
        section=p.section,
        section_line=p.section_line,
        featured=p.featured,
        lead_image=lead_image(p.source, p.image),
        image_focus=parse_focus(p.meta.get("image_focus")) or CENTRE,
    )


def last_change(
    updated: dt.datetime | None, corrections: tuple[Correction, ...]
) -> dt.datetime | None:
    """When an article last changed, if it did: ``updated:`` or its newest
    correction, whichever is later."""
    corrected = newest(corrections)
    if updated is None or corrected is None:
        return updated or corrected
    return max(updated, corrected)


def lead_image(source: str, image: str | None) -> str | None:
    """The content-relative path of an article's lead image when it is a
    raster image under content/ (published as variants)."""
    if not image or image.startswith(("http://", "https://", "//", "/")):
        return None
    content_path = source[len(CONTENT_DIR) + 1 :]
    target = posixpath.normpath(posixpath.join(posixpath.dirname(content_path), unquote(image)))
    if target.startswith("../") or image_kind(target) != "raster":
        return None
    return target


@quick_init
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class Placed:
    """An article as the rest of the site sees it."""

    source: str
    path: str  # site path: "/2026/11/24/budget/"
    date: dt.datetime  # in the site's time zone
    lastmod: dt.datetime  # updated, else date (site time zone)
    tags: tuple[str, ...]  # tag slugs, in the article's order
    ahead: bool = False  # scheduled, shown before its time (--future)
    expires: dt.datetime | None = None  # withdrawn from then on (site time zone)
    section: str | None = None  # its section's key
    authors: tuple[str, ...] = ()  # author slugs, in the byline's order


@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class Tag:
    refs_in: ClassVar[tuple[str, ...]] = ()  # fields that hold references (plan.jobs)

    name: str  # the most used spelling
    slug: str
    url: str
    path: str
    count: int  # published articles with this tag
    feed_url: str | None  # its Atom feed (None when the site has no feeds)


@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class Neighbours:
    """Sources of the articles an article's page shows besides itself."""

    related: tuple[str, ...]
    prev: str | None  # the next older article
    next: str | None  # the next newer article


@dataclass(frozen=True, slots=True, kw_only=True)
class Structure:
    articles: tuple[Placed, ...]  # published, newest first
    placed: Mapping[str, Placed]  # by source
    paths: Mapping[str, str]  # content-relative source -> site path
    asset_paths: frozenset[str]  # content-relative paths of copied files
    unbuilt: frozenset[str]  # content files that are neither articles nor assets (drafts...)
    tag_names: Mapping[str, tuple[str, str]]  # tag key -> (name shown, slug)
    tags: tuple[Tag, ...]  # by name
    tag_members: Mapping[str, tuple[str, ...]]  # tag slug -> sources, newest first
    related: int  # how many related articles each article shows
    redirects: tuple[Redirect, ...]  # old URLs that lead to an article, by path
    claims: tuple[Claim, ...]  # each published article's URL, aliases and id
    corrections: tuple[tuple[str, Correction], ...]  # (source, correction), newest first
    # What the build time decided (see ``schedule``): the scheduled articles
    # left out, by content-relative path, with their time and their path to
    # be (a link to one is an error until then); every scheduled article,
    # left out or shown ahead, soonest first (the build says what is
    # waiting); the withdrawn ones (each keeps a page at its URL, and is in
    # ``placed`` and ``paths``, in no list); and the next moment any of this
    # changes (a timestamp; inf: never).
    held: Mapping[str, tuple[dt.datetime, str]] = field(default_factory=FrozenDict)
    scheduled: tuple[tuple[str, dt.datetime], ...] = ()
    withdrawn: tuple[Placed, ...] = ()
    changes_at: float = float("inf")
    desks: Desks = field(default_factory=Desks)  # sections, authors, the lead story
    # Ranking an article's related articles reads every list it is in, so
    # each article's neighbours are worked out when first asked for.
    _positions: Mapping[str, int] = field(repr=False, compare=False)
    _by_tag: Mapping[str, list[int]] = field(repr=False, compare=False)
    _tags_by_slug: Mapping[str, Tag] = field(repr=False, compare=False)
    _redirects_by_path: Mapping[str, Redirect] = field(repr=False, compare=False)
    _neighbours: dict[str, Neighbours] = field(repr=False, compare=False, default_factory=dict)
    # Every image under content/ as published (see pipeline/images.py).
    images: Mapping[str, ImageInfo] = field(
        repr=False, compare=False, default_factory=lambda: FrozenDict({})
    )

    def neighbours_of(self, source: str) -> Neighbours:
        """The related articles of the article ``source``, and the next older
        and newer ones."""
        known = self._neighbours.get(source)
        if known is None and self.is_withdrawn(source):  # in no list
            return Neighbours(related=(), prev=None, next=None)
        if known is None:
            position = self._positions[source]
            placed = self.articles
            ranked = related.rank(position, placed[position].tags, self._by_tag, self.related)
            known = Neighbours(
                related=tuple(placed[i].source for i in ranked),
                prev=placed[position + 1].source if position + 1 < len(placed) else None,
                next=placed[position - 1].source if position > 0 else None,
            )
            self._neighbours[source] = known
        return known

    def is_withdrawn(self, source: str) -> bool:
        """Placed, expired: its URL has a page that says so, and no list has it."""
        return source in self.placed and source not in self._positions

    def tag(self, slug: str) -> Tag:
        return self._tags_by_slug[slug]

    def redirect(self, path: str) -> Redirect:
        return self._redirects_by_path[path]


def structure_key(
    config: SiteConfig,
    skeletons: Sequence[Skeleton],
    asset_paths: frozenset[str],
    content_paths: frozenset[str],
    record: Record = (),
    images: Mapping[str, ImageInfo] | None = None,
    *,
    prints: Sequence[str],
    now: dt.datetime | None = None,
    future: bool = False,
) -> str:
    """A fingerprint of everything a structure (and so the plan) is made
    from: equal keys, the same structure. The skeletons count by their
    fingerprints (``prints``, in the same order: ``codec.skeleton_print``);
    the build time through what it decides (which articles are live, held
    back, withdrawn)."""
    return fingerprint(
        config.fingerprint(),
        prints,
        sorted(asset_paths),  # sorted: a set's order changes from run to run
        sorted(content_paths),
        record,
        sorted(images.items()) if images else None,
        timing(skeletons, now, future).key,
    )


def build_structure(
    config: SiteConfig,
    skeletons: Sequence[Skeleton],
    asset_paths: frozenset[str],
    content_paths: frozenset[str],
    record: Record = (),
    images: Mapping[str, ImageInfo] | None = None,
    *,
    now: dt.datetime | None = None,
    future: bool = False,
) -> tuple[Structure, list[Diagnostic]]:
    """The structure of a site whose published articles have ``skeletons``,
    at the build time ``now`` (None: every article is live), scheduled
    articles shown ahead with ``future``; ``asset_paths`` are the
    content-relative paths of the files copied as they are,
    ``content_paths`` every file under content/, ``record`` the URLs
    published before (``generator/record.py``)."""
    diags: list[Diagnostic] = []
    tz = config.tz
    when = timing(skeletons, now, future)
    held = {s.source for s in when.held}
    gone = {s.source for s in when.withdrawn}
    # Newest first; ties broken by slug, then by file, never by disk order.
    # A scheduled article's URL is taken already: a clash is said now, not
    # when it goes live.
    ordered = sorted(skeletons, key=lambda s: (-s.date.timestamp(), s.slug, s.source))

    paths: dict[str, str] = {}
    held_paths: dict[str, tuple[dt.datetime, str]] = {}
    taken: dict[str, Skeleton] = {}
    kept: list[tuple[Skeleton, str, dt.datetime]] = []
    for s in ordered:
        date = s.date.astimezone(tz)
        path = urls.article_path(config, date, s.slug)
        other = taken.get(path)
        if other is not None:
            for a, b in ((s, other), (other, s)):
                diags.append(
                    error(
                        a.source,
                        f"the URL {path} is also the URL of {b.source}",
                        line=a.slug_line,
                        hint="give one of them a different 'slug:'",
                    )
                )
            continue
        taken[path] = s
        if s.source in held:
            held_paths[s.source[len(CONTENT_DIR) + 1 :]] = (date, path)
            section_of(config, s, diags)  # checked now, not when it goes live
        else:
            paths[s.source[len(CONTENT_DIR) + 1 :]] = path
            kept.append((s, path, date))

    tag_names = _tag_names([s for s, _, _ in kept if s.source not in gone])
    placed: list[Placed] = []
    withdrawn: list[Placed] = []
    live: list[tuple[Skeleton, Placed]] = []
    for s, path, date in kept:
        section = section_of(config, s, diags)
        if s.source in gone:  # in no list: no tag, section or author page has it
            withdrawn.append(
                Placed(
                    source=s.source,
                    path=path,
                    date=date,
                    lastmod=_lastmod(s, date, tz),
                    tags=(),
                    expires=s.expires.astimezone(tz) if s.expires else None,
                )
            )
            continue
        one = Placed(
            source=s.source,
            path=path,
            date=date,
            lastmod=_lastmod(s, date, tz),
            tags=tuple(tag_names[tag_key(n) or "tag"][1] for n in s.tags),
            ahead=s.source in when.ahead,
            expires=s.expires.astimezone(tz) if s.expires else None,
            section=section,
            authors=tuple(dict.fromkeys(author_slug(name) for name in s.authors)),
        )
        placed.append(one)
        live.append((s, one))
    desks = find_desks(config, live, asset_paths, diags, images)

    by_tag: dict[str, list[int]] = defaultdict(list)  # tag slug -> positions, newest first
    for position, p in enumerate(placed):
        for slug in p.tags:
            by_tag[slug].append(position)

    tags = []
    for slug, positions in by_tag.items():
        path = urls.tag_path(config, slug)
        feed_url = urls.url_for(config, urls.feed_path(path)) if config.absolute_base else None
        tags.append(
            Tag(
                name=tag_names[slug][0],
                slug=slug,
                url=urls.url_for(config, path),
                path=path,
                count=len(positions),
                feed_url=feed_url,
            )
        )
    tags.sort(key=lambda t: (t.name.casefold(), t.slug))
    claims = tuple(
        Claim(source=s.source, path=path, aliases=s.aliases, ident=s.ident, ident_line=s.ident_line)
        for s, path, _ in kept
    )
    redirects, redirect_diags = resolve(config, claims, record)
    diags += redirect_diags
    corrections = sorted(
        ((s.source, c) for s, _, _ in kept if s.source not in gone for c in s.corrections),
        key=lambda sc: (-sc[1].date.timestamp(), sc[0]),
    )

    scheduled = sorted(
        (s.date.astimezone(tz), s.source) for s in skeletons if s.source in held | when.ahead
    )
    structure = Structure(
        articles=tuple(placed),
        placed=FrozenDict({p.source: p for p in (*placed, *withdrawn)}),
        paths=FrozenDict(paths),
        asset_paths=asset_paths,
        unbuilt=content_paths - set(paths) - asset_paths,
        tag_names=FrozenDict(tag_names),
        tags=tuple(tags),
        tag_members=FrozenDict(
            {
                slug: tuple(placed[i].source for i in positions)
                for slug, positions in sorted(by_tag.items())
            }
        ),
        related=config.related,
        held=FrozenDict(held_paths),
        scheduled=tuple((source, date) for date, source in scheduled),
        withdrawn=tuple(withdrawn),
        changes_at=when.changes_at,
        redirects=redirects,
        claims=claims,
        corrections=tuple(corrections),
        desks=desks,
        _positions={p.source: i for i, p in enumerate(placed)},
        _by_tag=dict(by_tag),
        _tags_by_slug={t.slug: t for t in tags},
        _redirects_by_path={r.path: r for r in redirects},
        images=images if images is not None else FrozenDict({}),
    )
    return structure, diags


def _lastmod(s: Skeleton, date: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    changed = last_change(s.updated, s.corrections)
    return changed.astimezone(tz) if changed else date


def _tag_names(articles: Sequence[Skeleton]) -> dict[str, tuple[str, str]]:
    """tag key -> (name to show, slug). The name shown on a tag's own page is
    its most used spelling; ties go to the spelling used first (newest first)."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    first_seen: dict[str, dict[str, int]] = defaultdict(dict)
    order = 0
    for s in articles:
        for name in s.tags:
            key = tag_key(name) or "tag"
            spellings[key][name] += 1
            first_seen[key].setdefault(name, order)
            order += 1
    result: dict[str, tuple[str, str]] = {}
    for key, counter in spellings.items():
        name = min(counter, key=lambda n: (-counter[n], first_seen[key][n]))
        result[key] = (name, key)
    return result
