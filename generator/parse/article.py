"""One article file -> a validated ``ParsedArticle`` and its body's HTML, or
diagnostics with lines.

Reads the file the way editors save it (UTF-8 with or without a BOM, CRLF or
LF), splits the YAML front matter between ``---`` lines from the Markdown body,
checks every field, and renders the body. Knows nothing about URLs, layouts or
other articles. A file with errors has its body rendered all the same: its
links (``UnpublishedLinks``) are checked with the rest of the site, so one
build reports every problem of the file.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from generator.diagnostics import Diagnostic, Severity, did_you_mean, error, warning
from generator.frozen import FrozenDict, quick_init, quick_pickle
from generator.images import parse_focus
from generator.load import CONTENT_DIR
from generator.parse.fields import Fields
from generator.parse.markdown import LinkRef, MarkdownRenderer, RenderedBody
from generator.parse.newsroom import (
    Alias,
    Correction,
    read_aliases,
    read_corrections,
    read_id,
)
from generator.parse.slugs import slugify
from generator.yamldoc import YamlError, load_mapping, plain, repair_warnings

KNOWN_FIELDS = (
    "headline",
    "date",
    "tags",
    "standfirst",
    "author",
    "slug",
    "draft",
    "updated",
    "image",
    "image_alt",
    "lang",
    "expires",
    "corrections",
    "aliases",
    "id",
    "section",
    "featured",
)
_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_NOT_TEXT = frozenset(
    {"date", "updated", "expires", "tags", "draft", "corrections", "aliases", "featured"}
)  # never read as one line of text
# What ``digest new`` writes for the editor to replace (generator/new.py):
# a warning on build, an error under ``digest check`` (``for_check``).
PLACEHOLDER_BODY = "Write the article here."
PLACEHOLDER_MESSAGES = frozenset(
    {
        f"the text {PLACEHOLDER_BODY!r} from 'digest new' is still here",
        "standfirst: is empty",
    }
)


@quick_init
@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedArticle:
    source: str  # site-relative path: "content/2026/budget.md"
    headline: str
    date: dt.datetime  # aware
    updated: dt.datetime | None  # aware
    tags: tuple[str, ...]  # as written, one per tag key, in the order written
    standfirst: str | None
    authors: tuple[str, ...]
    slug: str
    draft: bool
    image: str | None  # as written: a URL or a path relative to the article file
    image_line: int | None  # where ``image`` is written, for a problem with it
    image_alt: str
    lang: str | None
    meta: Mapping[str, Any]  # every other front-matter key
    body: RenderedBody
    slug_line: int  # where to point a URL collision at
    expires: dt.datetime | None = None  # aware: withdrawn from then on
    corrections: tuple[Correction, ...] = ()  # newest first
    aliases: tuple[Alias, ...] = ()  # old URLs that lead here, as written
    ident: str | None = None  # ``id:``: follows the article across a file rename
    ident_line: int | None = None
    section: str | None = None  # as written in section: (the model finds its key)
    section_line: int | None = None
    featured: bool = False  # leads the front page (the newest such)

    @property
    def content_path(self) -> str:
        return self.source[len(CONTENT_DIR) + 1 :]


@dataclass(frozen=True, slots=True, kw_only=True)
class UnpublishedLinks:
    """The relative links (and image) of a file left unpublished for its
    errors. The model checks them all the same, so one build reports every
    problem of the file, not the front matter's alone; nothing links back
    from them (no page shows the file)."""

    source: str  # site-relative: "content/2026/budget.md"
    refs: tuple[LinkRef, ...]
    image: str | None  # as written, if the front matter gave one
    image_line: int | None = None


Result = tuple[ParsedArticle | None, bytes | None, UnpublishedLinks | None, list[Diagnostic]]


def parse_article(
    path: str,
    data: bytes,
    renderer: MarkdownRenderer,
    tz: ZoneInfo,
    *,
    include_drafts: bool = False,
    limits: tuple[int, int] = (50, 30),
) -> Result:
    """Parse one file (``path``, site-relative, and its bytes): the article
    and its body's HTML; or, with errors, None and the body's links to check
    and why. Problems in a file marked ``draft: true`` are warnings unless
    drafts are being built: a draft in progress never blocks publishing."""
    article, body, links, diags, is_draft = _parse(path, data, renderer, tz, limits)
    if is_draft and not include_drafts:
        diags = [
            Diagnostic(
                path=d.path,
                line=d.line,
                message=d.message + " (in a draft, not published)",
                hint=d.hint,
                severity=Severity.WARNING,
            )
            if d.is_error or d.message in PLACEHOLDER_MESSAGES
            else d
            for d in diags
        ]
        return None, None, None, diags
    if article is None or any(d.is_error for d in diags):
        if links is not None and not links.refs and links.image is None:
            links = None  # nothing to check
        return None, None, links, diags
    return article, body, None, diags


def for_check(diagnostic: Diagnostic) -> Diagnostic:
    """``diagnostic`` as ``digest check`` reports it: text left from
    ``digest new`` is an error there (a build only warns), so it never goes
    out by accident. Done after parsing, so a check and a build share the
    parse cache."""
    if diagnostic.is_error or diagnostic.message not in PLACEHOLDER_MESSAGES:
        return diagnostic
    return error(diagnostic.path, diagnostic.message, line=diagnostic.line, hint=diagnostic.hint)


_Parse = tuple[ParsedArticle | None, bytes | None, UnpublishedLinks | None, list[Diagnostic], bool]


def _parse(
    path: str, data: bytes, renderer: MarkdownRenderer, tz: ZoneInfo, limits: tuple[int, int]
) -> _Parse:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return (
            None,
            None,
            None,
            [
                error(
                    path,
                    "the file is not UTF-8 text",
                    line=line,
                    hint="save it with UTF-8 encoding",
                )
            ],
            False,
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return (
            None,
            None,
            None,
            [
                error(
                    path,
                    "no front matter",
                    line=1,
                    hint="start the file with a line '---', then 'headline: ...' and "
                    "'date: ...', then another '---'",
                )
            ],
            False,
        )
    close = next((i for i in range(1, len(lines)) if _CLOSE.match(lines[i])), None)
    if close is None:
        return (
            None,
            None,
            None,
            [
                error(
                    path,
                    "the front matter opened on line 1 is never closed",
                    line=1,
                    hint="add a line '---' after the last field",
                )
            ],
            False,
        )
    try:
        doc = load_mapping("\n".join(lines[1:close]), one_line_text=_one_line_text)
    except YamlError as exc:
        # The body is still read, for its links: every problem at once.
        yaml_line = None if exc.line is None else exc.line + 2
        diags = [
            *repair_warnings(path, exc.repaired, 2),
            error(path, exc.message, line=yaml_line, hint=exc.hint),
        ]
        body, _ = _body(path, lines, close, renderer, diags)
        return None, None, UnpublishedLinks(source=path, refs=body.refs, image=None), diags, False

    fields = Fields(path, doc, limits)
    fields.diags += repair_warnings(path, doc.repaired, 2)
    draft = fields.boolean("draft")
    headline = fields.text("headline", required=True)
    date = fields.datetime("date", tz, required=True)
    updated = fields.datetime("updated", tz)
    expires = fields.expires(date, tz)
    tags = fields.tags()
    standfirst = fields.text("standfirst")
    if standfirst is None and isinstance(doc.values.get("standfirst"), str):
        fields.diags.append(
            warning(
                path,
                "standfirst: is empty",
                line=fields.line("standfirst"),
                hint="write the standfirst, or delete the line",
            )
        )
    authors = fields.authors()
    image = fields.url("image")
    image_line = fields.line("image")
    image_alt = fields.text("image_alt") or ""
    focus = doc.values.get("image_focus")
    if focus is not None and parse_focus(focus) is None:
        fields.problem(
            "image_focus",
            f"{focus!r} is not a point of the image",
            "write x,y from 0 to 1: 0,0 is the top left, 0.5,0.5 the centre",
        )
    lang = fields.text("lang")
    section = fields.text("section")
    featured = fields.boolean("featured")
    if lang is not None and not _LANG.match(lang):
        fields.problem("lang", f"{lang!r} is not a language code", "e.g. en, da, de-AT")
        lang = None
    slug = _slug(fields, headline)
    corrections = read_corrections(fields, tz)
    aliases = read_aliases(fields)
    ident = read_id(fields)
    meta = {k: plain(v) for k, v in doc.values.items() if k not in KNOWN_FIELDS}
    for key in sorted(meta):
        typo = did_you_mean(key, KNOWN_FIELDS, cutoff=0.75)
        if typo:
            fields.diags.append(
                warning(path, f"unknown field '{key}'", line=fields.line(key), hint=typo)
            )
    for key, line in doc.duplicates:
        fields.diags.append(warning(path, f"{key}: given twice; the last one wins", line=line + 2))
    if updated is not None and date is not None and updated < date:
        fields.diags.append(
            warning(path, "updated: is earlier than date", line=fields.line("updated"))
        )

    body, html = _body(path, lines, close, renderer, fields.diags, lang)
    # Typography after the slug is made, so URLs stay as they were.
    headline, standfirst = renderer.typeset(headline, lang), renderer.typeset(standfirst, lang)
    if headline is None or date is None or slug is None or fields.failed:
        links = UnpublishedLinks(source=path, refs=body.refs, image=image, image_line=image_line)
        return None, None, links, fields.diags, draft
    article = ParsedArticle(
        source=path,
        headline=headline,
        date=date,
        updated=updated,
        tags=tags,
        standfirst=standfirst,
        authors=authors,
        slug=slug,
        draft=draft,
        image=image,
        image_line=image_line,
        image_alt=image_alt,
        lang=lang,
        meta=FrozenDict(meta),
        body=body,
        slug_line=fields.line("slug") or fields.line("headline") or 1,
        expires=expires,
        corrections=corrections,
        aliases=aliases,
        ident=ident,
        ident_line=fields.line("id"),
        section=section,
        section_line=fields.line("section"),
        featured=featured,
    )
    return article, html, None, fields.diags, draft


def _one_line_text(key: str) -> bool:
    """Whether a ``key: value`` line with ': ' in its value is read as
    written (see ``load_mapping``): text fields, known or not, never the
    dates, tags or draft flag."""
    return key not in _NOT_TEXT


def _body(
    path: str,
    lines: list[str],
    close: int,
    renderer: MarkdownRenderer,
    diags: list[Diagnostic],
    lang: str | None = None,
) -> tuple[RenderedBody, bytes]:
    """The body after the front matter (closed on line ``close`` + 1),
    rendered; its problems into ``diags``."""
    body_text = "\n".join(lines[close + 1 :])
    content_path = path[len(CONTENT_DIR) + 1 :]
    body, html = renderer.render(
        body_text, content_path=content_path, first_line=close + 2, lang=lang
    )
    if not body_text.strip():
        diags.append(warning(path, "the article has no text", line=close + 1))
    for number, line in enumerate(lines[close + 1 :], start=close + 2):
        if line.strip() == PLACEHOLDER_BODY:
            diags.append(
                warning(
                    path,
                    f"the text {PLACEHOLDER_BODY!r} from 'digest new' is still here",
                    line=number,
                    hint="write the article in its place",
                )
            )
    return body, html


def _slug(fields: Fields, headline: str | None) -> str | None:
    written = fields.text("slug")
    if written is not None:
        slug = slugify(written, max_length=200)
        if not slug:
            fields.problem("slug", f"{written!r} has no letters or digits to make a URL from")
            return None
        if slug != written:
            fields.diags.append(
                warning(
                    fields.path,
                    f"slug: {written!r} is used as {slug!r}",
                    line=fields.line("slug"),
                    hint="slugs are lower-case ASCII words joined by -",
                )
            )
        return slug
    if headline is None:
        return None
    slug = slugify(headline)
    if not slug:
        # A headline of only symbols: fall back to the file name.
        slug = slugify(posixpath.splitext(posixpath.basename(fields.path))[0])
    if not slug:
        fields.problem("headline", "no letters or digits to make a URL from", "add a 'slug:' field")
        return None
    return slug
