"""The site model: parsed articles + settings -> ``Site``.

Decides every URL, groups tags, orders articles, finds related articles and
neighbours, and resolves links between files. Pure: no I/O, no Jinja. All
problems come back as diagnostics (URL collisions, broken links).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import hashlib
import heapq
import math
import posixpath
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from generator import urls
from generator.bodies import BodyRef
from generator.config import SiteConfig
from generator.diagnostics import Diagnostic, error
from generator.frozen import FrozenDict
from generator.load import CONTENT_DIR, MARKDOWN_SUFFIXES, AssetFile
from generator.markdown import LinkRef, substitute_refs
from generator.parse import ParsedArticle
from generator.slugs import tag_key

WORDS_PER_MINUTE = 230
NO_HTML = Markup("")
RELATED_WINDOW = 60  # per shared tag, look this many articles either side in time


@dataclass(frozen=True, slots=True, kw_only=True)
class TagRef:
    name: str  # as this article wrote it
    slug: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Teaser:
    """What a list, a related box or a prev/next link shows of an article.

    Lists get teasers, never whole articles, so a list page depends only on
    these fields (and the dependency map can tell when it must re-render).
    """

    source: str  # site-relative source file, for the dependency map
    headline: str
    url: str
    permalink: str  # the absolute URL when base_url has a host, else the same as url
    path: str  # site path
    date: dt.datetime  # aware, in the site's time zone
    archive_url: str | None  # the page of its day (or month, year): the day's edition
    updated: dt.datetime | None
    standfirst: str | None
    summary: str  # the standfirst, or the start of the first paragraph
    tags: tuple[TagRef, ...]
    authors: tuple[str, ...]
    image: str | None  # URL
    image_alt: str
    reading_time: int  # minutes
    lang: str | None

    @property
    def author(self) -> str:
        """Authors joined for a byline: "A", "A and B", "A, B and C"."""
        if len(self.authors) <= 1:
            return "".join(self.authors)
        return ", ".join(self.authors[:-1]) + " and " + self.authors[-1]


@dataclass(frozen=True, slots=True, kw_only=True)
class Article(Teaser):
    slug: str
    draft: bool
    body: BodyRef  # the body's HTML, with a marker for each of ``links`` (see bodies.py)
    links: tuple[str, ...]  # each relative link of the body, resolved and escaped
    words: int
    meta: Mapping[str, Any]
    related: tuple[Teaser, ...] = ()
    prev: Teaser | None = None  # the next older article
    next: Teaser | None = None  # the next newer article
    links_to: tuple[str, ...] = ()  # sources of articles this one links to
    # The body, safe to print as it is: only in the article that the render
    # stage hands a layout (see ``with_html``); the model keeps it on disk.
    html: Markup = NO_HTML

    def teaser(self) -> Teaser:
        return Teaser(**{name: getattr(self, name) for name in Teaser.__dataclass_fields__})


def body_html(article: Article, body: bytes) -> Markup:
    """``article``'s body: ``body`` (its stored bytes) with the links put in."""
    text = body.decode("utf-8")
    if article.links:
        links = article.links
        text = substitute_refs(text, lambda i: links[i])
    return Markup(text)


def with_html(article: Article, body: bytes) -> Article:
    """``article`` with its ``html`` (see ``body_html``), for a layout."""
    return dataclasses.replace(article, html=body_html(article, body))


