"""References to what the model made of an article, by the article's source.

The plan never puts an article's text into an output's context: it puts a
reference there, and the render stage puts the real object in its place. So
what a page shows of the articles is exactly its references, each one an
input of the page with a fingerprint of its own (see ``key``). A reference is
a ``str`` (the source), so a context full of them is still plain data with
one canonical text.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.model.items import Article, Teaser


class Ref(str):
    """An article's source, standing for something made from it."""

    __slots__ = ()
    prefix = ""

    @property
    def key(self) -> str:
        """The input key: ``teaser:content/a.md`` or ``src:content/a.md``."""
        return key(self.prefix, self)


class TeaserRef(Ref):
    """The article's ``Teaser``: what lists show of it."""

    __slots__ = ()
    prefix = "teaser"


class ArticleRef(Ref):
    """The whole ``Article``, body included."""

    __slots__ = ()
    prefix = "src"


class EntryRef(Ref):
    """The article's feed entry with its whole body."""

    __slots__ = ()
    prefix = "src"


class SummaryRef(Ref):
    """The article's feed entry with its summary only (what its teaser says)."""

    __slots__ = ()
    prefix = "teaser"


def key(prefix: str, source: str) -> str:
    # Interned: ten outputs name each article, and at 100,000 articles a
    # string per mention would be a million strings in the dependency map.
    return sys.intern(f"{prefix}:{source}")


def teaser_key(source: str) -> str:
    return key(TeaserRef.prefix, source)


def src_key(source: str) -> str:
    return key(ArticleRef.prefix, source)


class MissingBody(Exception):
    """A body a page needs was not handed over (a bug, never bad content)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Items:
    """What references stand for, for the pages of one render task: the
    model's objects by source, and the bodies (by digest) of the articles
    shown whole."""

    teasers: Mapping[str, Teaser]
    articles: Mapping[str, Article]
    bodies: Mapping[str, bytes]

    def body(self, article: Article) -> bytes:
        data = self.bodies.get(article.body.digest)
        if data is None:
            raise MissingBody(f"no body for {article.source}")
        return data
