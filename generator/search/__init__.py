"""Search: what of each published article goes into the search index.

The index is made by Pagefind (``search/pagefind.py``) from one small HTML
document per article, written here from the model, never from the rendered
page: the headline, the standfirst and the body are its text; the date,
tags, authors, year and section (when the article has one) are its metadata,
filters and sort key. So the index is the same whatever the layouts are,
and what it was made from is known before anything is rendered: the
article pages' addresses and each article's fingerprint (``index_key``).

Everything here is pure; running Pagefind is in ``search/pagefind.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from generator.config import SiteConfig, format_date
from generator.fingerprint import fingerprint

SEARCH_DIR = "pagefind"  # the index's folder in the output
SEARCH_PATH = "/search/"  # the search page
SEARCH_INPUT = "search"  # the input key of the index's files in the dependency map
# An index file's signature: this, and the index's key for its entry file
# (``pagefind-entry.json``, made anew with every index), its bytes' digest for
# the others (most of which an edit leaves as they are: their rows stay).
SIGNATURE_PREFIX = "search:"
SEARCH_ENTRY = f"{SEARCH_DIR}/pagefind-entry.json"
# How the index is laid out, part of its key: 2 since each article is
# indexed in its own language (an index made before is made again).
INDEX_SCHEME = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchDoc:
    """One article as the index sees it."""

    output: str  # the article page's file in the output: "2026/11/24/budget/index.html"
    headline: str
    standfirst: str | None
    body: str  # HTML, links put in
    date: dt.datetime
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    section: str | None  # the section's name, when the article has one
    language: str  # the index it goes in: its ``lang``'s primary subtag, else the site's


def index_language(config: SiteConfig, lang: str | None = None) -> str:
    """The language an article is indexed in: its own ``lang``, else the
    site's, as its primary subtag (Pagefind names its stemmers so). Pagefind
    makes one index per language, each stemmed in its language; the search
    page searches the site's and merges the others into it."""
    return (lang or config.language).split("-")[0].lower()


def index_key(config: SiteConfig, version: str, articles: Iterable[tuple[str, str, str]]) -> str:
    """What an index is made from: Pagefind's version, the settings it reads
    (language, date format) and each article (source, page, fingerprint)."""
    return fingerprint(
        version,
        INDEX_SCHEME,
        index_language(config),
        config.date_format,
        config.month_names,
        tuple(articles),
    )


def is_index_file(signature: str) -> bool:
    return signature.startswith(SIGNATURE_PREFIX)


def doc_html(config: SiteConfig, doc: SearchDoc) -> str:
    """The document Pagefind indexes for one article: its text in the
    ``data-pagefind-body`` element, its metadata, filters and sort key in
    attributes (``[content]``: a value may hold commas)."""

    def tag(kind: str, name: str, value: str) -> str:
        return f'<meta data-pagefind-{kind}="{name}[content]" content="{escape(value)}">'

    head = [
        tag("meta", "title", doc.headline),
        tag("meta", "date", format_date(doc.date, config)),
        tag("meta", "datetime", doc.date.isoformat()),
        tag("sort", "date", doc.date.isoformat()),
        tag("filter", "year", str(doc.date.year)),
        *(tag("filter", "tag", name) for name in doc.tags),
        *(tag("filter", "author", name) for name in doc.authors),
    ]
    if doc.section:
        head.append(tag("filter", "section", doc.section))
    standfirst = f"<p>{escape(doc.standfirst)}</p>\n" if doc.standfirst else ""
    return (
        f'<!doctype html>\n<html lang="{escape(doc.language)}">\n<head>\n'
        '<meta charset="utf-8">\n'
        f"<title>{escape(doc.headline)}</title>\n" + "\n".join(head) + "\n</head>\n"
        "<body>\n<main data-pagefind-body>\n"
        f"<h1>{escape(doc.headline)}</h1>\n{standfirst}{doc.body}\n</main>\n</body>\n</html>\n"
    )