@dataclass(frozen=True, slots=True, kw_only=True)
class Tag:
    name: str  # the most used spelling
    slug: str
    url: str
    path: str
    count: int  # published articles with this tag
    feed_url: str | None  # its Atom feed (None when the site has no feeds)


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    config: SiteConfig
    articles: tuple[Article, ...]  # newest first
    teasers: tuple[Teaser, ...]  # the same articles as teasers, for lists
    tags: tuple[Tag, ...]  # by name
    tag_articles: Mapping[str, tuple[Teaser, ...]]  # tag slug -> teasers, newest first
    assets: tuple[AssetFile, ...]
    index: SiteIndex


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteIndex:
    """What turning one parsed article into a teaser and a body needs to know
    about the rest of the site: every URL, every asset, every tag's name."""

    config: SiteConfig
    paths: Mapping[str, str]  # content-relative source -> site path
    asset_paths: frozenset[str]  # content-relative paths of copied files
    unbuilt: frozenset[str]  # content files that are neither articles nor assets (drafts...)
    tag_names: Mapping[str, tuple[str, str]]  # tag key -> (name shown, slug)

    def tag_refs(self, p: ParsedArticle) -> tuple[TagRef, ...]:
        refs = []
        for name in p.tags:
            slug = self.tag_names[tag_key(name) or "tag"][1]
            path = urls.tag_path(self.config, slug)
            refs.append(TagRef(name=name, slug=slug, url=urls.url_for(self.config, path)))
        return tuple(refs)

    def article_parts(
        self, p: ParsedArticle
    ) -> tuple[Teaser, tuple[str, ...], tuple[str, ...], list[Diagnostic]]:
        """The teaser, the body's links resolved, the sources it links to,
        and any broken-link errors, of one published article."""
        config = self.config
        tz = config.tz
        diags: list[Diagnostic] = []
        links, links_to, image = _resolve_links(
            config, p, self.paths, self.asset_paths, self.unbuilt, diags
        )
        path = self.paths[p.content_path]
        date = p.date.astimezone(tz)
        teaser = Teaser(
            source=p.source,
            headline=p.headline,
            url=urls.url_for(config, path),
            permalink=urls.absolute_url(config, path),
            path=path,
            date=date,
            archive_url=urls.archive_url(config, date),
            updated=p.updated.astimezone(tz) if p.updated else None,
            standfirst=p.standfirst,
            summary=p.standfirst or p.body.summary,
            tags=self.tag_refs(p),
            authors=p.authors,
            image=image,
            image_alt=p.image_alt,
            reading_time=max(1, math.ceil(p.body.words / WORDS_PER_MINUTE)),
            lang=p.lang,
        )
        return teaser, links, links_to, diags


def make_article(
    p: ParsedArticle,
    teaser: Teaser,
    links: tuple[str, ...],
    links_to: tuple[str, ...],
    *,
    related: tuple[Teaser, ...],
    prev: Teaser | None,
    next: Teaser | None,
) -> Article:
    return Article(
        **{name: getattr(teaser, name) for name in Teaser.__dataclass_fields__},
        slug=p.slug,
        draft=p.draft,
        body=p.body.html,
        links=links,
        words=p.body.words,
        meta=p.meta,
        related=related,
        prev=prev,
        next=next,
        links_to=links_to,
    )


@dataclass(slots=True)
class Reuse:
    """The objects of the last build (kept in memory by the preview), so that
    an article nothing changed for is the very same object again: whatever
    was worked out about it (its fingerprint, its rendered teaser) still holds.

    An old object is reused only when it was made from the same parsed
    article (the parse cache's object, so the same text) with the same
    settings, and everything the model adds (URL, tags as shown, resolved
    links, related and neighbouring articles) is equal; a new edit always
    makes new objects."""

    settings: str = ""  # the config's fingerprint they were made with
    made: dict[str, tuple[ParsedArticle, Teaser, Article]] = field(default_factory=dict)

    def teaser(self, p: ParsedArticle, new: Teaser) -> Teaser:
        old = self.made.get(p.source)
        return old[1] if old is not None and old[0] is p and old[1] == new else new

    def article(self, p: ParsedArticle, new: Article) -> Article:
        old = self.made.get(p.source)
        if old is None or old[0] is not p:
            return new
        prev = old[2]
        same = _same_objects(_neighbours(prev), _neighbours(new)) and prev == new
        return prev if same else new


def _neighbours(a: Article) -> tuple[Teaser | None, ...]:
    return (a.prev, a.next, *a.related)


