"""What is published at the build time: a pure function of the articles'
skeletons and that time (passed in: nothing here reads a clock).

An article whose date is later than the build time is *scheduled*: held
back from every output, or, with ``--future``, shown before its time (its
page says so). An article whose ``expires:`` has come is *withdrawn*: it
leaves every list, feed and sitemap, and its URL keeps a page that says so.
``changes_at`` is the next moment one of them goes live or is withdrawn: the
outputs made at this time go stale by themselves then, and a build after it
plans again, with no file changed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.model.structure import Skeleton


@dataclass(frozen=True, slots=True, kw_only=True)
class Timing:
    """The articles as the build time sees them."""

    live: tuple[Skeleton, ...]  # published: in the lists, feeds and sitemaps
    held: tuple[Skeleton, ...]  # scheduled and left out
    ahead: frozenset[str]  # the live ones shown before their time (--future), by source
    withdrawn: tuple[Skeleton, ...]  # expired: a page that says so, nothing more
    changes_at: float  # the next moment one goes live or expires (a timestamp); inf: never

    @property
    def key(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """What the time decided, for the structure's key: with the
        skeletons, it decides the structure."""
        return (
            tuple(s.source for s in self.held),
            tuple(sorted(self.ahead)),
            tuple(s.source for s in self.withdrawn),
        )


def timing(skeletons: Sequence[Skeleton], now: dt.datetime | None, future: bool = False) -> Timing:
    """Which articles are live at ``now``, which are still scheduled (shown
    all the same with ``future``), which are withdrawn, and when that changes
    next. Without a time, every article is live."""
    if now is None:
        return Timing(
            live=tuple(skeletons), held=(), ahead=frozenset(), withdrawn=(), changes_at=math.inf
        )
    live: list[Skeleton] = []
    held: list[Skeleton] = []
    withdrawn: list[Skeleton] = []
    ahead: set[str] = set()
    moments: list[dt.datetime] = []
    for s in skeletons:
        if s.expires is not None and s.expires <= now:
            withdrawn.append(s)
            continue
        if s.expires is not None:
            moments.append(s.expires)
        if s.date > now:
            moments.append(s.date)
            if not future:
                held.append(s)
                continue
            ahead.add(s.source)
        live.append(s)
    return Timing(
        live=tuple(live),
        held=tuple(held),
        ahead=frozenset(ahead),
        withdrawn=tuple(withdrawn),
        changes_at=min(moments).timestamp() if moments else math.inf,
    )
