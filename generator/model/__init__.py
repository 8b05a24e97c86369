"""Stage 3, model: parsed articles + settings -> ``Site``.

Two steps, each pure (no I/O, no Jinja), each returning its problems as
diagnostics:

- ``build_structure`` (structure.py) orders the articles, decides every URL,
  groups the tags and finds each article's neighbours, from the articles'
  skeletons alone;
- ``make_items`` (items.py) makes each article's teaser and article: its
  text, its tags as written, its links resolved to URLs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from generator.config import SiteConfig
from generator.diagnostics import Diagnostic
from generator.frozen import FrozenDict
from generator.load import CONTENT_DIR, AssetFile, SiteFiles
from generator.model.items import Article, ArticleView, TagRef, Teaser, make_items
from generator.model.structure import (
    Neighbours,
    Placed,
    Skeleton,
    Structure,
    Tag,
    build_structure,
    skeleton,
)
from generator.parse import ParsedArticle

__all__ = [
    "Article",
    "ArticleView",
    "Neighbours",
    "Placed",
    "Site",
    "Skeleton",
    "Structure",
    "Tag",
    "TagRef",
    "Teaser",
    "asset_paths",
    "build_site",
    "build_structure",
    "make_items",
    "skeleton",
]

Items = tuple[Teaser, Article, list[Diagnostic]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    config: SiteConfig
    structure: Structure
    teasers: Mapping[str, Teaser]  # by source, newest first
    articles: Mapping[str, Article]  # by source, newest first
    assets: tuple[AssetFile, ...]


def asset_paths(files: SiteFiles) -> frozenset[str]:
    """The content-relative paths of the content files copied as they are."""
    return frozenset(a.dest for a in files.assets if a.rel.startswith(CONTENT_DIR + "/"))


def build_site(
    config: SiteConfig,
    parsed: Sequence[ParsedArticle],
    files: SiteFiles,
    *,
    structure: Structure | None = None,
    items: Callable[[ParsedArticle], Items] | None = None,
) -> tuple[Site, list[Diagnostic]]:
    """The site of the published articles ``parsed``. A caller that knows
    the structure (the same skeletons, settings and files as before) passes
    it, and may make each article's items its own way (``items``, given
    the article: the same answer as ``make_items``)."""
    diags: list[Diagnostic] = []
    if structure is None:
        structure, diags = build_structure(
            config, [skeleton(p) for p in parsed], asset_paths(files), files.content_paths
        )
    by_source = {p.source: p for p in parsed}
    teasers: dict[str, Teaser] = {}
    articles: dict[str, Article] = {}
    for placed in structure.articles:
        p = by_source[placed.source]
        teaser, article, item_diags = (
            items(p) if items is not None else make_items(config, structure, p)
        )
        diags += item_diags
        teasers[p.source] = teaser
        articles[p.source] = article
    site = Site(
        config=config,
        structure=structure,
        teasers=FrozenDict(teasers),
        articles=FrozenDict(articles),
        assets=files.assets,
    )
    return site, diags
