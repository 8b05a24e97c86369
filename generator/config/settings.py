"""The site's settings as the build sees them: ``SiteConfig`` and its
sections, frozen, with a fingerprint (an input of every output)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from generator.frozen import FrozenDict, quick_pickle

CONFIG_FILE = "site.yaml"

ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Permalinks:
    """URL patterns. Article tokens: {year} {month} {day} {slug}; tag: {slug}."""

    article: str = "/{year}/{month}/{day}/{slug}/"
    tag: str = "/tags/{slug}/"
    tags: str = "/tags/"
    section: str = "/{key}/"  # a section's page: {key} is its key under sections:
    author: str = "/authors/{slug}/"
    authors: str = "/authors/"
    page: str = "page/{n}/"  # appended to a list's first URL for page 2, 3, ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Feeds:
    entries: int = 20  # newest N articles in each feed
    full_content: bool = True  # the whole body, or only the summary


@dataclass(frozen=True, slots=True, kw_only=True)
class Publisher:
    """Who publishes the site: JSON-LD ``publisher`` and feed authorship."""

    name: str = ""  # defaults to the site title
    url: str = ""  # defaults to the home page
    logo: str = ""  # a URL, or a path under the site root ("/static/logo.png")


@dataclass(frozen=True, slots=True, kw_only=True)
class Favicon:
    """The site's icon: the built-in one (``/favicon.svg``, a letter on a
    square of colour), or the site's own file or URL (``url``)."""

    letter: str = ""  # defaults to the first letter of the title
    background: str = "#a3201d"  # the theme's accent
    color: str = "#ffffff"
    url: str = ""  # the site's own icon: a URL, or a path ("/static/icon.png")


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """What one article may fan out to: each tag and each author has pages
    that list the article with all of its tags and names, so an article
    with 10,000 tags would make 20,000 pages of 10,000 tags each."""

    tags: int = 50
    authors: int = 30


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """One desk of the site (``sections:`` in site.yaml), in the order given."""

    key: str  # in URLs and in an article's section: field
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class NavLink:
    """A link the site adds to the navigation after its sections (``nav:``)."""

    label: str
    url: str  # a URL, or a path from the site's root ("/about/")


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """An author's profile: ``content/authors/<slug>.md``. Read with the
    settings (a change to one is a change of settings: every page that
    shows a byline may show it)."""

    slug: str  # the file's name: the bylines whose slug it is
    source: str  # "content/authors/jane-doe.md"
    name: str
    role: str = ""
    photo: str = ""  # as written: a URL, or a path relative to the profile
    photo_line: int | None = None
    links: tuple[str, ...] = ()  # their social and staff pages
    bio: str = ""  # the body, Markdown (the model renders it)
    bio_line: int = 1  # the line the body starts on


@dataclass(frozen=True, slots=True, kw_only=True)
class Images:
    """How the images under content/ are published (``images:`` in
    site.yaml): resized to each of ``widths`` that is narrower than the
    image (never upscaled), in each of ``formats`` (modern formats the
    browser picks from), plus a JPEG (or PNG, with transparency) fallback;
    metadata stripped. ``max_pixels`` refuses images that would take
    gigabytes to decode (a decompression bomb: a small file that declares
    a huge canvas)."""

    widths: tuple[int, ...] = (480, 960, 1440, 1920)
    quality: int = 80  # 1-100, for every lossy format
    formats: tuple[str, ...] = ("avif", "webp")  # "avif" only where Pillow writes it
    keep_original: bool = False  # also publish the file as written (metadata and all)
    max_pixels: int = 100_000_000  # 100 megapixels: medium-format cameras
    # How wide a body's image is shown, for the browser to pick a size
    # before it knows the layout: the built-in theme's text column.
    sizes: str = "(min-width: 46rem) 42rem, calc(100vw - 2rem)"


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    title: str = "Digest"
    description: str = ""
    base_url: str = "/"  # may be absolute and may include a sub-path
    language: str = "en"
    timezone: str = "UTC"
    per_page: int = 10
    related: int = 3
    markdown_html: bool = True  # raw HTML in Markdown passes through (editors are trusted)
    highlight: bool = True
    typography: bool = True  # “curly quotes”, dashes and … in article text
    search: bool = True  # the search index, the search page and the header's form
    date_format: str = "{day} {month_name} {year}"
    month_names: tuple[str, ...] = ENGLISH_MONTHS
    permalinks: Permalinks = field(default_factory=Permalinks)
    feeds: Feeds = field(default_factory=Feeds)
    publisher: Publisher = field(default_factory=Publisher)
    favicon: Favicon = field(default_factory=Favicon)
    limits: Limits = field(default_factory=Limits)
    sections: tuple[Section, ...] = ()
    nav: tuple[NavLink, ...] = ()
    profiles: tuple[Profile, ...] = ()  # content/authors/, by slug
    images: Images = field(default_factory=Images)
    params: Mapping[str, Any] = field(default_factory=lambda: FrozenDict({}))
    # Where site.yaml sets base_url, for messages: not a setting, so neither
    # compared nor part of the fingerprint.
    base_url_line: int | None = field(default=None, compare=False, repr=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``, always starting and ending with ``/``."""
        return _base_path(self.base_url)

    @property
    def absolute_base(self) -> str | None:
        """``https://host/sub/`` when base_url names a host, else None."""
        return _absolute_base(self.base_url)

    def fingerprint(self) -> str:
        """A hash of every setting: an input of every output."""
        return _fingerprint(self)

    def _fingerprint(self) -> str:
        data = {
            name: getattr(self, name)
            for name in self.__dataclass_fields__
            if name not in ("params", "base_url_line")
        }
        data["permalinks"] = vars_of(self.permalinks)
        data["feeds"] = vars_of(self.feeds)
        data["publisher"] = vars_of(self.publisher)
        data["favicon"] = vars_of(self.favicon)
        data["limits"] = vars_of(self.limits)
        data["images"] = vars_of(self.images)
        data["params"] = dict(self.params)
        blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=16)
def _base_path(base_url: str) -> str:
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


@functools.lru_cache(maxsize=16)
def _absolute_base(base_url: str) -> str | None:
    parts = urlsplit(base_url)
    if parts.scheme and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}{_base_path(base_url)}"
    return None


@functools.lru_cache(maxsize=16)
def _fingerprint(config: SiteConfig) -> str:
    return config._fingerprint()


def vars_of(obj: object) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}  # type: ignore[attr-defined]


def format_date(value: dt.datetime | dt.date, config: SiteConfig) -> str:
    """The site's ``date_format``, with month names from settings, not the locale."""
    return config.date_format.format(
        day=value.day,
        dd=f"{value.day:02d}",
        month=value.month,
        mm=f"{value.month:02d}",
        month_name=config.month_names[value.month - 1],
        year=value.year,
    )
