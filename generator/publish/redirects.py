"""Redirects, written directly as bytes: a small page at each old URL, and
``_redirects`` at the output root for the hosts that read one (Netlify,
Cloudflare Pages), which then answer 301 before the page is ever served."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from generator.model import Teaser

REDIRECTS_FILE = "/_redirects"


def redirect_page(context: Mapping[str, Any]) -> bytes:
    """A page that sends readers (and search engines) to the article: a
    refresh, the canonical URL, a plain link, and noindex."""
    article: Teaser = context["article"]
    url, permalink = escape(article.url), escape(article.permalink)
    headline = escape(article.headline)
    return (
        "<!doctype html>\n"
        f'<html lang="{escape(context["language"])}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>{headline}</title>\n"
        '<meta name="robots" content="noindex">\n'
        f'<link rel="canonical" href="{permalink}">\n'
        f'<meta http-equiv="refresh" content="0; url={url}">\n'
        "</head>\n"
        "<body>\n"
        f'<p>This article has moved: <a href="{url}">{headline}</a></p>\n'
        "</body>\n"
        "</html>\n"
    ).encode()


def redirects_file(context: Mapping[str, Any]) -> bytes:
    """One line per old URL: ``/old/path/ /new/path/ 301``."""
    lines: tuple[tuple[str, str], ...] = context["redirects"]
    return "".join(f"{old} {new} 301\n" for old, new in lines).encode("utf-8")


PRODUCERS = {"redirect": redirect_page, "redirects_file": redirects_file}
