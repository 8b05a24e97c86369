"""Front-matter values read as the fields they are: typed access to each,
collecting one diagnostic (with its line) per field that is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from generator.diagnostics import Diagnostic, error
from generator.parse.dates import DATE_HINT, impossible_date, out_of_range, to_datetime
from generator.parse.slugs import tag_key
from generator.yamldoc import YamlMapping


class Fields:
    """Typed access to front-matter values, collecting a diagnostic per bad field."""

    def __init__(self, path: str, doc: YamlMapping, limits: tuple[int, int] = (50, 30)) -> None:
        self.path = path
        self.doc = doc
        self.max_tags, self.max_authors = limits
        self.diags: list[Diagnostic] = []
        self.failed = False

    def line(self, key: str) -> int | None:
        # +2: the YAML starts on line 2, after the opening ---
        return self.doc.lines[key] + 2 if key in self.doc.lines else None

    def problem(self, key: str, message: str, hint: str | None = None) -> None:
        self.failed = True
        self.diags.append(error(self.path, f"{key}: {message}", line=self.line(key), hint=hint))

    def _scalar_text(self, key: str, value: Any) -> str | None:
        """Text of a scalar as written, so `headline: 1984` or `no` stay text."""
        if isinstance(value, str):
            return value
        if isinstance(value, bool | int | float | dt.date):
            raw = self.doc.raw.get(key)
            return raw if raw is not None else str(value)
        return None

    def text(self, key: str, *, required: bool = False) -> str | None:
        if key not in self.doc.values or self.doc.values[key] is None:
            if required:
                self.failed = True
                self.diags.append(
                    error(
                        self.path,
                        f"{key}: missing",
                        line=self.line(key) or 1,
                        hint=f"add '{key}: ...' to the front matter",
                    )
                )
            return None
        value = self._scalar_text(key, self.doc.values[key])
        if value is None:
            self.problem(
                key, f"expected text, got {_kind(self.doc.values[key])}", "put the value in quotes"
            )
            return None
        value = " ".join(value.split()) if key == "headline" else value.strip()
        if not value:
            if required:
                self.problem(key, "is empty", f"write the {key} after '{key}:'")
            return None
        return value

    def boolean(self, key: str) -> bool:
        value = self.doc.values.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problem(key, f"expected true or false, got {value!r}")
            return False
        return value

    def datetime(self, key: str, tz: ZoneInfo, *, required: bool = False) -> dt.datetime | None:
        value = self.doc.values.get(key)
        if value is None:
            if required:
                self.failed = True
                self.diags.append(
                    error(self.path, f"{key}: missing", line=self.line(key) or 1, hint=DATE_HINT)
                )
            return None
        result = to_datetime(value, tz)
        if result is None:
            written = self.doc.raw.get(key) or value
            impossible = impossible_date(written) if isinstance(written, str) else None
            message = impossible or f"cannot read {written!r} as a date"
            self.problem(key, message, DATE_HINT)
            return None
        too_far = out_of_range(result)
        if too_far is not None:
            self.problem(key, too_far, DATE_HINT)
            return None
        return result

    def expires(self, date: dt.datetime | None, tz: ZoneInfo) -> dt.datetime | None:
        """``expires:``, the moment the article is withdrawn: after its date."""
        expires = self.datetime("expires", tz)
        if expires is not None and date is not None and expires <= date:
            self.problem(
                "expires",
                f"{_minute(expires.astimezone(date.tzinfo))} is not after the article's "
                f"date ({_minute(date)})",
                "set expires: to a later date and time, or delete the line",
            )
            return None
        return expires

    def tags(self) -> tuple[str, ...]:
        key = "tags"
        value = self.doc.values.get(key)
        if value is None:
            return ()
        items: list[str] = []
        if isinstance(value, str):
            items = value.split(",")
        elif isinstance(value, list):
            raw_items = self.doc.raw_items.get(key, ())
            for index, item in enumerate(value):
                if isinstance(item, str):
                    items.append(item)
                elif isinstance(item, bool | int | float | dt.date):
                    raw = raw_items[index] if index < len(raw_items) else None
                    items.append(raw if raw is not None else str(item))
                else:
                    self.problem(
                        key,
                        f"item {index + 1} is {_kind(item)}, not a tag name",
                        "write tags as [one, two] or as a list of '- name' lines",
                    )
                    return ()
        else:
            self.problem(
                key,
                f"expected a list of tags, got {_kind(value)}",
                "write tags as [one, two] or 'one, two'",
            )
            return ()
        seen: set[str] = set()
        tags: list[str] = []
        for item in items:
            name = " ".join(item.split())
            if not name:
                continue
            tkey = tag_key(name) or name.casefold()
            if tkey not in seen:
                seen.add(tkey)
                tags.append(name)
        return self._at_most(key, tuple(tags), self.max_tags, "tags")

    def _at_most(self, key: str, names: tuple[str, ...], limit: int, what: str) -> tuple[str, ...]:
        if len(names) <= limit:
            return names
        self.problem(
            key,
            f"{len(names):,} {what}; an article may have at most {limit}",
            f"keep the {what} that matter, or raise limits.{what} in site.yaml",
        )
        return ()

    def authors(self) -> tuple[str, ...]:
        key = "author"
        value = self.doc.values.get(key)
        if value is None:
            return ()
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            names = tuple(a.strip() for a in value if a.strip())
            return self._at_most(key, names, self.max_authors, "authors")
        text = self.text(key)
        return (text,) if text else ()

    def url(self, key: str) -> str | None:
        value = self.text(key)
        if value is None:
            return None
        scheme = urlsplit(value).scheme.lower()
        if scheme not in ("", "http", "https"):
            self.problem(key, f"{value!r} is not an http(s) URL or a path to a file")
            return None
        return value


def _minute(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__
