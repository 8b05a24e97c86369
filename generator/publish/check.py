"""Checks of the rendered site, for ``digest check``: every internal link and
image resolves, no page has duplicate ids, every page has a title.

Pages are scanned one at a time as they are rendered (``PageScan``), keeping
only their links and ids, then checked together (``check_site``). External
links are never fetched.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

from generator.diagnostics import Diagnostic, error
from generator.model.urls import site_path_of

_LINK_ATTRS = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src",),
    "script": ("src",),
    "source": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "iframe": ("src",),
}


@dataclass(slots=True)
class PageScan:
    """What the checks need to know about one HTML page."""

    output: str  # output-relative file
    origin: str  # the article file or the layout it came from, for messages
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    duplicate_ids: list[str] = field(default_factory=list)
    title: str = ""


class _Scanner(HTMLParser):
    def __init__(self, scan: PageScan) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = scan
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        ident = values.get("id")
        if ident is not None:
            if ident in self.scan.ids:
                self.scan.duplicate_ids.append(ident)
            self.scan.ids.add(ident)
        name = values.get("name")
        if tag == "a" and name:
            self.scan.ids.add(name)
        for attr in _LINK_ATTRS.get(tag, ()):
            value = values.get(attr)
            if value is not None:
                self.scan.links.append(value.strip())
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.scan.title += data


def scan_page(output: str, origin: str, html: bytes) -> PageScan:
    scan = PageScan(output=output, origin=origin)
    scanner = _Scanner(scan)
    scanner.feed(html.decode("utf-8", errors="replace"))
    scanner.close()
    return scan


def check_site(
    scans: Iterable[PageScan],
    outputs: Iterable[str],
    *,
    base_path: str,
    absolute_base: str | None,
) -> list[Diagnostic]:
    """Check every scanned page against the set of files the build writes."""
    scans = list(scans)
    files = set(outputs)
    ids: Mapping[str, set[str]] = {s.output: s.ids for s in scans}
    diags: list[Diagnostic] = []
    for scan in scans:
        where = f"(on {scan.output})"
        if not scan.title.strip():
            diags.append(
                error(
                    scan.origin,
                    f"the page has no <title> {where}",
                    hint="give the layout a <title>",
                )
            )
        for ident in sorted(set(scan.duplicate_ids)):
            diags.append(
                error(
                    scan.origin,
                    f'the id "{ident}" is used twice {where}',
                    hint="ids must be unique in a page; rename a heading or an id",
                )
            )
        page_url = base_path + site_path_of(scan.output).lstrip("/")
        seen: set[str] = set()
        for link in scan.links:
            if link in seen:
                continue
            seen.add(link)
            problem = _check_link(link, page_url, scan.output, files, ids, base_path, absolute_base)
            if problem:
                diags.append(error(scan.origin, f"{problem} {where}"))
    return diags


def _check_link(
    link: str,
    page_url: str,
    page: str,
    files: set[str],
    ids: Mapping[str, set[str]],
    base_path: str,
    absolute_base: str | None,
) -> str | None:
    if not link:
        return "an empty link"
    parts = urlsplit(link)
    if parts.scheme in ("mailto", "tel", "data", "javascript", "sms", "geo"):
        return None
    if parts.scheme or parts.netloc:
        if not absolute_base or not link.startswith(absolute_base):
            return None  # external: not fetched
        link = base_path + link[len(absolute_base) :]
    resolved = urlsplit(urljoin("http://site" + page_url, link))
    path = unquote(resolved.path)
    if not (path + "/").startswith(base_path):
        return f'the link "{link}" leaves the site\'s base path {base_path}'
    rel = path[len(base_path) :]
    target = _file_for(rel, files)
    if target is None:
        return f'broken link "{link}": nothing is built at {path}'
    fragment = unquote(resolved.fragment)
    if fragment and fragment != "top" and target in ids and fragment not in ids[target]:
        where = "this page" if target == page else target
        return f'broken link "{link}": {where} has no id "{fragment}"'
    return None


def _file_for(rel: str, files: set[str]) -> str | None:
    rel = posixpath.normpath(rel) + ("/" if rel.endswith("/") else "") if rel else ""
    if rel in ("", ".", "./"):
        return "index.html" if "index.html" in files else None
    if rel.endswith("/"):
        candidate = rel + "index.html"
        return candidate if candidate in files else None
    if rel in files:
        return rel
    candidate = rel + "/index.html"  # hosts serve a folder's index without the slash
    return candidate if candidate in files else None
