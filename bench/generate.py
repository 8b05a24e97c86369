"""Generate a seeded synthetic news site for benchmarks.

    python bench/generate.py --articles 10000 --out bench/sites/10k

Articles of about 600 words with 1-4 of 200 tags, spread over the years before
2026-11-24, a few with a table or a code block. Paragraphs are drawn from
../shared/corpus when it is there (the texts stay outside the repository),
otherwise from a built-in word list. The same seed gives the same site.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
WORDS = [
    "government",
    "parliament",
    "minister",
    "budget",
    "defence",
    "energy",
    "climate",
    "harbour",
    "ferry",
    "island",
    "election",
    "vote",
    "committee",
    "report",
    "growth",
    "inflation",
    "bank",
    "rate",
    "museum",
    "theatre",
    "festival",
    "city",
    "council",
    "police",
    "court",
    "ruling",
    "agreement",
    "treaty",
    "border",
    "fisheries",
    "quota",
    "airport",
    "runway",
    "wind",
    "turbine",
    "grid",
    "cable",
    "data",
    "research",
    "school",
    "hospital",
    "strike",
    "union",
    "wage",
    "market",
    "export",
    "company",
    "shares",
    "investors",
    "analysts",
]


def corpus_paragraphs() -> list[str]:
    paragraphs: list[str] = []
    if not CORPUS.is_dir():
        return paragraphs
    for path in sorted(CORPUS.glob("*.md")):
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        parts = text.split("---\n", 2)
        if len(parts) < 3:
            continue
        for para in parts[2].split("\n\n"):
            para = para.strip()
            if 200 < len(para) < 1200 and not para.startswith(("#", "|", "!", "<", "```")):
                paragraphs.append(para)
    return paragraphs


def make_paragraph(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90))).capitalize() + "."


def generate(count: int, out: Path, seed: int = 1, search: bool = False) -> None:
    """A site of ``count`` articles in ``out``. Without ``search`` the site
    says ``search: false``: the peers it is compared with build no search
    index, and Pagefind's index is measured on its own (bench/search.py)."""
    rng = random.Random(seed)
    paragraphs = corpus_paragraphs()
    tags = [f"Topic {i:03d}" for i in range(200)]
    weights = [1 / (i + 1) for i in range(200)]  # a few big tags, a long tail
    if out.exists():
        shutil.rmtree(out)
    content = out / "content"
    content.mkdir(parents=True)
    (out / "site.yaml").write_text(
        'title: "Bench Digest"\nbase_url: "https://bench.example/"\nper_page: 20\n'
        + ("" if search else "search: false\n"),
        encoding="utf-8",
    )
    end = dt.datetime(2026, 11, 24, 18, 0, tzinfo=dt.UTC)
    for i in range(count):
        date = end - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 365 * 3))
        chosen = sorted(set(rng.choices(tags, weights=weights, k=rng.randint(1, 4))))
        words = 0
        body: list[str] = []
        while words < 600:
            para = rng.choice(paragraphs) if paragraphs else make_paragraph(rng)
            body.append(para)
            words += len(para.split())
        if i % 50 == 0:
            body.insert(2, "| Year | Value |\n|---|---:|\n| 2025 | 1.4 |\n| 2026 | 1.9 |")
        if i % 97 == 0:
            body.insert(3, "```python\ndef total(xs):\n    return sum(xs)\n```")
        headline = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 10))).capitalize()
        headline = f"{headline} {i}"
        front = [
            "---",
            f'headline: "{headline}"',
            f"date: {date.isoformat()}",
            "tags: [" + ", ".join(chosen) + "]",
            f'standfirst: "{re.sub(r"[^A-Za-z ]", "", body[0])[:140].strip()}"',
            f"author: Writer {rng.randint(1, 40)}",
            "---",
            "",
        ]
        folder = content / f"{date.year}" / f"{date.month:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"article-{i:06d}.md").write_text(
            "\n".join(front) + "\n\n".join(body) + "\n", encoding="utf-8"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.articles, args.out, args.seed)


if __name__ == "__main__":
    main()
