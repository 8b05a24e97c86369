"""Sections, authors and the lead story: how the site is organised beyond
tags. Made from the skeletons (an article's section, bylines and
``featured:`` flag) and the settings (``sections:``, the profiles in
``content/authors/``), so an edit changing any of them plans again.

An article's section is the one its ``section:`` field names, or else the
section whose key is its top folder under ``content/``. Every byline name
has an author page; names that differ only in case, spacing or accents
share one (their slug, as tags do).
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import quote

from markupsafe import Markup

from generator.config import Profile, SiteConfig
from generator.diagnostics import Diagnostic, did_you_mean, error, warning
from generator.fingerprint import plain_repr
from generator.frozen import FrozenDict, quick_pickle
from generator.images import ImageInfo
from generator.images.picture import make_picture
from generator.load import CONTENT_DIR
from generator.model import urls
from generator.parse.profiles import render_bio
from generator.parse.slugs import tag_key

if TYPE_CHECKING:
    from generator.model.structure import Placed, Skeleton

AUTHORS_DIR = "authors"  # content/authors/: profiles, never articles


NO_BIO = Markup("")


@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class SectionInfo:
    """``section`` in layouts: a section of the site and its page."""

    refs_in: ClassVar[tuple[str, ...]] = ()  # fields that hold references (plan.jobs)

    key: str
    name: str
    description: str
    url: str
    path: str
    count: int  # published articles in it
    feed_url: str | None  # its Atom feed (None when the site has no feeds)
    json_feed_url: str | None


@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class Author:
    """``author`` in layouts: a byline's person, with their profile if any."""

    refs_in: ClassVar[tuple[str, ...]] = ()  # fields that hold references (plan.jobs)

    name: str  # the profile's name, else the byline's most used spelling
    slug: str
    url: str
    path: str
    count: int
    feed_url: str | None
    profile: bool  # content/authors/<slug>.md exists
    role: str = ""
    photo: str | None = None  # URL
    links: tuple[str, ...] = ()
    bio: Markup = NO_BIO  # the profile's body, safe to print


@dataclass(frozen=True, slots=True, kw_only=True)
class Desks:
    sections: tuple[SectionInfo, ...] = ()  # in site.yaml's order
    section_members: Mapping[str, tuple[str, ...]] = field(default_factory=FrozenDict)
    authors: tuple[Author, ...] = ()  # by name
    author_members: Mapping[str, tuple[str, ...]] = field(default_factory=FrozenDict)
    lead: str | None = None  # the front page's lead story: the newest featured, else newest
    _sections: Mapping[str, SectionInfo] = field(
        default_factory=FrozenDict, repr=False, compare=False
    )
    _authors: Mapping[str, Author] = field(default_factory=FrozenDict, repr=False, compare=False)

    def section(self, key: str) -> SectionInfo:
        return self._sections[key]

    def author(self, slug: str) -> Author:
        return self._authors[slug]


def author_slug(name: str) -> str:
    return tag_key(name) or "author"


def section_of(config: SiteConfig, s: Skeleton, diags: list[Diagnostic]) -> str | None:
    """The key of the section of the article ``s``; an unknown ``section:``
    is an error at its line (on a site that declares sections: one without
    them takes the field as the text it always was, such as ``digest new
    --section`` writes)."""
    keys = [section.key for section in config.sections]
    if s.section is None:
        parts = s.source.split("/")
        folder = parts[1] if len(parts) > 2 else None
        return folder if folder in keys else None
    written = s.section
    for section in config.sections:
        if written.casefold() in (section.key, section.name.casefold()):
            return section.key
    if not keys:  # no sections: the field is free text, as before sections were
        return None
    hint = did_you_mean(written.casefold(), keys) or "the sections are " + ", ".join(
        repr(k) for k in keys
    )
    diags.append(
        error(
            s.source,
            f"section: {written!r} is not a section of this site",
            line=s.section_line,
            hint=hint,
        )
    )
    return None


