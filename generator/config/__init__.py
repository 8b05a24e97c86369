"""Site settings: ``site.yaml`` read into a frozen ``SiteConfig``.

Every setting has a default, so a site with only ``content/`` builds. Unknown
keys are reported (a typo is the usual cause) instead of being ignored.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.config.desks import read_nav, read_sections
from generator.config.sections import (
    count_problem,
    is_count,
    read_favicon,
    read_images,
    read_permalinks,
    type_name,
    unknown_in,
    unknown_setting,
)
from generator.config.settings import (
    CONFIG_FILE,
    ENGLISH_MONTHS,
    Favicon,
    Feeds,
    Images,
    Limits,
    NavLink,
    Permalinks,
    Profile,
    Publisher,
    Section,
    SiteConfig,
    format_date,
    vars_of,
)
from generator.diagnostics import Diagnostic, error, warning
from generator.frozen import FrozenDict
from generator.yamldoc import YamlError, load_mapping, plain, repair_warnings

__all__ = [
    "CONFIG_FILE",
    "ENGLISH_MONTHS",
    "Favicon",
    "Feeds",
    "Images",
    "Limits",
    "NavLink",
    "Permalinks",
    "Profile",
    "Publisher",
    "Section",
    "SiteConfig",
    "base_url_option_problem",
    "base_url_warning",
    "format_date",
    "load_config",
    "parse_config",
    "vars_of",
    "with_base_url",
]

_TOP_KEYS = {
    "title",
    "description",
    "base_url",
    "language",
    "timezone",
    "per_page",
    "related",
    "markdown",
    "typography",
    "search",
    "date_format",
    "month_names",
    "permalinks",
    "params",
    "favicon",
    "limits",
    "images",
    "publisher",
    "feeds",
    "sections",
    "nav",
}
# Settings of one line of text: written unquoted with ': ' in it
# (``title: Harbour Times: the news``), they are read as the whole line.
_ONE_LINE_TEXT = frozenset({"title", "description"})
_DATE_PLACEHOLDERS = {"day", "dd", "month", "mm", "month_name", "year"}
_MARKDOWN_KEYS = {"html", "highlight"}
_PERMALINK_KEYS = {"article", "tag", "tags", "page"}
_ARTICLE_TOKENS = {"year", "month", "day", "slug"}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def load_config(site_dir: Path) -> tuple[SiteConfig, list[Diagnostic]]:
    """Read ``site.yaml``; a missing file means all defaults."""
    path = site_dir / CONFIG_FILE
    if not path.is_file():
        return SiteConfig(), []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return SiteConfig(), [error(CONFIG_FILE, "not UTF-8 text", hint="save it as UTF-8")]
    return parse_config(text)


def parse_config(text: str) -> tuple[SiteConfig, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    try:
        doc = load_mapping(text.replace("\r\n", "\n"), one_line_text=_ONE_LINE_TEXT.__contains__)
    except YamlError as exc:
        line = None if exc.line is None else exc.line + 1
        problem = error(CONFIG_FILE, exc.message, line=line, hint=exc.hint)
        return SiteConfig(), [*repair_warnings(CONFIG_FILE, exc.repaired, 1), problem]
    diags += repair_warnings(CONFIG_FILE, doc.repaired, 1)

    def line_of(key: str) -> int | None:
        top = key.split(".")[0]  # a nested setting: the line of its section
        return doc.lines[top] + 1 if top in doc.lines else None

    def bad(key: str, message: str, hint: str | None = None) -> None:
        diags.append(error(CONFIG_FILE, f"{key}: {message}", line=line_of(key), hint=hint))

    for key in sorted(set(doc.values) - _TOP_KEYS):
        diags.append(unknown_setting(key, _TOP_KEYS, line_of(key)))

    v = doc.values
    kwargs: dict[str, Any] = {}
    for key in ("title", "description", "base_url", "language", "timezone", "date_format"):
        if key in v:
            value = v[key]
            if value is None:
                continue
            if not isinstance(value, str):
                bad(key, f"expected text, got {type_name(value)}", "put the value in quotes")
                continue
            kwargs[key] = value.strip()
    for key, low in (("per_page", 1), ("related", 0)):
        if key in v and v[key] is not None:
            value = v[key]
            if not is_count(value, low):
                bad(key, count_problem(value, low))
            else:
                kwargs[key] = value

    if "timezone" in kwargs:
        try:
            ZoneInfo(kwargs["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            bad(
                "timezone",
                f"unknown time zone {kwargs['timezone']!r}",
                "use an IANA name such as Europe/Copenhagen or UTC",
            )
            del kwargs["timezone"]
    if "language" in kwargs and not _LANGUAGE.match(kwargs["language"]):
        bad("language", f"{kwargs['language']!r} is not a language code", "e.g. en, da, de-AT")
        del kwargs["language"]
    if "base_url" in kwargs:
        parts = urlsplit(kwargs["base_url"])
        if parts.scheme not in ("", "http", "https") or (parts.scheme and not parts.netloc):
            bad(
                "base_url",
                f"{kwargs['base_url']!r} is not an http(s) URL or a path",
                "e.g. https://example.org/news/ or /news/",
            )
            del kwargs["base_url"]
        else:
            kwargs["base_url_line"] = line_of("base_url")
            if not parts.scheme and not kwargs["base_url"].startswith("/"):
                kwargs["base_url"] = "/" + kwargs["base_url"]
    if "date_format" in kwargs:
        try:
            for _, name, _, _ in string.Formatter().parse(kwargs["date_format"]):
                if name is not None and name not in _DATE_PLACEHOLDERS:  # {day.__class__}
                    raise ValueError(f"{{{name}}} is not a placeholder")
            kwargs["date_format"].format(day=1, month=1, month_name="x", year=1, mm="01", dd="01")
        except (KeyError, IndexError, ValueError) as exc:
            bad(
                "date_format",
                f"cannot use {kwargs['date_format']!r}: {exc}",
                "placeholders are {day} {dd} {month} {mm} {month_name} {year}",
            )
            del kwargs["date_format"]

    for key in ("typography", "search"):  # the switches
        if v.get(key) is not None:
            if isinstance(v[key], bool):
                kwargs[key] = v[key]
            else:
                bad(key, f"expected true or false, got {v[key]!r}")

    if "month_names" in v and v["month_names"] is not None:
        names = v["month_names"]
        if not (
            isinstance(names, list) and len(names) == 12 and all(isinstance(n, str) for n in names)
        ):
            bad("month_names", "expected a list of 12 month names")
        else:
            kwargs["month_names"] = tuple(names)

    markdown = v.get("markdown")
    if markdown is not None:
        if not isinstance(markdown, dict):
            bad("markdown", "expected settings such as 'html: true'")
        else:
            diags += unknown_in("markdown", markdown, _MARKDOWN_KEYS, line_of("markdown"))
            for key, attr in (("html", "markdown_html"), ("highlight", "highlight")):
                if key in markdown:
                    if isinstance(markdown[key], bool):
                        kwargs[attr] = markdown[key]
                    else:
                        bad(f"markdown.{key}", "expected true or false")

    permalinks = v.get("permalinks")
    if permalinks is not None:
        if not isinstance(permalinks, dict):
            bad("permalinks", "expected patterns such as 'article: /{year}/{slug}/'")
        else:
            kwargs["permalinks"] = read_permalinks(permalinks, bad, diags, line_of("permalinks"))

    feeds = v.get("feeds")
    if feeds is not None:
        if not isinstance(feeds, dict):
            bad("feeds", "expected settings such as 'entries: 20'")
        else:
            diags += unknown_in("feeds", feeds, ("entries", "content"), line_of("feeds"))
            feed_kwargs: dict[str, Any] = {}
            entries = feeds.get("entries")
            if entries is not None:
                if not is_count(entries, 1):
                    bad("feeds.entries", count_problem(entries, 1))
                else:
                    feed_kwargs["entries"] = entries
            content = feeds.get("content")
            if content is not None:
                if content not in ("full", "summary"):
                    bad("feeds.content", f"expected full or summary, got {content!r}")
                else:
                    feed_kwargs["full_content"] = content == "full"
            kwargs["feeds"] = Feeds(**feed_kwargs)

    publisher = v.get("publisher")
    if publisher is not None:
        if isinstance(publisher, str):
            kwargs["publisher"] = Publisher(name=publisher.strip())
        elif not isinstance(publisher, dict):
            bad("publisher", "expected a name, or settings such as 'name: ...' and 'logo: ...'")
        else:
            diags += unknown_in(
                "publisher", publisher, ("name", "url", "logo"), line_of("publisher")
            )
            pub_kwargs: dict[str, str] = {}
            for key in ("name", "url", "logo"):
                value = publisher.get(key)
                if value is None:
                    continue
                if not isinstance(value, str):
                    bad(f"publisher.{key}", "expected text")
                elif key != "name" and urlsplit(value).scheme not in ("", "http", "https"):
                    bad(f"publisher.{key}", f"{value!r} is not an http(s) URL or a path")
                else:
                    pub_kwargs[key] = value.strip()
            kwargs["publisher"] = Publisher(**pub_kwargs)

    limits = v.get("limits")
    if limits is not None:
        if not isinstance(limits, dict):
            bad("limits", "expected settings such as 'tags: 50'")
        else:
            diags += unknown_in("limits", limits, ("tags", "authors"), line_of("limits"))
            limit_kwargs: dict[str, int] = {}
            for key in ("tags", "authors"):
                value = limits.get(key)
                if value is None:
                    continue
                if not is_count(value, 1):
                    bad(f"limits.{key}", count_problem(value, 1))
                else:
                    limit_kwargs[key] = value
            kwargs["limits"] = Limits(**limit_kwargs)

    favicon = v.get("favicon")
    if favicon is not None:
        made = read_favicon(favicon, bad, diags, line_of("favicon"))
        if made is not None:
            kwargs["favicon"] = made

    if v.get("sections") is not None:
        kwargs["sections"] = read_sections(v["sections"], bad, diags)
    if v.get("nav") is not None:
        kwargs["nav"] = read_nav(v["nav"], bad)
    images = v.get("images")
    if images is not None:
        made_images = read_images(images, bad, diags, line_of("images"))
        if made_images is not None:
            kwargs["images"] = made_images

    params = v.get("params")
    if params is not None:
        if not isinstance(params, dict):
            bad("params", "expected a mapping of theme settings")
        else:
            kwargs["params"] = FrozenDict(plain(dict(params)))

    for key, line in doc.duplicates:
        diags.append(warning(CONFIG_FILE, f"{key}: given twice; the last one wins", line=line + 1))
    config = SiteConfig(**kwargs)
    return config, diags


def base_url_warning(config: SiteConfig, *, from_option: bool) -> Diagnostic | None:
    """The warning a build without a host gives, naming where its base_url
    came from: ``--base-url``, site.yaml (at its line), or the default."""
    if config.absolute_base is not None:
        return None
    left_out = "has no host, so feeds, sitemaps and canonical links are left out"
    example = "https://example.org/news/"
    if from_option:
        return warning(
            "--base-url",
            f"{config.base_url!r} {left_out}",
            hint=f"give the full address, e.g. --base-url {example}",
        )
    if config.base_url_line is not None:
        return warning(
            CONFIG_FILE,
            f"base_url: {config.base_url!r} {left_out}",
            line=config.base_url_line,
            hint=f"set it to the full address, e.g. {example}",
        )
    return warning(
        CONFIG_FILE,
        f"base_url: {config.base_url!r} {left_out}; site.yaml does not set it, and "
        f"{config.base_url!r} is the default",
        hint=f"add base_url: {example} to site.yaml",
    )


def base_url_option_problem(text: str) -> str | None:
    """Why ``--base-url`` cannot be built for, or None: it must be an http(s)
    URL with a host, or a path from the root of the server."""
    try:
        parts = urlsplit(text)
    except ValueError:  # an unbalanced [ in the host
        parts = None
    if parts is not None and not parts.netloc and not parts.scheme and text.startswith("/"):
        return None
    if parts is not None and parts.scheme in ("http", "https") and parts.hostname:
        return None
    return (
        f"--base-url {text!r} is not a URL or an absolute path "
        "(write https://example.com/news/ or /news/)"
    )


def with_base_url(config: SiteConfig, base_url: str) -> tuple[SiteConfig, list[Diagnostic]]:
    """``digest build --base-url``: the same settings under another address."""
    probe, diags = parse_config(f"base_url: {json.dumps(base_url)}\n")
    errors = [d for d in diags if d.is_error]
    if errors:
        return config, [
            Diagnostic(path="--base-url", message=d.message.removeprefix("base_url: "), hint=d.hint)
            for d in errors
        ]
    return replace(config, base_url=probe.base_url, base_url_line=None), []
