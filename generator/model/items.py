"""What the site shows of each article: its ``Teaser`` (in lists, related
boxes and prev/next links) and the ``Article`` itself (on its page and in
feeds). Each is made from one parsed article and the site's structure, and
carries a fingerprint of its content, so an output that shows it can tell
whether it changed without looking inside.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from generator.config import SiteConfig
from generator.diagnostics import Diagnostic, error
from generator.fingerprint import plain_repr, seal
from generator.frozen import quick_init, quick_pickle
from generator.images import CENTRE, ImageInfo, og_dest, og_size, parse_focus
from generator.images.picture import Picture, figure_html, make_picture, picture_html
from generator.load import CONTENT_DIR, MARKDOWN_SUFFIXES
from generator.model import urls
from generator.model.desks import author_slug
from generator.model.structure import Neighbours, Structure, last_change, lead_image
from generator.parse import BodyRef, ParsedArticle, UnpublishedLinks
from generator.parse.markdown import LinkRef, substitute_refs
from generator.parse.newsroom import Correction

WORDS_PER_MINUTE = 230
NO_HTML = Markup("")


@quick_init
@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class TagRef:
    name: str  # as this article wrote it
    slug: str
    url: str


@quick_init
@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class SectionLink:
    """An article's section, as its kicker links to it."""

    key: str
    name: str
    url: str


@quick_init
@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class Byline:
    """One name of an article's byline, linking to the author's page."""

    name: str  # as this article wrote it
    slug: str
    url: str
    same_as: tuple[str, ...] = ()  # the profile's links (JSON-LD sameAs)


@quick_init
@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class Teaser:
    """What a list, a related box or a prev/next link shows of an article.

    Lists get teasers, never whole articles, so a list page changes only
    when one of these fields of an article it shows does."""

    source: str  # site-relative source file
    headline: str
    url: str
    permalink: str  # the absolute URL when base_url has a host, else the same as url
    path: str  # site path
    date: dt.datetime  # aware, in the site's time zone
    archive_url: str | None  # the page of its day (or month, year): the day's edition
    updated: dt.datetime | None  # updated:, or the newest correction if later
    standfirst: str | None
    summary: str  # the standfirst, or the start of the first paragraph
    tags: tuple[TagRef, ...]
    authors: tuple[str, ...]
    image: str | None  # URL
    image_alt: str
    reading_time: int  # minutes
    lang: str | None
    section: SectionLink | None = None
    bylines: tuple[Byline, ...] = ()  # one per name of ``authors``
    # The lead image's sizes and formats, for a srcset (see images/picture.py
    # and the ``picture`` filter); None for an image elsewhere (a URL).
    picture: Picture | None = None
    fingerprint: str = field(default="", repr=False, compare=False)

    @property
    def author(self) -> str:
        """Authors joined for a byline: "A", "A and B", "A, B and C"."""
        if len(self.authors) <= 1:
            return "".join(self.authors)
        return ", ".join(self.authors[:-1]) + " and " + self.authors[-1]


@quick_init
@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class Article(Teaser):
    """The whole article, as the model keeps it: its body by digest, the
    articles its page shows by source."""

    slug: str
    draft: bool
    body: BodyRef  # the body's HTML, with a marker for each of ``links``
    links: tuple[str, ...]  # each relative link of the body, resolved and escaped
    links_to: tuple[str, ...]  # sources of the articles it links to
    words: int
    meta: Mapping[str, Any]
    neighbours: Neighbours
    # Its date, when its page is built before it (``--future``): layouts
    # show "Scheduled for ..." (a published build never sets it).
    scheduled: dt.datetime | None = None
    expires: dt.datetime | None = None  # when it will be withdrawn (site time zone)
    corrections: tuple[Correction, ...] = ()  # newest first; html safe to print
    # The link preview's image (og:image, the Twitter card): the lead image
    # cut to 1200x630 around ``image_focus``; the lead image's URL when it
    # is not under content/.
    og_image: str | None = None
    og_image_width: int = 0
    og_image_height: int = 0


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleView(Article):
    """An article as its layout sees it: with its body and the teasers of
    the articles its page shows (made by the render stage)."""

    html: Markup = NO_HTML  # the body, safe to print as it is
    related: tuple[Teaser, ...] = ()
    prev: Teaser | None = None  # the next older article
    next: Teaser | None = None  # the next newer article


def body_html(article: Article, body: bytes) -> Markup:
    """``article``'s body: ``body`` (its stored bytes) with the links put in."""
    text = body.decode("utf-8")
    if article.links:
        links = article.links
        text = substitute_refs(text, lambda i: links[i])
    return Markup(text)


def view(
    article: Article,
    body: bytes,
    related: tuple[Teaser, ...],
    prev: Teaser | None,
    next: Teaser | None,
) -> ArticleView:
    values = {f.name: getattr(article, f.name) for f in dataclasses.fields(Article)}
    return ArticleView(
        **values, html=body_html(article, body), related=related, prev=prev, next=next
    )


