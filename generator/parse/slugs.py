"""Slugs: the ASCII words that go into URLs.

``Ærø`` becomes ``aero`` and ``日本`` becomes ``riben`` (anyascii transliterates),
so URLs stay readable in every language and safe on every static host.
"""

from __future__ import annotations

import functools
import re

from anyascii import anyascii

_NON_WORD = re.compile(r"[^a-z0-9]+")
MAX_SLUG_LENGTH = 80


def slugify(text: str, *, max_length: int = MAX_SLUG_LENGTH) -> str:
    """Lower-case ASCII words joined by ``-``; ``""`` when nothing is left."""
    ascii_text = anyascii(text).replace("'", "").lower()
    slug = _NON_WORD.sub("-", ascii_text).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        # Cut at a word boundary when one is reasonably close.
        boundary = cut.rfind("-")
        slug = cut[:boundary] if boundary > max_length // 2 else cut
        slug = slug.strip("-")
    return slug


@functools.lru_cache(maxsize=4096)  # a site has a few hundred tags, on every article
def tag_key(name: str) -> str:
    """Tags that differ only in case, spacing or punctuation share this key."""
    return slugify(name, max_length=200)
