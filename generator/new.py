"""``digest new``: start an article with its front matter filled in."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from generator.load import CONTENT_DIR
from generator.parse.slugs import slugify


class NewArticleError(Exception):
    pass


def _quoted(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: safe for any headline.
    return json.dumps(text, ensure_ascii=False)


def new_article(
    site_dir: Path,
    headline: str,
    *,
    tags: list[str],
    now: dt.datetime,
    draft: bool = False,
) -> Path:
    """Create ``content/YYYY-MM-DD-slug.md``; never overwrite an existing file."""
    headline = " ".join(headline.split())
    if not headline:
        raise NewArticleError("the headline is empty")
    slug = slugify(headline)
    if not slug:
        raise NewArticleError("the headline has no letters or digits to make a file name from")
    path = site_dir / CONTENT_DIR / f"{now:%Y-%m-%d}-{slug}.md"
    lines = [
        "---",
        f"headline: {_quoted(headline)}",
        f"date: {now.isoformat(timespec='seconds')}",
        "tags: [" + ", ".join(_quoted(t) for t in tags) + "]",
        'standfirst: ""',
        'author: ""',
    ]
    if draft:
        lines.append("draft: true")
    lines += ["---", "", "Write the article here.", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(lines))
    except FileExistsError:
        raise NewArticleError(f"{path} already exists; not overwriting it") from None
    return path