def make_items(
    config: SiteConfig, structure: Structure, p: ParsedArticle
) -> tuple[Teaser, Article, list[Diagnostic]]:
    """The teaser and the article of one published article (placed in
    ``structure``), and its broken links."""
    diags: list[Diagnostic] = []
    links, links_to, image = _resolve_links(
        config, structure, p.source, p.body.refs, (p.image, p.image_line), diags
    )
    picture, og = None, (image, 0, 0)
    lead = lead_image(p.source, p.image)
    info = structure.images.get(lead) if lead is not None else None
    if info is not None and info.problem is None and image is not None:
        picture = make_picture(info, lambda path: urls.url_for(config, "/" + path))
        image = picture.src
        focus = parse_focus(p.meta.get("image_focus")) or CENTRE
        og_path = "/" + quote(og_dest(info.path, focus))
        og = (urls.url_for(config, og_path), *og_size(info.width, info.height))
    placed = structure.placed[p.source]
    tag_refs = []
    # A withdrawn article is in no tag's list: its teaser links to none.
    names = () if structure.is_withdrawn(p.source) else p.tags
    for name, slug in zip(names, placed.tags, strict=True):
        url = urls.url_for(config, urls.tag_path(config, slug))
        tag_refs.append(TagRef(name=name, slug=slug, url=url))
    section = _section_link(structure, placed.section)
    profiles = {profile.slug: profile for profile in config.profiles}
    bylines = []
    for name in p.authors:
        slug = author_slug(name)
        profile = profiles.get(slug)
        url = urls.url_for(config, urls.author_path(config, slug))
        same_as = profile.links if profile else ()
        bylines.append(Byline(name=name, slug=slug, url=url, same_as=same_as))
    teaser_fields: dict[str, Any] = {
        "source": p.source,
        "headline": p.headline,
        "url": urls.url_for(config, placed.path),
        "permalink": urls.absolute_url(config, placed.path),
        "path": placed.path,
        "date": placed.date,
        "archive_url": urls.archive_url(config, placed.date),
        "updated": _in_zone(last_change(p.updated, p.corrections), config),
        "standfirst": p.standfirst,
        "summary": p.standfirst or p.body.summary,
        "tags": tuple(tag_refs),
        "authors": p.authors,
        "image": image,
        "image_alt": p.image_alt,
        "reading_time": max(1, math.ceil(p.body.words / WORDS_PER_MINUTE)),
        "lang": p.lang,
        "section": section,
        "bylines": tuple(bylines),
        "picture": picture,
    }
    teaser = seal(Teaser(**teaser_fields))
    article = seal(
        Article(
            **teaser_fields,
            slug=p.slug,
            draft=p.draft,
            body=p.body.html,
            links=links,
            links_to=links_to,
            words=p.body.words,
            meta=p.meta,
            neighbours=structure.neighbours_of(p.source),
            scheduled=placed.date if placed.ahead else None,
            expires=placed.expires,
            corrections=corrections_shown(config, p.corrections),
            og_image=og[0],
            og_image_width=og[1],
            og_image_height=og[2],
        )
    )
    return teaser, article, diags


def corrections_shown(
    config: SiteConfig, corrections: tuple[Correction, ...]
) -> tuple[Correction, ...]:
    """Corrections as pages show them: dated in the site's time zone, their
    HTML marked safe (it was made from Markdown with raw HTML escaped)."""
    return tuple(
        dataclasses.replace(c, date=c.date.astimezone(config.tz), html=Markup(c.html))
        for c in corrections
    )


def _in_zone(value: dt.datetime | None, config: SiteConfig) -> dt.datetime | None:
    return value.astimezone(config.tz) if value else None


def check_links(
    config: SiteConfig, structure: Structure, unpublished: UnpublishedLinks
) -> list[Diagnostic]:
    """The links to nothing of a file left unpublished for its errors, found
    as an article's are: reported with its other problems. Nothing else is
    made of them, so they change no page."""
    diags: list[Diagnostic] = []
    _resolve_links(
        config,
        structure,
        unpublished.source,
        unpublished.refs,
        (unpublished.image, unpublished.image_line),
        diags,
    )
    return diags


def check_scheduled(
    config: SiteConfig, structure: Structure, p: ParsedArticle, at: dt.datetime
) -> list[Diagnostic]:
    """The problems an article scheduled for ``at`` will have then: its
    links to nothing, and to articles scheduled after it. Said now, not when
    the build at its minute fails; nothing else is made of it."""
    diags: list[Diagnostic] = []
    _resolve_links(config, structure, p.source, p.body.refs, (p.image, p.image_line), diags, at=at)
    return diags


def _image_html(config: SiteConfig, ref: LinkRef, url: str | None, info: ImageInfo | None) -> str:
    """A body's image (its marker stands for the whole element): every size
    of an image under content/, else the image as it is; with its title as
    the caption of a figure when it is alone in its paragraph."""
    if info is not None:
        picture = make_picture(info, lambda path: urls.url_for(config, "/" + path))
        html = picture_html(
            picture,
            alt=ref.alt,
            sizes=config.images.sizes,
            title=None if ref.figure else ref.title or None,
        )
    else:
        src = url + ref.suffix if url else ref.written
        title = f' title="{escape(ref.title)}"' if ref.title and not ref.figure else ""
        html = Markup(
            f'<img src="{escape(src)}" alt="{escape(ref.alt)}"{title}'
            ' loading="lazy" decoding="async">'
        )
    return str(figure_html(html, ref.title) if ref.figure else html)


