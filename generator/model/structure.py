"""The site's structure: where every article is and which lists it is in.

It is made from each article's *skeleton* alone (its file, date, slug, tags,
updated and draft flags), never from its text: the order of the articles,
their URLs, the tags with their pages, and each article's neighbours (the
related articles and the next older and newer ones). So an edit that keeps
an article's skeleton keeps the structure, and everything the plan decides.
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
from generator.fingerprint import fingerprint
from generator.frozen import FrozenDict
from generator.images import CENTRE, ImageInfo, image_kind, parse_focus
from generator.load import CONTENT_DIR
from generator.model import related, urls
from generator.parse import ParsedArticle
from generator.parse.slugs import tag_key


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
        lead_image=lead_image(p.source, p.image),
        image_focus=parse_focus(p.meta.get("image_focus")) or CENTRE,
    )


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Placed:
    """An article as the rest of the site sees it."""

    source: str
    path: str  # site path: "/2026/11/24/budget/"
    date: dt.datetime  # in the site's time zone
    lastmod: dt.datetime  # updated, else date (site time zone)
    tags: tuple[str, ...]  # tag slugs, in the article's order


@dataclass(frozen=True, slots=True, kw_only=True)
class Tag:
    refs_in: ClassVar[tuple[str, ...]] = ()  # fields that hold references (plan.jobs)

    name: str  # the most used spelling
    slug: str
    url: str
    path: str
    count: int  # published articles with this tag
    feed_url: str | None  # its Atom feed (None when the site has no feeds)


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
    # Ranking an article's related articles reads every list it is in, so
    # each article's neighbours are worked out when first asked for.
    _positions: Mapping[str, int] = field(repr=False, compare=False)
    _by_tag: Mapping[str, list[int]] = field(repr=False, compare=False)
    _tags_by_slug: Mapping[str, Tag] = field(repr=False, compare=False)
    _neighbours: dict[str, Neighbours] = field(repr=False, compare=False, default_factory=dict)
    # Every image under content/ as published (see pipeline/images.py).
    images: Mapping[str, ImageInfo] = field(
        repr=False, compare=False, default_factory=lambda: FrozenDict({})
    )

    def neighbours_of(self, source: str) -> Neighbours:
        """The related articles of the article ``source``, and the next older
        and newer ones."""
        known = self._neighbours.get(source)
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

    def tag(self, slug: str) -> Tag:
        return self._tags_by_slug[slug]


def structure_key(
    config: SiteConfig,
    skeletons: Sequence[Skeleton],
    asset_paths: frozenset[str],
    content_paths: frozenset[str],
    images: Mapping[str, ImageInfo] | None = None,
) -> str:
    """A fingerprint of everything a structure (and so the plan) is made
    from: equal keys, the same structure."""
    return fingerprint(
        config.fingerprint(),
        skeletons,
        sorted(asset_paths),  # sorted: a set's order changes from run to run
        sorted(content_paths),
        sorted(images.items()) if images else None,
    )


def build_structure(
    config: SiteConfig,
    skeletons: Sequence[Skeleton],
    asset_paths: frozenset[str],
    content_paths: frozenset[str],
    images: Mapping[str, ImageInfo] | None = None,
) -> tuple[Structure, list[Diagnostic]]:
    """The structure of a site whose published articles have ``skeletons``;
    ``asset_paths`` are the content-relative paths of the files copied as
    they are, ``content_paths`` every file under content/."""
    diags: list[Diagnostic] = []
    tz = config.tz
    # Newest first; ties broken by slug, then by file, never by disk order.
    ordered = sorted(skeletons, key=lambda s: (-s.date.timestamp(), s.slug, s.source))

    paths: dict[str, str] = {}
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
        paths[s.source[len(CONTENT_DIR) + 1 :]] = path
        kept.append((s, path, date))

    tag_names = _tag_names([s for s, _, _ in kept])
    placed = [
        Placed(
            source=s.source,
            path=path,
            date=date,
            lastmod=s.updated.astimezone(tz) if s.updated else date,
            tags=tuple(tag_names[tag_key(name) or "tag"][1] for name in s.tags),
        )
        for s, path, date in kept
    ]

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

    structure = Structure(
        articles=tuple(placed),
        placed=FrozenDict({p.source: p for p in placed}),
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
        _positions={p.source: i for i, p in enumerate(placed)},
        _by_tag=dict(by_tag),
        _tags_by_slug={t.slug: t for t in tags},
        images=images if images is not None else FrozenDict({}),
    )
    return structure, diags


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
