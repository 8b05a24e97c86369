"""What a request names: the file under the output folder to send (never
one outside it), its content type, and which hosts may ask."""

from __future__ import annotations

import ipaddress
import mimetypes
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

ALLOWED_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
# Explicit content types, so the answer never depends on the machine's mime.types.
CONTENT_TYPES: Mapping[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
    ".xsl": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
    ".mp3": "audio/mpeg",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".wasm": "application/wasm",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a request path names: a file to send, a redirect, or nothing."""

    file: Path | None = None
    url_path: str = ""  # the URL path of ``file`` (quoted), for the live-reload script
    redirect: str | None = None


def normalise_base(base_path: str) -> str:
    """Decoded, with a single leading and trailing slash: "news" -> "/news/"."""
    path = unquote(base_path).strip("/")
    return f"/{path}/" if path else "/"


def quote_path(path: str) -> str:
    """A decoded URL path, percent-encoded the way browsers show it."""
    return quote(path, safe="/!$&'()*+,;=:@~")


def url_path(base: str, rel: str) -> str:
    """Output-relative file path -> its URL path: "2026/x/index.html" -> "/2026/x/"."""
    rel = posixpath.normpath(rel.replace("\\", "/")).lstrip("/")
    if rel == ".":
        rel = ""
    if rel == "index.html":
        rel = ""
    elif rel.endswith("/index.html"):
        rel = rel[: -len("index.html")]
    return quote_path(base + rel)


def resolve(root: Path, base: str, rel: str) -> Resolved:
    """The file under ``root`` that the decoded, base-relative URL path ``rel``
    names, or a redirect to the directory form; nothing if it is missing or
    would lie outside ``root``."""
    norm = posixpath.normpath(rel) if rel else "."
    if norm.startswith("/") or norm == ".." or norm.startswith("../"):
        return Resolved()
    parts = [] if norm == "." else norm.split("/")
    if any(p.startswith(".") and p != ".well-known" for p in parts):
        return Resolved()  # hidden files (a gh-pages .git, say) are never served
    try:
        top = root.resolve()
        target = (root / norm).resolve()
        if not target.is_relative_to(top):
            return Resolved()
        clean = "/".join(parts)
        if target.is_dir():
            index = (target / "index.html").resolve()
            if not index.is_relative_to(top) or not index.is_file():
                return Resolved()  # never a directory listing
            url = quote_path(base + (clean + "/" if clean else ""))
            if rel and not rel.endswith("/"):
                return Resolved(redirect=url)
            return Resolved(file=index, url_path=url)
        if rel.endswith("/") or not target.is_file():
            return Resolved()
    except (OSError, RuntimeError):  # a symlink loop, a name too long
        return Resolved()
    return Resolved(file=target, url_path=url_path(base, clean))


def content_type(name: str, mime: mimetypes.MimeTypes) -> str:
    suffix = posixpath.splitext(name.lower())[1]
    known = CONTENT_TYPES.get(suffix)
    if known is not None:
        return known
    guessed, encoding = mime.guess_type(name, strict=False)
    if guessed is None or encoding is not None:
        return DEFAULT_CONTENT_TYPE
    return guessed + "; charset=utf-8" if guessed.startswith("text/") else guessed


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return address == "localhost"


def host_allowed(host: str | None, allowed: frozenset[str] = ALLOWED_HOSTS) -> bool:
    """One of the ``allowed`` names (by default ``localhost``, ``127.0.0.1``
    or ``[::1]``), with or without a port."""
    if not host:
        return False
    host = host.strip().lower()
    if host.startswith("["):
        name, bracket, port = host.partition("]")
        name += bracket
    else:
        name, _, port = host.partition(":")
        port = ":" + port if port else ""
    if port and not (port.startswith(":") and port[1:].isdigit()):
        return False
    return name in allowed