def find_desks(
    config: SiteConfig,
    articles: Sequence[tuple[Skeleton, Placed]],
    asset_paths: frozenset[str],
    diags: list[Diagnostic],
    images: Mapping[str, ImageInfo] | None = None,
) -> Desks:
    """Sections, authors and the lead story of the published ``articles``
    (newest first)."""
    feeds = config.absolute_base is not None
    members: dict[str, list[str]] = defaultdict(list)
    by_author: dict[str, list[str]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for s, p in articles:
        if p.section is not None:
            members[p.section].append(p.source)
        for name in dict.fromkeys(" ".join(n.split()) for n in s.authors):
            slug = author_slug(name)
            written = by_author[slug]
            if not written or written[-1] != p.source:  # two spellings of one byline
                written.append(p.source)
            spellings[slug][name] += 1

    sections = []
    for section in config.sections:
        path = urls.section_path(config, section.key)
        sections.append(
            SectionInfo(
                key=section.key,
                name=section.name,
                description=section.description,
                url=urls.url_for(config, path),
                path=path,
                count=len(members[section.key]),
                feed_url=urls.url_for(config, urls.feed_path(path)) if feeds else None,
                json_feed_url=urls.url_for(config, urls.feed_path(path, "feed.json"))
                if feeds
                else None,
            )
        )

    profiles = {profile.slug: profile for profile in config.profiles}
    authors = []
    for slug, counter in spellings.items():
        path = urls.author_path(config, slug)
        profile = profiles.get(slug)
        # The most used spelling; a tie goes to the one used first (newest).
        name = profile.name if profile else max(counter, key=lambda n: counter[n])
        author = Author(
            name=name,
            slug=slug,
            url=urls.url_for(config, path),
            path=path,
            count=len(by_author[slug]),
            feed_url=urls.url_for(config, urls.feed_path(path)) if feeds else None,
            profile=profile is not None,
        )
        if profile is not None:
            author = _with_profile(config, author, profile, asset_paths, images or {}, diags)
        authors.append(author)
    authors.sort(key=lambda a: (a.name.casefold(), a.slug))
    for profile in config.profiles:
        if profile.slug not in by_author:
            diags.append(
                warning(
                    profile.source,
                    f"no published article has the byline {profile.name!r}, so its profile "
                    "is not shown",
                    hint=f"bylines use this profile when their slug is {profile.slug!r} "
                    "(the file's name); rename the file, or delete it",
                )
            )

    featured = next((p.source for s, p in articles if s.featured), None)
    return Desks(
        sections=tuple(sections),
        section_members=FrozenDict({k: tuple(v) for k, v in sorted(members.items())}),
        authors=tuple(authors),
        author_members=FrozenDict({k: tuple(v) for k, v in sorted(by_author.items())}),
        lead=featured or (articles[0][1].source if articles else None),
        _sections=FrozenDict({s.key: s for s in sections}),
        _authors=FrozenDict({a.slug: a for a in authors}),
    )


def _with_profile(
    config: SiteConfig,
    author: Author,
    profile: Profile,
    asset_paths: frozenset[str],
    images: Mapping[str, ImageInfo],
    diags: list[Diagnostic],
) -> Author:
    photo: str | None = profile.photo or None
    if photo and photo.startswith("/") and not photo.startswith("//"):
        photo = urls.url_for(config, photo)
    elif photo and not photo.startswith(("http://", "https://", "//")):
        target = posixpath.normpath(posixpath.join(AUTHORS_DIR, photo))
        info = images.get(target)
        if info is not None and info.problem is None:  # published as sizes: the widest
            photo = make_picture(info, lambda path: urls.url_for(config, "/" + path)).src
        elif target in asset_paths:
            photo = urls.url_for(config, "/" + quote(target))
        else:
            diags.append(
                error(
                    profile.source,
                    f"photo: {profile.photo!r}: {CONTENT_DIR}/{target} does not exist",
                    line=profile.photo_line,
                    hint=f"put the picture in {CONTENT_DIR}/{AUTHORS_DIR}/ or give its URL",
                )
            )
            photo = None
    return replace(
        author,
        profile=True,
        role=profile.role,
        photo=photo,
        links=profile.links,
        bio=Markup(render_bio(config, profile)),
    )
