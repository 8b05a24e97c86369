"""The lists of the site's desks: a section's articles, an author's, and
what the front page shows besides the latest (its lead story and a block
per section). Rows of the page-kind table (``plan/kinds.py``) call these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from generator.config import SiteConfig
from generator.fingerprint import plain_repr
from generator.frozen import FrozenDict, quick_pickle
from generator.model import Structure
from generator.model.desks import SectionInfo
from generator.model.refs import TeaserRef
from generator.plan.lists import Listing, named_listing

FRONT_BLOCK = 4  # the newest articles a section's block on the front page shows


@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class SectionBlock:
    """A section on the front page: its name and newest articles."""

    refs_in: ClassVar[tuple[str, ...]] = ("items",)  # fields that hold references

    section: SectionInfo
    items: tuple[Any, ...]  # teasers (references to them, in the plan)


@quick_pickle
@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class FrontPage:
    """``front`` on the first page of the index: the lead story and a
    block per section (the lead left out of them)."""

    refs_in: ClassVar[tuple[str, ...]] = ("lead", "sections")  # fields that hold references

    lead: Any  # its teaser (a reference, in the plan), or None on an empty site
    sections: tuple[SectionBlock, ...]


def front_page(structure: Structure) -> Mapping[str, Any]:
    """The first page of the index's extra context."""
    desks = structure.desks
    lead = desks.lead
    blocks = []
    for section in desks.sections:
        members = [s for s in desks.section_members.get(section.key, ()) if s != lead]
        if members:
            items = tuple(TeaserRef(s) for s in members[:FRONT_BLOCK])
            blocks.append(SectionBlock(section=section, items=items))
    front = FrontPage(lead=TeaserRef(lead) if lead else None, sections=tuple(blocks))
    return FrozenDict({"front": front})


def section_listing(config: SiteConfig, structure: Structure, key: str) -> Listing:
    placed = structure.placed
    members = tuple(placed[s] for s in structure.desks.section_members.get(key, ()))
    return named_listing(config, "section", structure.desks.section(key), members)


def author_listing(config: SiteConfig, structure: Structure, slug: str) -> Listing:
    placed = structure.placed
    members = tuple(placed[s] for s in structure.desks.author_members[slug])
    return named_listing(config, "author", structure.desks.author(slug), members)
