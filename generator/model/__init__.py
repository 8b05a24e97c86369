"""Stage 3, model: parsed articles + settings -> ``Site``.

Two steps, each pure (no I/O, no Jinja), each returning its problems as
diagnostics:

- ``build_structure`` (structure.py) orders the articles, decides every URL,
  groups the tags and finds each article's neighbours, from the articles'
  skeletons alone;
- ``make_items`` (items.py) makes each article's teaser and article: its
  text, its tags as written, its links resolved to URLs.

A ``Site`` makes an article's items when they are first asked for, so a
build that renders a few pages makes only the items those pages show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar

from generator.config import SiteConfig
from generator.diagnostics import Diagnostic
from generator.load import CONTENT_DIR, AssetFile, SiteFiles
from generator.model.items import (
    Article,
    ArticleView,
    TagRef,
    Teaser,
    check_links,
    check_scheduled,
    item_reads,
    make_items,
)
from generator.model.structure import (
    Neighbours,
    Placed,
    Skeleton,
    Structure,
    Tag,
    build_structure,
    skeleton,
    structure_key,
)
from generator.parse import ParsedArticle

__all__ = [
    "Article",
    "ArticleView",
    "Items",
    "Neighbours",
    "Placed",
    "Site",
    "Skeleton",
    "Structure",
    "Tag",
    "TagRef",
    "Teaser",
    "asset_paths",
    "build_structure",
    "check_links",
    "check_scheduled",
    "item_reads",
    "make_items",
    "skeleton",
    "structure_key",
]

Items = tuple[Teaser, Article, list[Diagnostic]]
T = TypeVar("T", Teaser, Article)


class Site:
    """The model of a site: its settings, its structure, its assets, and
    each published article's teaser and article (``teasers`` and
    ``articles``, by source, newest first), made from the parsed article
    (``parsed``) when first asked for. ``items`` makes them (by default,
    ``make_items``; the preview passes one that reuses the last build's)."""

    def __init__(
        self,
        config: SiteConfig,
        structure: Structure,
        assets: tuple[AssetFile, ...],
        parsed: Callable[[str], ParsedArticle],
        items: Callable[[ParsedArticle], Items] | None = None,
    ) -> None:
        self.config = config
        self.structure = structure
        self.assets = assets
        self._parsed = parsed
        self._make = items or (lambda p: make_items(config, structure, p))
        self._made: dict[str, Items] = {}
        self.teasers: Mapping[str, Teaser] = _View(self, lambda made: made[0])
        self.articles: Mapping[str, Article] = _View(self, lambda made: made[1])

    def items(self, source: str) -> Items:
        made = self._made.get(source)
        if made is None:
            made = self._made[source] = self._make(self._parsed(source))
        return made

    def make_all(self) -> list[Diagnostic]:
        """Every article's items, and their problems (broken links)."""
        diags: list[Diagnostic] = []
        for placed in self.structure.articles:
            diags += self.items(placed.source)[2]
        return diags

    def problems(self) -> list[Diagnostic]:
        """The problems of the items made so far."""
        return [d for made in self._made.values() for d in made[2]]


class _View(Mapping[str, T], Generic[T]):
    """The teasers or the articles of a site, by source."""

    def __init__(self, site: Site, pick: Callable[[Items], T]) -> None:
        self._site = site
        self._pick: Callable[[Items], T] = pick

    def __getitem__(self, source: str) -> T:
        if source not in self._site.structure.placed:
            raise KeyError(source)
        return self._pick(self._site.items(source))

    def __iter__(self) -> Iterator[str]:
        return (p.source for p in self._site.structure.articles)

    def __len__(self) -> int:
        return len(self._site.structure.articles)


def asset_paths(files: SiteFiles) -> frozenset[str]:
    """The content-relative paths of the content files copied as they are."""
    return frozenset(a.dest for a in files.assets if a.rel.startswith(CONTENT_DIR + "/"))
