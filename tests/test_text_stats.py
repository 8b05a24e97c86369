"""The word count and summary of a body (``_text_stats``, made faster in
one pass over the text) are what the former code gave, on the example site,
the corpus and edge cases."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
from markdown_it.token import Token

from generator.parse.markdown import SUMMARY_WORDS, MarkdownRenderer, _text_stats, shorten
from tests.conftest import CORPUS, REPO, article_bodies, require


def _corpus() -> list[tuple[str, str]]:
    require(CORPUS.is_dir(), f"the shared corpus at {CORPUS}")
    return article_bodies(CORPUS)


# --- word count and summary -------------------------------------------------

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_SPACES = re.compile(r"[^\S\u202f]+")


def _reference_stats(tokens: Sequence[Token]) -> tuple[int, str]:
    """_text_stats as it was before it was made faster: one block at a time."""
    words, summary = 0, ""
    for index, token in enumerate(tokens):
        if token.type == "inline":
            parts = []
            for child in token.children or ():
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
            text = " ".join(w for w in _SPACES.split("".join(parts)) if w)
            words += len(_WORD.findall(text)) + len(_CJK.findall(text)) // 2
            previous = tokens[index - 1] if index else None
            if (
                not summary
                and previous is not None
                and previous.type == "paragraph_open"
                and previous.level == 0
                and text.strip()
            ):
                summary = shorten(text, SUMMARY_WORDS)
        elif token.type in ("fence", "code_block"):
            words += len(_WORD.findall(token.content))
    return words, summary


_STATS_CASES = [
    "\u202f\n\nThe real first paragraph.",
    "« Bonjour\u202f» dit-il\u202f: oui\u202f!",
    "日本語のテキスト\n\n中文 and English\n\n한국어",
    "> quoted first\n\nthen the summary",
    "- a list\n- first\n\nthen text",
    " ".join(["word"] * 60) + ".",
    "```\ncode words here\n```\n\n    indented code\n\n`inline code` text",
    "a  \nhard break\nand soft",
    "",
]


@pytest.mark.parametrize("typography", [False, True])
def test_word_count_and_summary_are_as_before(typography: bool) -> None:
    md = MarkdownRenderer(typography=typography, language="fr")._md(None)
    bodies = [text for _, text in article_bodies(REPO / "content")] + _STATS_CASES
    if CORPUS.is_dir():
        bodies += [text for _, text in article_bodies(CORPUS)]
    for body in bodies:
        tokens = md.parse(body, {"refs": [], "dir": "", "first_line": 1})
        assert _text_stats(tokens) == _reference_stats(tokens), body[:200]
