"""Parse results as JSON, for the build state.

A decoded article equals the one parsed, down to its ``repr`` (so its
fingerprints are the same): tuples stay tuples, lists lists, dates keep their
time zone. Front-matter values that JSON has no type for (dates, binary,
mappings with keys that are not text) are tagged: ``{"$date": "2026-11-24"}``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from typing import Any
from zoneinfo import ZoneInfo

from generator.diagnostics import Diagnostic, Severity
from generator.fingerprint import of_text
from generator.frozen import FrozenDict
from generator.model import Skeleton
from generator.parse import BodyRef, ParsedArticle, UnpublishedLinks
from generator.parse.markdown import LinkRef, RenderedBody
from generator.parse.newsroom import Alias, Correction


class CodecError(ValueError):
    """Stored data that is not what this version writes."""


def encode_article(article: ParsedArticle) -> str:
    return _dumps(_article(article))


def decode_article(text: str) -> ParsedArticle:
    try:
        return _parsed(json.loads(text))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise CodecError(str(exc)) from exc


# A parse as stored: skeleton, problems, article, links of a file left unpublished
Stored = tuple[str | None, str, str | None, str | None]


def encode_parse(
    skeleton: Skeleton | str | None,
    diagnostics: tuple[Diagnostic, ...],
    article: ParsedArticle | None,
    links: UnpublishedLinks | None,
) -> Stored:
    """One file's parse as the state stores it (made where it was parsed;
    the skeleton may come encoded already)."""
    if skeleton is not None and not isinstance(skeleton, str):
        skeleton = encode_skeleton(skeleton)
    return (
        skeleton,
        encode_diagnostics(diagnostics),
        encode_article(article) if article is not None else None,
        encode_links(links) if links is not None else None,
    )


def encode_links(links: UnpublishedLinks) -> str:
    return _dumps([links.source, _refs(links.refs), links.image, links.image_line])


def decode_links(text: str) -> UnpublishedLinks:
    try:
        source, refs, image, image_line = json.loads(text)
        return UnpublishedLinks(
            source=source, refs=_unrefs(refs), image=image, image_line=image_line
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise CodecError(str(exc)) from exc


def _refs(refs: tuple[LinkRef, ...]) -> list[list[Any]]:
    return [[r.target, r.suffix, r.line, r.kind, r.written, r.alt, r.title, r.figure] for r in refs]


def _unrefs(refs: list[list[Any]]) -> tuple[LinkRef, ...]:
    return tuple(
        LinkRef(
            target=r[0],
            suffix=r[1],
            line=r[2],
            kind=r[3],
            written=r[4],
            alt=r[5],
            title=r[6],
            figure=r[7],
        )
        for r in refs
    )


def encode_skeleton(s: Skeleton) -> str:
    updated = None if s.updated is None else _datetime(s.updated)
    expires = None if s.expires is None else _datetime(s.expires)
    return _dumps(
        [
            s.source,
            _datetime(s.date),
            s.slug,
            list(s.tags),
            updated,
            s.draft,
            s.slug_line,
            expires,
            list(s.authors),
            s.section,
            s.section_line,
            s.featured,
            s.lead_image,
            list(s.image_focus),
            *_newsroom(s.corrections, s.aliases, s.ident, s.ident_line),
        ]
    )


def skeleton_print(text: str) -> str:
    """A skeleton's fingerprint, made from its encoding (``encode_skeleton``),
    which holds every field and reads back as the same skeleton: the
    structure's key takes these (hashing 10,000 stored skeletons: 7 ms, where
    the ``repr`` of the skeletons took 50)."""
    return of_text(f"skeleton {text}")


def decode_skeleton(text: str) -> Skeleton:
    try:
        (
            source,
            date,
            slug,
            tags,
            updated,
            draft,
            slug_line,
            expires,
            authors,
            section,
            section_line,
            featured,
            lead,
            focus,
            *news,
        ) = json.loads(text)
        corrections, aliases, ident, ident_line = _unnewsroom(news)
        return Skeleton(
            lead_image=lead,
            image_focus=(focus[0], focus[1]),
            source=source,
            date=_undatetime(date),
            slug=slug,
            tags=tuple(tags),
            updated=None if updated is None else _undatetime(updated),
            draft=draft,
            slug_line=slug_line,
            expires=None if expires is None else _undatetime(expires),
            corrections=corrections,
            aliases=aliases,
            ident=ident,
            ident_line=ident_line,
            authors=tuple(authors),
            section=section,
            section_line=section_line,
            featured=featured,
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise CodecError(str(exc)) from exc


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def encode_diagnostics(diagnostics: tuple[Diagnostic, ...]) -> str:
    return json.dumps([_diagnostic(d) for d in diagnostics], ensure_ascii=False)


def decode_diagnostics(text: str) -> tuple[Diagnostic, ...]:
    try:
        return tuple(_undiagnostic(d) for d in json.loads(text))
    except (TypeError, ValueError) as exc:
        raise CodecError(str(exc)) from exc


def _article(p: ParsedArticle) -> list[Any]:
    b = p.body
    return [
        p.source,
        p.headline,
        _datetime(p.date),
        None if p.updated is None else _datetime(p.updated),
        list(p.tags),
        p.standfirst,
        list(p.authors),
        p.slug,
        p.draft,
        p.image,
        p.image_line,
        p.image_alt,
        p.lang,
        _value(dict(p.meta)),
        [b.html.digest, b.html.size],
        _refs(b.refs),
        b.words,
        b.summary,
        p.slug_line,
        None if p.expires is None else _datetime(p.expires),
        p.section,
        p.section_line,
        p.featured,
        *_newsroom(p.corrections, p.aliases, p.ident, p.ident_line),
    ]


def _newsroom(
    corrections: tuple[Correction, ...],
    aliases: tuple[Alias, ...],
    ident: str | None,
    ident_line: int | None,
) -> list[Any]:
    return [
        [[_datetime(c.date), c.html, c.text] for c in corrections],
        [[a.written, a.line] for a in aliases],
        ident,
        ident_line,
    ]


def _unnewsroom(
    news: list[Any],
) -> tuple[tuple[Correction, ...], tuple[Alias, ...], str | None, int | None]:
    corrections, aliases, ident, ident_line = news
    return (
        tuple(Correction(date=_undatetime(d), html=h, text=t) for d, h, t in corrections),
        tuple(Alias(written=w, line=n) for w, n in aliases),
        ident,
        ident_line,
    )


def _parsed(a: list[Any]) -> ParsedArticle:
    (
        source,
        headline,
        date,
        updated,
        tags,
        standfirst,
        authors,
        slug,
        draft,
        image,
        image_line,
        image_alt,
        lang,
        meta,
        html,
        refs,
        words,
        summary,
        slug_line,
        expires,
        section,
        section_line,
        featured,
        *news,
    ) = a
    corrections, aliases, ident, ident_line = _unnewsroom(news)
    return ParsedArticle(
        source=source,
        headline=headline,
        date=_undatetime(date),
        updated=None if updated is None else _undatetime(updated),
        tags=tuple(tags),
        standfirst=standfirst,
        authors=tuple(authors),
        slug=slug,
        draft=draft,
        image=image,
        image_line=image_line,
        image_alt=image_alt,
        lang=lang,
        meta=FrozenDict(_unvalue(meta)),
        body=RenderedBody(
            html=BodyRef(digest=html[0], size=html[1]),
            refs=_unrefs(refs),
            words=words,
            summary=summary,
        ),
        slug_line=slug_line,
        expires=None if expires is None else _undatetime(expires),
        corrections=corrections,
        aliases=aliases,
        ident=ident,
        ident_line=ident_line,
        section=section,
        section_line=section_line,
        featured=featured,
    )


def _datetime(value: dt.datetime) -> list[Any]:
    zone = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
    return [value.replace(tzinfo=None).isoformat() if zone else value.isoformat(), zone]


def _undatetime(value: list[Any]) -> dt.datetime:
    text, zone = value
    parsed = dt.datetime.fromisoformat(text)
    return parsed.replace(tzinfo=ZoneInfo(zone)) if zone else parsed


def _value(value: Any) -> Any:
    """A front-matter value as JSON."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [_value(v) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _value(v) for k, v in value.items()}
        return {"$map": [[_value(k), _value(v)] for k, v in value.items()]}
    if isinstance(value, dt.datetime):
        return {"$datetime": [value.isoformat(), _zone(value)]}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    raise CodecError(f"cannot store a front-matter value of type {type(value).__name__}")


def _zone(value: dt.datetime) -> str | None:
    return value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None


def _unvalue(value: Any) -> Any:
    if isinstance(value, list):
        return [_unvalue(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$float":
            return float(inner)
        if tag == "$tuple":
            return tuple(_unvalue(v) for v in inner)
        if tag == "$map":
            return {_hashable(_unvalue(k)): _unvalue(v) for k, v in inner}
        if tag == "$datetime":
            text, zone = inner
            parsed = dt.datetime.fromisoformat(text)
            return parsed.replace(tzinfo=ZoneInfo(zone)) if zone else parsed
        if tag == "$date":
            return dt.date.fromisoformat(inner)
        if tag == "$bytes":
            return base64.b64decode(inner)
    return {k: _unvalue(v) for k, v in value.items()}


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def _diagnostic(d: Diagnostic) -> list[Any]:
    return [d.path, d.message, d.line, d.severity.value, d.hint]


def _undiagnostic(d: list[Any]) -> Diagnostic:
    path, message, line, severity, hint = d
    return Diagnostic(path=path, message=message, line=line, severity=Severity(severity), hint=hint)