def _same_objects(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def skeleton(p: ParsedArticle) -> tuple[object, ...]:
    """What an article decides about the rest of the site: its URL, its place in
    every list, its tags, what the sitemap says. An edit that keeps these the
    same changes only what shows the article's own text."""
    return (p.source, p.date, p.slug, p.tags, p.draft, p.updated, p.image)


def build_site(
    config: SiteConfig,
    parsed: list[ParsedArticle],
    assets: tuple[AssetFile, ...],
    content_paths: frozenset[str],
    related_memo: dict[str, object] | None = None,
    reuse: Reuse | None = None,
) -> tuple[Site, list[Diagnostic]]:
    """``related_memo`` (kept by the caller between builds) saves ranking the
    related articles again when no article moved and no tag changed;
    ``reuse`` (the preview's) gives back the last build's objects where
    nothing changed for them (see ``Reuse``)."""
    diags: list[Diagnostic] = []
    if reuse is not None and reuse.settings != config.fingerprint():
        reuse.settings, reuse.made = config.fingerprint(), {}
    tz = config.tz
    # Newest first; ties broken by slug, then by file, never by disk order.
    ordered = sorted(parsed, key=lambda p: (-p.date.timestamp(), p.slug, p.source))

    paths: dict[str, str] = {}  # content-relative source -> site path
    taken: dict[str, ParsedArticle] = {}
    kept: list[ParsedArticle] = []
    for p in ordered:
        path = urls.article_path(config, p.date.astimezone(tz), p.slug)
        other = taken.get(path)
        if other is not None:
            for a, b in ((p, other), (other, p)):
                diags.append(
                    error(
                        a.source,
                        f"the URL {path} is also the URL of {b.source}",
                        line=a.slug_line,
                        hint="give one of them a different 'slug:'",
                    )
                )
            continue
        taken[path] = p
        paths[p.content_path] = path
        kept.append(p)

    asset_paths = frozenset(a.dest for a in assets if a.rel.startswith(CONTENT_DIR + "/"))
    index = SiteIndex(
        config=config,
        paths=FrozenDict(paths),
        asset_paths=asset_paths,
        unbuilt=content_paths - set(paths) - asset_paths,
        tag_names=FrozenDict(_tag_names(kept)),
    )

    bodies: list[tuple[ParsedArticle, Teaser, tuple[str, ...], tuple[str, ...]]] = []
    for p in kept:
        teaser, links, links_to, link_diags = index.article_parts(p)
        diags += link_diags
        if reuse is not None:
            teaser = reuse.teaser(p, teaser)
        bodies.append((p, teaser, links, links_to))

    teasers = [t for _, t, _, _ in bodies]
    by_tag: dict[str, list[int]] = defaultdict(list)  # tag slug -> indexes, newest first
    for position, teaser in enumerate(teasers):
        for ref in teaser.tags:
            by_tag[ref.slug].append(position)

    shape = hashlib.blake2b(
        repr((config.related, [(t.source, [r.slug for r in t.tags]) for t in teasers])).encode(),
        digest_size=16,
    ).hexdigest()
    memo = related_memo if related_memo is not None else {}
    ranked = memo.get(shape)
    if not isinstance(ranked, list) or len(ranked) != len(teasers):
        ranked = [_related(i, t, by_tag, config.related) for i, t in enumerate(teasers)]
        memo.clear()
        memo[shape] = ranked

    articles = [
        make_article(
            p,
            teaser,
            links,
            links_to,
            related=tuple(teasers[i] for i in ranked[position]),
            prev=teasers[position + 1] if position + 1 < len(teasers) else None,
            next=teasers[position - 1] if position > 0 else None,
        )
        for position, (p, teaser, links, links_to) in enumerate(bodies)
    ]
    if reuse is not None:
        articles = [reuse.article(p, a) for (p, _, _, _), a in zip(bodies, articles, strict=True)]
        reuse.made = {p.source: (p, t, a) for (p, t, _, _), a in zip(bodies, articles, strict=True)}

    tags = []
    for slug, indexes in by_tag.items():
        path = urls.tag_path(config, slug)
        tags.append(
            Tag(
                name=index.tag_names[slug][0],
                slug=slug,
                url=urls.url_for(config, path),
                path=path,
                count=len(indexes),
                feed_url=urls.url_for(config, urls.feed_path(path))
                if config.absolute_base
                else None,
            )
        )
    tags.sort(key=lambda t: (t.name.casefold(), t.slug))
    tag_articles = FrozenDict(
        {slug: tuple(teasers[i] for i in indexes) for slug, indexes in sorted(by_tag.items())}
    )
    site = Site(
        config=config,
        articles=tuple(articles),
        teasers=tuple(teasers),
        tags=tuple(tags),
        tag_articles=tag_articles,
        assets=assets,
        index=index,
    )
    return site, diags


def _tag_names(articles: list[ParsedArticle]) -> dict[str, tuple[str, str]]:
    """tag key -> (name to show, slug). The name shown on a tag's own page is
    its most used spelling; ties go to the spelling used first (newest first)."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    first_seen: dict[str, dict[str, int]] = defaultdict(dict)
    order = 0
    for p in articles:
        for name in p.tags:
            key = tag_key(name) or "tag"
            spellings[key][name] += 1
            first_seen[key].setdefault(name, order)
            order += 1
    result: dict[str, tuple[str, str]] = {}
    for key, counter in spellings.items():
        name = min(counter, key=lambda n: (-counter[n], first_seen[key][n]))
        result[key] = (name, key)
    return result


def _related(index: int, teaser: Teaser, by_tag: Mapping[str, list[int]], limit: int) -> list[int]:
    """Articles sharing the most tags, then the closest in time, then by URL.

    Candidates are the articles within ``RELATED_WINDOW`` of this one in each
    of its tags' lists. Only few of them can make the top ``limit``, so only
    those are ranked: every one that shares two tags or more, and the
    ``limit`` nearest on either side in each list. (One sharing a single tag
    with ``limit`` nearer ones on its side has, of those, as many sharing
    one tag as the top places left after the ones sharing more.)"""
    if limit <= 0 or not teaser.tags:
        return []
    windows: list[set[int]] = []
    candidates: set[int] = set()
    for ref in teaser.tags:
        members = by_tag[ref.slug]
        pos = bisect.bisect_left(members, index)
        low, high = max(0, pos - RELATED_WINDOW), pos + RELATED_WINDOW + 1
        if len(teaser.tags) > 1:
            windows.append(set(members[low:high]))
        candidates.update(members[max(low, pos - limit) : pos])
        candidates.update(members[pos + 1 : min(high, pos + 1 + limit)])
    seen: set[int] = set()
    for window in windows:  # the ones sharing two tags or more
        candidates |= seen & window
        seen |= window
    candidates.discard(index)
    if not windows:  # one tag: every candidate shares just it
        return [o for _, o in heapq.nsmallest(limit, [(abs(o - index), o) for o in candidates])]
    shared: Counter[int] = Counter()
    for window in windows:
        shared.update(window)
    ranked = heapq.nsmallest(limit, [(-shared[o], abs(o - index), o) for o in candidates])
    return [o for _, _, o in ranked]


def _resolve_links(
    config: SiteConfig,
    p: ParsedArticle,
    paths: Mapping[str, str],
    asset_paths: frozenset[str],
    drafts: frozenset[str],
    diags: list[Diagnostic],
) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """Each relative link's URL (in the order of the body's markers), the
    articles linked to, and the image's URL; report links to nothing."""
    links_to: list[str] = []

    def resolve_target(target: str, line: int | None, written: str, what: str) -> str | None:
        if target.startswith("/"):  # root-relative: under the base URL's path
            return urls.url_for(config, target)
        if target.startswith("../") or target == "..":
            diags.append(
                error(
                    p.source,
                    f"{what} {written!r} points outside {CONTENT_DIR}/",
                    line=line,
                    hint="link to files inside content/ or use a full URL",
                )
            )
            return None
        if target in paths:
            links_to.append(f"{CONTENT_DIR}/{target}")
            return urls.url_for(config, paths[target])
        if target in asset_paths:
            return urls.url_for(config, "/" + quote(target))
        reason = "is a draft or could not be built" if target in drafts else "does not exist"
        if target.lower().endswith(MARKDOWN_SUFFIXES) or target in drafts:
            hint = "check the file name, or build with --drafts"
        else:
            hint = f"put the file under {CONTENT_DIR}/ or fix the path"
        diags.append(
            error(
                p.source,
                f"{what} {written!r}: {CONTENT_DIR}/{target} {reason}",
                line=line,
                hint=hint,
            )
        )
        return None

    def resolve(ref: LinkRef) -> str:
        url = resolve_target(ref.target, ref.line, ref.written, ref.kind)
        return escape(url + ref.suffix if url else ref.written)

    links = tuple(resolve(ref) for ref in p.body.refs)

    image = p.image
    if image and not (image.startswith(("http://", "https://", "//", "/"))):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(p.content_path), image))
        image = resolve_target(target, None, image, "image")
    elif image and image.startswith("/"):
        image = urls.url_for(config, image)
    return links, tuple(dict.fromkeys(links_to)), image
