"""The front-matter fields of a published story's later life: ``corrections:``
(dated notes, Markdown allowed), ``aliases:`` (old URLs that lead to it) and
``id:`` (what follows it across a file rename; ``digest new`` writes one).

Read here as the file says them, with one problem per bad value at the
field's line; what they mean for the site (URLs claimed twice, an alias
outside the base URL) the model decides, as it knows every article.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from generator.diagnostics import did_you_mean, error, warning
from generator.fingerprint import plain_repr
from generator.frozen import quick_pickle
from generator.parse.dates import DATE_HINT, impossible_date, out_of_range, to_datetime
from generator.parse.fields import Fields, _kind

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_CORRECTION_KEYS = ("date", "text")
_CORRECTION_HINT = "write each correction as '- date: 2026-11-25' with 'text: ...' on the next line"
_TAG = re.compile(r"<[^>]*>")


@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class Correction:
    """One correction, as the article page, the corrections page, the
    JSON-LD and the corrections feed show it."""

    refs_in: ClassVar[tuple[str, ...]] = ()  # fields that hold references (plan.jobs)

    date: dt.datetime  # aware
    html: str  # the text's Markdown, inline only, raw HTML escaped
    text: str  # the same as plain text (JSON-LD)


@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class Alias:
    written: str  # as in the front matter; the model makes it a site path
    line: int | None


def _what(value: object) -> str:
    return "text" if isinstance(value, str) else _kind(value)


def newest(corrections: tuple[Correction, ...]) -> dt.datetime | None:
    return max((c.date for c in corrections), default=None)


def read_corrections(fields: Fields, tz: ZoneInfo) -> tuple[Correction, ...]:
    """``corrections:``, newest first (ties as written); one problem per
    bad item, and none of them kept if any is bad."""
    key = "corrections"
    value = fields.doc.values.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        fields.problem(key, f"expected a list of corrections, got {_what(value)}", _CORRECTION_HINT)
        return ()
    found: list[Correction] = []
    ok = True
    for number, item in enumerate(value, start=1):
        correction = _correction(fields, number, item, tz)
        ok = ok and correction is not None
        if correction is not None:
            found.append(correction)
    if not ok:
        return ()
    return tuple(sorted(found, key=lambda c: -c.date.timestamp()))


def item_line(fields: Fields, key: str, number: int) -> int | None:
    """The line of item ``number`` (from 1) of the list ``key``, or the key's."""
    found = fields.doc.item_lines.get(key, ())
    return found[number - 1] + 2 if number <= len(found) else fields.line(key)


def _correction(fields: Fields, number: int, item: Any, tz: ZoneInfo) -> Correction | None:
    key, what = "corrections", f"item {number}"
    line = item_line(fields, key, number)

    def problem(message: str, hint: str) -> None:
        fields.failed = True
        fields.diags.append(error(fields.path, f"{key}: {message}", line=line, hint=hint))

    if not isinstance(item, dict):
        problem(f"{what} is {_what(item)}, not a correction", _CORRECTION_HINT)
        return None
    for unknown in sorted(str(k) for k in item if k not in _CORRECTION_KEYS):
        hint = did_you_mean(unknown, _CORRECTION_KEYS) or "a correction has a date and a text"
        fields.diags.append(
            warning(
                fields.path,
                f"{key}: {what} has an unknown key '{unknown}'",
                line=line,
                hint=hint,
            )
        )
    date, text = item.get("date"), item.get("text")
    good = True
    if date is None:
        problem(f"{what} has no date", "add 'date: 2026-11-25' to it")
        good = False
    if text is None or (isinstance(text, str) and not text.strip()):
        problem(f"{what} has no text", "add 'text: ...' saying what was corrected")
        good = False
    elif not isinstance(text, str):
        problem(f"{what}: the text is {_kind(text)}", "put the text in quotes")
        good = False
    when = None
    if date is not None:
        when = to_datetime(date, tz)
        if when is None:
            written = str(date)
            reason = impossible_date(written) or f"cannot read {written!r} as a date"
            problem(f"{what}: {reason}", DATE_HINT)
            good = False
        elif (too_far := out_of_range(when)) is not None:
            problem(f"{what}: {too_far}", DATE_HINT)
            good = False
    if not good or when is None or not isinstance(text, str):
        return None
    rendered = _inline().renderInline(text.strip())
    plain = html.unescape(_TAG.sub("", rendered))
    return Correction(date=when, html=rendered, text=" ".join(plain.split()))


@functools.cache
def _inline() -> MarkdownIt:
    """Inline Markdown (emphasis, code, links) with raw HTML shown as text:
    a correction is a sentence or two, never a block of its own."""
    from markdown_it import MarkdownIt  # 30 ms: only when there are corrections

    return MarkdownIt("commonmark", {"html": False})


def read_aliases(fields: Fields) -> tuple[Alias, ...]:
    """``aliases:``, a list of old URLs (or one); the model checks each."""
    key = "aliases"
    value = fields.doc.values.get(key)
    if value is None:
        return ()
    listed = isinstance(value, list)
    items = value if listed else [value]
    hint = 'write aliases: ["/old/path/", "/other/old/path/"]'
    if not isinstance(items, list):
        fields.problem(key, f"expected a list of paths, got {_what(value)}", hint)
        return ()
    wrong = next((n for n, v in enumerate(items, start=1) if not isinstance(v, str)), None)
    if wrong is not None:
        message = f"{key}: item {wrong} is {_kind(items[wrong - 1])}, not a path"
        fields.failed = True
        fields.diags.append(
            error(fields.path, message, line=item_line(fields, key, wrong), hint=hint)
        )
        return ()
    return tuple(
        Alias(written=v.strip(), line=item_line(fields, key, n) if listed else fields.line(key))
        for n, v in enumerate(items, start=1)
        if v.strip()
    )


def read_id(fields: Fields) -> str | None:
    written = fields.text("id")
    if written is None:
        return None
    if not ID_PATTERN.fullmatch(written):
        fields.problem(
            "id",
            f"{written!r} is not an id",
            "an id is up to 64 letters, digits, - and _ ('digest new' writes one)",
        )
        return None
    return written
