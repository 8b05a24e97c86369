"""Stage 2, parse: one article file -> ``Parsed``: the validated article, its
body's HTML, and the file's problems with their lines.

Pure: a file's bytes and the parse settings in, plain data out. Nothing here
knows other articles, URLs or layouts, so a result can be cached by the
file's content and the settings (``ParseSettings.key``), and parsed in any
process. The body's HTML travels beside the article, not in it: the model
and the plan carry its digest only, and the render stage fetches it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from generator import __version__
from generator.config import SiteConfig
from generator.diagnostics import Diagnostic, error
from generator.frozen import quick_pickle
from generator.parse.article import ParsedArticle, UnpublishedLinks, for_check, parse_article
from generator.parse.markdown import BodyRef, MarkdownRenderer

__all__ = [
    "BodyRef",
    "ParseSettings",
    "Parsed",
    "ParsedArticle",
    "Parser",
    "UnpublishedLinks",
    "file_digest",
    "for_check",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ParseSettings:
    """Everything besides a file's bytes that its parse depends on."""

    timezone: str
    markdown_html: bool
    highlight: bool
    typography: bool
    language: str  # the site's: sets the quotes of articles without a lang: field
    drafts: bool
    max_tags: int = 50  # an article's tags and authors, at most (limits: in site.yaml)
    max_authors: int = 30
    # Bodies rendered by the fast path where it can (parse/fastmd.py). Not in
    # the key: both paths give the same bytes, so a cached parse serves both.
    fast_markdown: bool = True

    @classmethod
    def of(cls, config: SiteConfig, drafts: bool, *, fast_markdown: bool = True) -> ParseSettings:
        return cls(
            timezone=config.timezone,
            markdown_html=config.markdown_html,
            highlight=config.highlight,
            typography=config.typography,
            language=config.language,
            drafts=drafts,
            max_tags=config.limits.tags,
            max_authors=config.limits.authors,
            fast_markdown=fast_markdown,
        )

    def key(self, digest: str) -> str:
        """The parse cache's key for a file with this content digest."""
        flags = (
            f"{int(self.markdown_html)}{int(self.highlight)}{int(self.typography)}"
            f"{int(self.drafts)}"
        )
        limits = f"{self.max_tags},{self.max_authors}"
        return f"{digest}:{self.timezone}:{self.language}:{flags}:{limits}:{__version__}"


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class Parsed:
    """One article file, parsed."""

    source: str  # site-relative: "content/2026/budget.md"
    digest: str  # sha256 of the bytes parsed; "" when the file could not be read
    article: ParsedArticle | None  # None: not published (errors, or a draft left out)
    body: bytes | None  # the body's HTML, with ``article``
    links: UnpublishedLinks | None  # without ``article`` for its errors: its links, to check
    diagnostics: tuple[Diagnostic, ...]


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Parser:
    """Parses files with one set of settings (one Markdown parser, reused)."""

    def __init__(self, settings: ParseSettings) -> None:
        self.settings = settings
        self._tz = ZoneInfo(settings.timezone)
        self._renderer = MarkdownRenderer(
            html=settings.markdown_html,
            highlight=settings.highlight,
            typography=settings.typography,
            language=settings.language,
            fast=settings.fast_markdown,
        )

    def parse(self, source: str, data: bytes) -> Parsed:
        article, body, links, diags = parse_article(
            source,
            data,
            self._renderer,
            self._tz,
            include_drafts=self.settings.drafts,
            limits=(self.settings.max_tags, self.settings.max_authors),
        )
        return Parsed(
            source=source,
            digest=file_digest(data),
            article=article,
            body=body,
            links=links,
            diagnostics=tuple(diags),
        )

    def unreadable(self, source: str, reason: str) -> Parsed:
        diag = error(source, f"cannot read it: {reason}")
        return Parsed(
            source=source, digest="", article=None, body=None, links=None, diagnostics=(diag,)
        )
