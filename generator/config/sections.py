"""Reading the nested sections of ``site.yaml`` (``permalinks:``,
``favicon:``), and the messages for settings that are unknown or of the
wrong type."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from generator.config.settings import CONFIG_FILE, Favicon, Images, Permalinks
from generator.diagnostics import Diagnostic, did_you_mean, warning

_PERMALINK_KEYS = {"article", "tag", "tags", "page", "section", "author", "authors"}
_ARTICLE_TOKENS = {"year", "month", "day", "slug"}


def read_permalinks(
    raw: dict[str, Any], bad: Any, diags: list[Diagnostic], line: int | None
) -> Permalinks:
    diags += unknown_in("permalinks", raw, _PERMALINK_KEYS, line)
    values: dict[str, str] = {}
    allowed = {
        "article": _ARTICLE_TOKENS,
        "tag": {"slug"},
        "tags": set(),
        "page": {"n"},
        "section": {"key"},
        "author": {"slug"},
        "authors": set(),
    }
    for key, tokens in allowed.items():
        if key not in raw:
            continue
        pattern = raw[key]
        if not isinstance(pattern, str) or not pattern.strip():
            bad(f"permalinks.{key}", "expected a URL pattern in quotes")
            continue
        pattern = pattern.strip()
        used = set(re.findall(r"\{(\w+)\}", pattern))
        unknown = used - tokens
        required = {
            "article": {"slug"},
            "tag": {"slug"},
            "author": {"slug"},
            "section": {"key"},
            "page": {"n"},
        }.get(key, set())
        if unknown:
            bad(
                f"permalinks.{key}",
                f"unknown placeholder {{{sorted(unknown)[0]}}}",
                "use " + (", ".join(f"{{{t}}}" for t in sorted(tokens)) or "no placeholders"),
            )
        elif not required <= used:
            bad(
                f"permalinks.{key}",
                f"the pattern must contain {{{sorted(required)[0]}}}",
                "or two pages would share one URL",
            )
        elif ".." in pattern or "//" in pattern or "\\" in pattern:
            bad(f"permalinks.{key}", f"{pattern!r} is not a clean URL path")
        elif key == "page" and pattern.startswith("/"):
            bad("permalinks.page", "is relative to the list's URL; remove the leading /")
        else:
            if key != "page" and not pattern.startswith("/"):
                pattern = "/" + pattern
            if not (pattern.endswith("/") or pattern.endswith(".html")):
                bad(f"permalinks.{key}", f"{pattern!r} must end with / or .html")
                continue
            values[key] = pattern
    return Permalinks(**values)


_COLOR = re.compile(r"^(#[0-9A-Fa-f]{3}|#[0-9A-Fa-f]{6}|[A-Za-z]{3,20})$")
_FAVICON_KEYS = {"letter", "background", "color"}


def read_favicon(
    raw: object, bad: Any, diags: list[Diagnostic], line: int | None
) -> Favicon | None:
    """``favicon: /static/icon.png`` (the site's own), or the built-in one's
    ``letter``, ``background`` and ``color``."""
    if isinstance(raw, str):
        url = raw.strip()
        if not url or urlsplit(url).scheme not in ("", "http", "https"):
            bad("favicon", f"{raw!r} is not an http(s) URL or a path", "e.g. /static/icon.png")
            return None
        return Favicon(url=url)
    if not isinstance(raw, dict):
        bad("favicon", "expected a path to an icon, or settings such as 'letter: N'")
        return None
    diags += unknown_in("favicon", raw, _FAVICON_KEYS, line)
    values: dict[str, str] = {}
    letter = raw.get("letter")
    if letter is not None:
        if not isinstance(letter, str | int) or not 1 <= len(str(letter).strip()) <= 2:
            bad("favicon.letter", "expected one or two characters", "e.g. letter: N")
        else:
            values["letter"] = str(letter).strip()
    for key in ("background", "color"):
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not _COLOR.match(value.strip()):
            bad(
                f"favicon.{key}",
                f"{value!r} is not a colour",
                'write it as "#a3201d" (in quotes) or a CSS colour name',
            )
        else:
            values[key] = value.strip()
    return Favicon(**values)


def unknown_setting(key: str, known: set[str], line: int | None) -> Diagnostic:
    hint = did_you_mean(key, known, cutoff=0.7) or "it is ignored"
    return warning(CONFIG_FILE, f"unknown setting '{key}'", line=line, hint=hint)


def unknown_in(
    section: str, raw: Mapping[str, Any], known: Iterable[str], line: int | None
) -> list[Diagnostic]:
    """A warning per key of the ``section:`` mapping ``raw`` that is none of
    ``known`` (``feeds.entires``: did you mean 'feeds.entries'?)."""
    names = {f"{section}.{k}" for k in known}
    return [
        unknown_setting(f"{section}.{key}", names, line) for key in sorted(set(raw) - set(known))
    ]


def is_count(value: object, low: int) -> bool:
    """A whole number of at least ``low`` (not true/false, which YAML makes 1 and 0)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def count_problem(value: object, low: int) -> str:
    return f"expected a whole number of at least {low}, got {value!r}"


def type_name(value: object) -> str:
    return {
        dict: "a mapping",
        list: "a list",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


_IMAGE_KEYS = ("widths", "quality", "formats", "keep_original", "max_pixels", "sizes")
IMAGE_FORMATS = ("avif", "webp")  # the modern formats an image may be offered in


def read_images(raw: object, bad: Any, diags: list[Diagnostic], line: int | None) -> Images | None:
    """The ``images:`` section; None (the defaults kept) when it is not a mapping."""
    if not isinstance(raw, dict):
        bad("images", "expected settings such as 'widths: [480, 960, 1440, 1920]'")
        return None
    diags += unknown_in("images", raw, _IMAGE_KEYS, line)
    values: dict[str, Any] = {}
    widths = raw.get("widths")
    if widths is not None:
        if not isinstance(widths, list) or not widths or not all(is_count(w, 16) for w in widths):
            bad("images.widths", "expected a list of widths in pixels, such as [480, 960, 1440]")
        else:
            values["widths"] = tuple(sorted(set(widths)))
    quality = raw.get("quality")
    if quality is not None:
        if not is_count(quality, 1) or quality > 100:
            bad("images.quality", f"expected a whole number from 1 to 100, got {quality!r}")
        else:
            values["quality"] = quality
    formats = raw.get("formats")
    if formats is not None:
        if not isinstance(formats, list) or not all(f in IMAGE_FORMATS for f in formats):
            bad("images.formats", "expected a list of avif and webp, or []")
        else:
            values["formats"] = tuple(f for f in IMAGE_FORMATS if f in formats)
    keep = raw.get("keep_original")
    if keep is not None:
        if not isinstance(keep, bool):
            bad("images.keep_original", f"expected true or false, got {keep!r}")
        else:
            values["keep_original"] = keep
    pixels = raw.get("max_pixels")
    if pixels is not None:
        if not is_count(pixels, 1):
            bad("images.max_pixels", count_problem(pixels, 1))
        else:
            values["max_pixels"] = pixels
    sizes = raw.get("sizes")
    if sizes is not None:
        if not isinstance(sizes, str) or not sizes.strip() or '"' in sizes:
            bad("images.sizes", "expected the sizes attribute's text, such as '100vw'")
        else:
            values["sizes"] = sizes.strip()
    return Images(**values)