def _section_link(structure: Structure, key: str | None) -> SectionLink | None:
    if key is None:
        return None
    desk = structure.desks.section(key)
    return SectionLink(key=desk.key, name=desk.name, url=desk.url)


def _lead_target(source: str, image: str | None) -> str | None:
    """The content-relative file a lead image written as a relative path
    names (None: a URL, a site path, or no image)."""
    if not image or image.startswith(("http://", "https://", "//", "/")):
        return None
    content_path = source[len(CONTENT_DIR) + 1 :]
    return posixpath.normpath(posixpath.join(posixpath.dirname(content_path), image))


def item_reads(structure: Structure, p: ParsedArticle) -> tuple[object, ...]:
    """What ``make_items`` reads of ``structure`` for ``p``, as comparable
    values: the article's place, section and neighbours, and how each of
    its links and images resolves. Two structures that give equal values
    give the same items (with the same settings), so the preview keeps an
    article's items through a change elsewhere in the site (an article
    added, a headline that moves a URL: 10,000 items took 0.5 s to make)."""
    source = p.source
    placed = structure.placed[source]
    targets = [ref.target for ref in p.body.refs]
    lead = _lead_target(source, p.image)
    if lead is not None:
        targets.append(lead)
    paths, assets, held, unbuilt = (
        structure.paths,
        structure.asset_paths,
        structure.held,
        structure.unbuilt,
    )
    images = structure.images
    resolved = tuple(
        (paths.get(t), t in assets, held.get(t), t in unbuilt, images.get(t)) for t in targets
    )
    picture = lead_image(source, p.image)
    return (
        placed,
        structure.is_withdrawn(source),
        _section_link(structure, placed.section),
        structure.neighbours_of(source),
        resolved,
        images.get(picture) if picture is not None else None,
    )


def image_hint(problem: str) -> str:
    if "too large" in problem:
        return "make it smaller, or raise images.max_pixels in site.yaml"
    return "export it again as JPEG, PNG or WebP"


def _resolve_links(
    config: SiteConfig,
    structure: Structure,
    source: str,
    refs: tuple[LinkRef, ...],
    lead: tuple[str | None, int | None],
    diags: list[Diagnostic],
    *,
    at: dt.datetime | None = None,
) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """Each relative link's URL (in the order of the body's markers), the
    articles linked to, and the lead image's URL (``lead``: as written, and
    its line), for the file ``source``, published at ``at`` (None: now);
    report links to nothing."""
    image, image_line = lead
    paths, asset_paths, unbuilt = structure.paths, structure.asset_paths, structure.unbuilt
    held = structure.held
    images = structure.images
    links_to: list[str] = []

    def resolve_target(target: str, line: int | None, written: str, what: str) -> str | None:
        if target.startswith("/"):  # root-relative: under the base URL's path
            return urls.url_for(config, target)
        info = images.get(target)
        if info is not None:
            if info.problem is not None:
                diags.append(
                    error(
                        source,
                        f"{what} {written!r}: {CONTENT_DIR}/{target} {info.problem}",
                        line=line,
                        hint=image_hint(info.problem),
                    )
                )
                return None
            if not config.images.keep_original and info.fallback:
                return urls.url_for(config, "/" + quote(info.fallback[-1].dest))
        if target.startswith("../") or target == "..":
            diags.append(
                error(
                    source,
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
        if target in held:  # its page would be missing until then, and give it away
            live_at, path = held[target]
            if at is not None and live_at <= at:  # published by then
                return urls.url_for(config, path)
            when = f"{live_at:%Y-%m-%d %H:%M}"
            diags.append(
                error(
                    source,
                    f"{what} {written!r}: {CONTENT_DIR}/{target} is scheduled for {when}, "
                    "not published yet",
                    line=line,
                    hint=f"remove the link until then, or schedule this article for {when} "
                    "or later",
                )
            )
            return None
        reason = "is a draft or could not be built" if target in unbuilt else "does not exist"
        if target.lower().endswith(MARKDOWN_SUFFIXES) or target in unbuilt:
            hint = "check the file name, or build with --drafts"
        else:
            hint = f"put the file under {CONTENT_DIR}/ or fix the path"
        diags.append(
            error(
                source,
                f"{what} {written!r}: {CONTENT_DIR}/{target} {reason}",
                line=line,
                hint=hint,
            )
        )
        return None

    links = []
    for ref in refs:
        url = resolve_target(ref.target, ref.line, ref.written, ref.kind)
        if ref.kind == "image":
            info = images.get(ref.target) if url is not None else None
            links.append(_image_html(config, ref, url, info))
        else:
            links.append(escape(url + ref.suffix if url else ref.written))

    target = _lead_target(source, image)
    if image and target is not None:
        image = resolve_target(target, image_line, image, "image")
    elif image and image.startswith("/"):
        image = urls.url_for(config, image)
    return tuple(links), tuple(dict.fromkeys(links_to)), image
