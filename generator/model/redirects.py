"""URLs that never break: which old URL leads to which article.

Two sources, both decided here from plain data (no file is read):

- ``aliases:`` in an article, old URLs its editor lists by hand;
- the URL record (``generator/record.py``): every URL the site published,
  with its article's ``id:`` or file. A URL an article no longer has leads
  to where the article is now.

An alias wins over the record (the editor said so); a URL an article has
now wins over both. Two articles, or an article and an alias, claiming one
URL are an error naming both files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from generator.config import SiteConfig
from generator.diagnostics import Diagnostic, error, warning
from generator.frozen import quick_init
from generator.parse.newsroom import Alias
from generator.record import ID_PREFIX, RECORD_FILE, Record

_ALIAS_HINT = "write the old URL's path from the site's root, e.g. aliases: [\"/2025/old-story/\"]"


@dataclass(frozen=True, slots=True, kw_only=True)
class Redirect:
    path: str  # the old site path
    target: str  # the article's site path now
    source: str  # the article
    alias: bool  # from aliases: (else from the URL record)


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """An article, as the redirects see it."""

    source: str
    path: str  # its URL now
    aliases: tuple[Alias, ...]
    ident: str | None
    ident_line: int | None


def owner(claim: Claim) -> str:
    """How the record names an article: by its id when it has one."""
    return ID_PREFIX + claim.ident if claim.ident else claim.source


def alias_path(config: SiteConfig, written: str) -> tuple[str | None, str]:
    """The site path an alias names, or None and why not. A path is a site
    path, like a root-relative link (under the base URL's path); a full URL
    must be on this site, under the base URL."""
    if any(c.isspace() for c in written) or "\\" in written:
        return None, "has a space or a backslash in it; a URL path has neither"
    parts = urlsplit(written)
    if parts.query or parts.fragment:
        return None, "has a ? or # part; an alias is a path only"
    path = parts.path
    if parts.scheme or parts.netloc:
        base = urlsplit(config.absolute_base or "")
        same_host = base.netloc and parts.netloc.lower() == base.netloc.lower()
        if parts.scheme.lower() not in ("http", "https", "") or not same_host:
            return None, "is not a path on this site"
        if not (path + "/").startswith(config.base_path):
            return None, f"is outside the base URL's path {config.base_path}"
        path = "/" + path[len(config.base_path) :]
    elif not path.startswith("/"):
        return None, "is a relative path; an alias starts with /"
    segments = path.split("/")
    if any(s in (".", "..") for s in segments):
        return None, "has . or .. in it"
    if "" in segments[1:-1]:
        return None, "has // in it"
    if segments[-1] and "." not in segments[-1]:
        path += "/"  # /old/story: a folder, like the article's own URLs
    if path == "/":
        return None, "is the home page"
    return path, ""


def resolve(
    config: SiteConfig, claims: Sequence[Claim], record: Record
) -> tuple[tuple[Redirect, ...], list[Diagnostic]]:
    """Every redirect (by old path), and the problems: aliases that are no
    site path, URLs claimed twice, ids given twice, and URLs published
    before that now lead nowhere."""
    diags: list[Diagnostic] = []
    by_id = _ids(claims, diags)
    found = _aliases(config, claims, diags)
    taken = {c.path for c in claims}
    by_source = {c.source: c for c in claims}
    for path, named in record:
        if path in taken or path in found:
            continue
        claim = by_id.get(named[len(ID_PREFIX) :]) if named.startswith(ID_PREFIX) else None
        claim = claim or by_source.get(named)
        if claim is None:
            diags.append(
                warning(
                    RECORD_FILE,
                    f"{path} was published and now leads nowhere: {named} is gone",
                    hint="restore the article, add the path to another article's aliases:, "
                    f"or delete its line from {RECORD_FILE} to let it go",
                )
            )
            continue
        found[path] = Redirect(path=path, target=claim.path, source=claim.source, alias=False)
    return tuple(found[p] for p in sorted(found)), diags


def _ids(claims: Sequence[Claim], diags: list[Diagnostic]) -> dict[str, Claim]:
    """The articles by id; an id given twice is an error in both files."""
    by_id: dict[str, Claim] = {}
    for claim in claims:
        if claim.ident is None:
            continue
        first = by_id.setdefault(claim.ident, claim)
        if first is claim:
            continue
        for a, b in ((claim, first), (first, claim)):
            diags.append(
                error(
                    a.source,
                    f"id: {a.ident} is also the id of {b.source}",
                    line=a.ident_line,
                    hint="give one of them another id (digest new makes a new one)",
                )
            )
    return by_id


def _aliases(
    config: SiteConfig, claims: Sequence[Claim], diags: list[Diagnostic]
) -> dict[str, Redirect]:
    """The redirects the articles' aliases ask for, by old path; an alias
    that is no site path, or that another article (or alias) has, is an
    error naming both files."""
    owners = {c.path: c.source for c in claims}
    found: dict[str, tuple[Redirect, int | None]] = {}
    for claim in claims:
        for alias in claim.aliases:
            path, why = alias_path(config, alias.written)
            if path is None:
                message = f"aliases: {alias.written!r} {why}"
                diags.append(error(claim.source, message, line=alias.line, hint=_ALIAS_HINT))
                continue
            other = owners.get(path)
            if other == claim.source:
                message = f"aliases: {path} is this article's own URL"
                diags.append(error(claim.source, message, line=alias.line, hint="delete it"))
                continue
            if other is not None:
                message = f"aliases: {path} is the URL of {other}"
                hint = "delete the alias, or give the other article another slug"
                diags.append(error(claim.source, message, line=alias.line, hint=hint))
                continue
            if path in found:
                first, first_line = found[path]
                if first.source != claim.source:  # (the same alias twice in one file: once)
                    hint = "keep the alias in one of them"
                    for source, line, named in (
                        (claim.source, alias.line, first.source),
                        (first.source, first_line, claim.source),
                    ):
                        message = f"aliases: {path} is also an alias of {named}"
                        diags.append(error(source, message, line=line, hint=hint))
                continue
            redirect = Redirect(path=path, target=claim.path, source=claim.source, alias=True)
            found[path] = (redirect, alias.line)
    return {path: redirect for path, (redirect, _) in found.items()}


def record_after(claims: Sequence[Claim], record: Record) -> Record:
    """The record once these articles are published: each one's URL now,
    and every line of an article that has an id since named by its id."""
    ids = {c.source: owner(c) for c in claims}
    lines: dict[str, str] = {path: ids.get(named, named) for path, named in record}
    for c in claims:
        lines[c.path] = owner(c)
    return tuple(sorted(lines.items()))
