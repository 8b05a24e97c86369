"""What the newsroom's page kinds show: the corrections page and its feed,
the redirect pages and the ``_redirects`` file (their rows are in
``kinds.py``). Made from the structure alone, like every plan: a
correction's date and text are part of its article's skeleton."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from markupsafe import Markup

from generator import __version__
from generator.config import SiteConfig
from generator.fingerprint import plain_repr
from generator.frozen import quick_pickle
from generator.model import Structure, urls
from generator.model.redirects import Redirect
from generator.model.refs import TeaserRef
from generator.plan.lists import page_info
from generator.publish.feeds import entry_id
from generator.record import RECORD_FILE

CORRECTIONS_PATH = "/corrections/"
CORRECTIONS_FEED_LAYOUT = "feeds/corrections.xml"


@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class CorrectionItem:
    """One correction on the corrections page and in its feed."""

    refs_in: ClassVar[tuple[str, ...]] = ("article",)  # fields that hold references

    article: Any  # its article's teaser (a reference to it, in the plan)
    date: dt.datetime  # in the site's time zone
    html: Markup  # safe to print
    text: str  # plain
    id: str  # the feed entry's: from the article's file and the correction's date


@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class CorrectionsFeed:
    refs_in: ClassVar[tuple[str, ...]] = ("entries",)

    id: str
    title: str
    language: str
    url: str  # the feed itself, absolute
    home: str  # the corrections page, absolute
    updated: dt.datetime  # the newest correction
    author: str
    generator: str
    entries: tuple[CorrectionItem, ...]


def correction_items(config: SiteConfig, structure: Structure) -> tuple[CorrectionItem, ...]:
    """Every correction of every published article, newest first."""
    return tuple(
        CorrectionItem(
            article=TeaserRef(source),
            date=c.date.astimezone(config.tz),
            html=Markup(c.html),
            text=c.text,
            id=entry_id(config, f"{source}#correction-{c.date.isoformat()}"),
        )
        for source, c in structure.corrections
    )


def corrections_page(
    config: SiteConfig, structure: Structure
) -> tuple[Mapping[str, Any], dt.datetime | None]:
    """The corrections page's context, and its date (the newest correction)."""
    items = correction_items(config, structure)
    feed = urls.url_for(config, urls.feed_path(CORRECTIONS_PATH))
    context = {
        "corrections": items,
        "feed_url": feed if config.absolute_base else None,
        "page": page_info(config, "corrections", CORRECTIONS_PATH),
    }
    return context, items[0].date if items else None


def redirect_page(config: SiteConfig, redirect: Redirect) -> tuple[Mapping[str, Any], str]:
    """A redirect page's context, and what to name in an error: the article
    that gave the alias, or the URL record."""
    context = {"article": TeaserRef(redirect.source), "language": config.language}
    return context, redirect.source if redirect.alias else RECORD_FILE


def corrections_feed(config: SiteConfig, structure: Structure) -> CorrectionsFeed:
    items = correction_items(config, structure)[: config.feeds.entries]
    return CorrectionsFeed(
        id=urls.absolute_url(config, CORRECTIONS_PATH),
        title=f"{config.title}: corrections",
        language=config.language,
        url=urls.absolute_url(config, urls.feed_path(CORRECTIONS_PATH)),
        home=urls.absolute_url(config, CORRECTIONS_PATH),
        updated=items[0].date if items else dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
        author=config.publisher.name or config.title,
        generator=f"Digest {__version__}",
        entries=items,
    )


def redirect_lines(
    config: SiteConfig, redirects: Sequence[Redirect]
) -> tuple[tuple[str, str], ...]:
    """``_redirects``'s lines: each old URL and the new one, under the base URL's path."""
    return tuple((urls.url_for(config, r.path), urls.url_for(config, r.target)) for r in redirects)
