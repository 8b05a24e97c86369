"""A planned context made real: every reference to an article replaced by what
it stands for (its teaser, its article with the body, its feed entry).

This is the only place where an article's content meets a page: whatever a
layout sees of an article came through a reference the job declared.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from generator.config import SiteConfig
from generator.model.items import view
from generator.model.refs import ArticleRef, EntryRef, Items, Ref, SummaryRef, TeaserRef
from generator.plan.jobs import ArticlePage
from generator.publish.feeds import feed_entry

_ATOMS = frozenset({str, int, float, bool, type(None)})


def materialize(value: Any, items: Items, config: SiteConfig) -> Any:
    """``value`` with every reference replaced; the rest shared, not copied."""
    cls = type(value)
    if cls is TeaserRef:  # the most common by far: a list page's twenty
        return items.teasers[value]
    if cls in _ATOMS:
        return value
    if isinstance(value, Ref):
        return _resolve(value, items, config)
    if cls is ArticlePage:
        article = items.articles[value.article]
        return view(
            article,
            items.body(article),
            related=tuple(items.teasers[s] for s in value.related),
            prev=items.teasers[value.prev] if value.prev else None,
            next=items.teasers[value.next] if value.next else None,
        )
    if cls is tuple:
        new = tuple(materialize(v, items, config) for v in value)
        return value if all(a is b for a, b in zip(new, value, strict=True)) else new
    if cls is dict:
        return {k: materialize(v, items, config) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for name in getattr(value, "refs_in", value.__dataclass_fields__):
            old = getattr(value, name)
            new = materialize(old, items, config)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


def _resolve(ref: Ref, items: Items, config: SiteConfig) -> Any:
    if isinstance(ref, TeaserRef):
        return items.teasers[ref]
    if isinstance(ref, ArticleRef):
        return items.articles[ref]
    if isinstance(ref, EntryRef):
        article = items.articles[ref]
        return feed_entry(config, article, items.body(article))
    if isinstance(ref, SummaryRef):
        return feed_entry(config, items.teasers[ref], None)
    raise TypeError(f"unknown reference {type(ref).__name__}")
