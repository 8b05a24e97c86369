"""``digest new``: start an article with its front matter filled in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from generator.load import CONTENT_DIR
from generator.parse.slugs import slugify


class NewArticleError(Exception):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class FrontMatter:
    """What ``digest new`` writes at the top of the article; empty text is
    written as "" for the editor to fill in (or, for a section, left out)."""

    headline: str
    date: dt.datetime
    tags: tuple[str, ...] = ()
    author: str = ""
    standfirst: str = ""
    section: str = ""
    draft: bool = False
    # Follows the article across a rename of its file, so its old URLs keep
    # leading to it (the URL record, generator/record.py): "" makes one.
    id: str = ""

    def lines(self) -> list[str]:
        lines = [
            f"headline: {_quoted(self.headline)}",
            f"date: {self.date.isoformat(timespec='seconds')}",
            "tags: [" + ", ".join(_quoted(t) for t in self.tags) + "]",
            f"standfirst: {_quoted(self.standfirst)}",
            f"author: {_quoted(self.author)}",
        ]
        if self.section:
            lines.append(f"section: {_quoted(self.section)}")
        if self.draft:
            lines.append("draft: true")
        if self.id:
            lines.append(f"id: {self.id}")
        return lines


# What YAML refuses to read even inside quotes (it must be written as \uXXXX).
_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _quoted(text: str) -> str:
    """``text`` on one line as a YAML double-quoted scalar, whatever it holds:
    colons, quotes, "#", backslashes, control characters. A JSON string is
    one, once the characters YAML will not read raw are escaped too."""
    text = " ".join(text.split()).encode("utf-8", "replace").decode("utf-8")
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", quoted)


def new_id(date: dt.datetime) -> str:
    """A short id, unique in practice: the day, and 24 random bits
    ("20261124-3f9a1c"). Two alike are an error at build, never a mix-up."""
    return f"{date:%Y%m%d}-{secrets.token_hex(3)}"


def new_article(site_dir: Path, front: FrontMatter) -> Path:
    """Create ``content/YYYY-MM-DD-slug.md``; never overwrite an existing file."""
    headline = " ".join(front.headline.split())
    if not headline:
        raise NewArticleError("the headline is empty")
    slug = slugify(headline)
    if not slug:
        raise NewArticleError("the headline has no letters or digits to make a file name from")
    path = site_dir / CONTENT_DIR / f"{front.date:%Y-%m-%d}-{slug}.md"
    if not front.id:
        front = dataclasses.replace(front, id=new_id(front.date))
    lines = ["---", *front.lines(), "---", "", "Write the article here.", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(lines))
    except FileExistsError:
        raise NewArticleError(f"{path} already exists; not overwriting it") from None
    return path
