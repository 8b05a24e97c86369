"""Feeds: what an Atom or JSON feed says about the newest articles of a list.

The plan makes a ``Feed`` whose entries are references to articles; the
render stage makes each a ``FeedEntry`` (``feed_entry``). The Atom feed is a
layout (``feeds/atom.xml``, overridable like any other); the JSON Feed is
built as a dict and written with ``json.dumps``, never templated. Entry ids
are derived from the article's file, not its URL or headline, so editing an
article never makes it look new to feed readers.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from markupsafe import Markup

from generator import __version__
from generator.config import SiteConfig
from generator.fingerprint import plain_repr
from generator.frozen import quick_pickle
from generator.model import Article, Placed, TagRef, Teaser, urls
from generator.model.items import body_html
from generator.model.refs import EntryRef, SummaryRef

ATOM_LAYOUT = "feeds/atom.xml"
JSON_FEED_PATH = "/feed.json"
_ROOT_RELATIVE = re.compile(r'\b(href|src|poster)="/(?!/)')
_SRCSET = re.compile(r'\bsrcset="([^"]*)"')  # a <picture>'s widths: each URL made full


@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class FeedEntry:
    id: str
    title: str
    url: str  # absolute
    published: dt.datetime
    updated: dt.datetime
    authors: tuple[str, ...]
    categories: tuple[TagRef, ...]
    summary: str
    content: Markup | None  # the body with absolute links, or None for summary feeds
    image: str | None  # absolute


@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    refs_in: ClassVar[tuple[str, ...]] = ("entries",)  # fields that hold references (plan.jobs)

    id: str
    title: str
    subtitle: str
    language: str
    url: str  # the feed itself, absolute
    home: str  # the page it is the feed of, absolute
    updated: dt.datetime
    author: str  # fallback for entries without an author
    generator: str
    entries: tuple[Any, ...]  # FeedEntry (references to them, in the plan)


def entry_id(config: SiteConfig, source: str) -> str:
    """Stable across edits of the headline, date and body: from the host and file."""
    host = urlsplit(config.absolute_base or "").netloc or "localhost"
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"digest:{host}:{source}"))


def absolutize(config: SiteConfig, html: str) -> str:
    """Root-relative links and images in a body, as full URLs for feed readers."""
    base = config.absolute_base
    if not base or '="/' not in html:  # most bodies have no root-relative link
        return html
    origin = base[: len(base) - len(config.base_path)]
    html = _ROOT_RELATIVE.sub(lambda m: f'{m.group(1)}="{origin}/', html)
    if "srcset=" not in html:
        return html

    def each(match: re.Match[str]) -> str:  # "/a-480w.jpg 480w, /a-960w.jpg 960w"
        candidates = [c.strip() for c in match.group(1).split(",")]
        fixed = [
            origin + c if c.startswith("/") and not c.startswith("//") else c for c in candidates
        ]
        return f'srcset="{", ".join(fixed)}"'

    return _SRCSET.sub(each, html)


def absolute(config: SiteConfig, url: str | None) -> str | None:
    """A URL from a page (``/news/x.jpg``) as a full URL; full URLs stay as they are."""
    if not url:
        return url
    base = config.absolute_base
    if base and url.startswith("/") and not url.startswith("//"):
        return base[: len(base) - len(config.base_path)] + url
    return url


def feed_entry(config: SiteConfig, a: Teaser, body: bytes | None) -> FeedEntry:
    """``a``'s entry; with the article and its ``body``, a full-content one."""
    content = None
    if isinstance(a, Article) and body is not None:
        content = Markup(absolutize(config, body_html(a, body)))
    return FeedEntry(
        id=entry_id(config, a.source),
        title=a.headline,
        url=a.permalink,
        published=a.date,
        updated=a.updated or a.date,
        authors=a.authors,
        categories=a.tags,
        summary=a.summary,
        content=content,
        image=absolute(config, a.image),
    )


def plan_feed(
    config: SiteConfig,
    *,
    title: str,
    path: str,
    home_path: str,
    members: Sequence[Placed],
) -> Feed:
    """The feed of a list whose articles are ``members`` (newest first): its
    newest ``feeds.entries``, as references."""
    newest = members[: config.feeds.entries]
    ref = EntryRef if config.feeds.full_content else SummaryRef
    # Never the build time: the newest change among the entries.
    updated = max((p.lastmod for p in newest), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    return Feed(
        id=urls.absolute_url(config, home_path),
        title=title,
        subtitle=config.description,
        language=config.language,
        url=urls.absolute_url(config, path),
        home=urls.absolute_url(config, home_path),
        updated=updated,
        author=config.publisher.name or config.title,
        generator=f"Digest {__version__}",
        entries=tuple(ref(p.source) for p in newest),
    )


def json_feed(context: Mapping[str, Any]) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    feed: Feed = context["feed"]
    data: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home,
        "feed_url": feed.url,
        "language": feed.language,
    }
    if feed.subtitle:
        data["description"] = feed.subtitle
    data["authors"] = [{"name": feed.author}]
    items = []
    for e in feed.entries:
        item: dict[str, Any] = {"id": e.id, "url": e.url, "title": e.title}
        if e.content is not None:
            item["content_html"] = str(e.content)
        else:
            item["content_text"] = e.summary
        if e.summary:
            item["summary"] = e.summary
        if e.image:
            item["image"] = e.image
        item["date_published"] = e.published.isoformat(timespec="seconds")
        item["date_modified"] = e.updated.isoformat(timespec="seconds")
        if e.authors:
            item["authors"] = [{"name": name} for name in e.authors]
        if e.categories:
            item["tags"] = [c.name for c in e.categories]
        items.append(item)
    data["items"] = items
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
