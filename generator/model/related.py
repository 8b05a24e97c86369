"""Related articles: the ones sharing the most tags, then the closest in time."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Mapping, Sequence

WINDOW = 60  # per shared tag, look this many articles either side in time


def rank(index: int, tags: Sequence[str], by_tag: Mapping[str, list[int]], limit: int) -> list[int]:
    """The positions (in the newest-first order) of the ``limit`` articles
    most related to the one at ``index``, whose tag slugs are ``tags``;
    ``by_tag`` lists each tag's positions in order.

    Articles sharing the most tags, then the closest in time, then by place.
    Candidates are the articles within ``WINDOW`` of this one in each of its
    tags' lists. Only few of them can make the top ``limit``, so only those
    are ranked: every one that shares two tags or more, and the ``limit``
    nearest on either side in each list. (One sharing a single tag with
    ``limit`` nearer ones on its side has, of those, as many sharing one tag
    as the top places left after the ones sharing more.)"""
    if limit <= 0 or not tags:
        return []
    # How many of the windows each article is in: the tags it shares.
    shared: Counter[int] = Counter()
    near: list[int] = []
    for slug in tags:
        members = by_tag[slug]
        pos = bisect.bisect_left(members, index)
        low, high = max(0, pos - WINDOW), pos + WINDOW + 1
        if len(tags) > 1:
            shared.update(members[low:high])  # a list: counted in C
        near += members[max(low, pos - limit) : pos]
        near += members[pos + 1 : min(high, pos + 1 + limit)]
    if not shared:  # one tag: every candidate shares just it
        return sorted(near, key=lambda o: (abs(o - index), o))[:limit]
    candidates = set(near)
    candidates.update([o for o, count in shared.items() if count > 1])
    candidates.discard(index)
    ranked = sorted([(-shared[o], abs(o - index), o) for o in candidates])
    return [o for _, _, o in ranked[:limit]]
