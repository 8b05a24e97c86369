"""The fast Markdown path (generator/parse/fastmd.py, mdtree.py) gives what
markdown-it-py gives, byte for byte, and the word count and summary are
what they were."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from generator.parse import fastmd
from generator.parse.markdown import SUMMARY_WORDS, MarkdownRenderer, _text_stats, shorten
from tests.conftest import CORPUS, REPO, require


def _bodies(folder: Path) -> list[tuple[str, str]]:
    """(name, body) of every article under ``folder``: the text after its
    front matter, as the parser hands it to the renderer."""
    out = []
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---"):
            end = text.find("\n---", 3)
            text = text[text.find("\n", end + 1) + 1 :]
        out.append((path.name, text))
    return out


def _corpus() -> list[tuple[str, str]]:
    require(CORPUS.is_dir(), f"the shared corpus at {CORPUS}")
    return _bodies(CORPUS)


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
    md, _ = MarkdownRenderer(typography=typography, language="fr", fast=False)._md(None)
    bodies = [text for _, text in _bodies(REPO / "content")] + _STATS_CASES
    if CORPUS.is_dir():
        bodies += [text for _, text in _bodies(CORPUS)]
    for body in bodies:
        tokens = md.parse(body, {"refs": [], "dir": "", "first_line": 1})
        assert _text_stats(tokens) == _reference_stats(tokens), body[:200]


# --- the fast path gives markdown-it-py's bytes -------------------------------


def _pair(**options: object) -> tuple[MarkdownRenderer, MarkdownRenderer]:
    """A renderer on the fast path and one on markdown-it-py's, alike otherwise."""
    require(fastmd.available(), "markdown_it_pyrs (pip install markdown-it-pyrs)")
    return MarkdownRenderer(**options, fast=True), MarkdownRenderer(**options, fast=False)  # type: ignore[arg-type]


def _assert_same(fast: MarkdownRenderer, reference: MarkdownRenderer, name: str, body: str) -> None:
    got, got_html = fast.render(body, content_path=f"2026/{name}", first_line=7)
    want, want_html = reference.render(body, content_path=f"2026/{name}", first_line=7)
    assert got_html.decode() == want_html.decode(), name
    assert got == want, name  # refs (targets, lines), words, summary, the HTML's digest


def _fast_share(renderer: MarkdownRenderer) -> float:
    paths = renderer.paths
    return paths.fast / (paths.fast + sum(paths.fallback.values()))


@pytest.mark.parametrize(
    "options",
    [
        {"typography": True, "language": "en"},
        {"typography": True, "language": "fr"},
        {"typography": False},
    ],
    ids=["typography-en", "typography-fr", "plain"],
)
def test_the_example_site_renders_the_same(options: dict[str, object]) -> None:
    fast, reference = _pair(**options)
    bodies = _bodies(REPO / "content")
    for name, body in bodies:
        _assert_same(fast, reference, name, body)
    # every example article takes it, but the one with footnotes
    assert fast.paths.fast == len(bodies) - 1, fast.paths
    assert fast.paths.fallback == {"text '[^'": 1}
    assert reference.paths.fast == 0


@pytest.mark.parametrize(
    "options",
    [
        {"typography": True, "language": "en"},
        {"typography": True, "language": "de"},
        {"typography": True, "language": "fr"},
        {"typography": False},
    ],
    ids=["typography-en", "typography-de", "typography-fr", "plain"],
)
def test_the_corpus_renders_the_same(options: dict[str, object]) -> None:
    fast, reference = _pair(**options)
    for name, body in _corpus():
        _assert_same(fast, reference, name, body)
    assert _fast_share(fast) > 0.85, fast.paths  # 404 of 453 when this was written


def test_a_footnote_takes_markdown_it_py_and_renders_the_same() -> None:
    fast, reference = _pair(typography=True)
    body = 'A claim.[^1] "Quoted."\n\n[^1]: The source -- a book.\n'
    _assert_same(fast, reference, "notes.md", body)
    assert fast.paths.fast == 0
    assert fast.paths.fallback == {"text '[^'": 1}
    assert (
        '<section class="footnotes">'
        in fast.render(body, content_path="a.md", first_line=1)[1].decode()
    )


def test_a_no_break_space_markdown_it_strips_takes_markdown_it_py() -> None:
    """markdown-it-py strips a paragraph with str.strip (a no-break space
    goes too), the Rust port keeps it: the converter sees it and falls back."""
    fast, reference = _pair(typography=True)
    _assert_same(fast, reference, "nbsp.md", "\u00a0**Bold** start.\n")
    assert fast.paths.fallback == {"text starting or ending with a Unicode space": 1}


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_without_the_rust_parser_a_build_gives_the_same_bytes(tmp_path: Path) -> None:
    """The example site built three ways: the fast path (the default), without
    markdown_it_pyrs (not importable: every body takes markdown-it-py's
    parse), and with --shortcuts none. The same bytes each time."""
    require(fastmd.available(), "markdown_it_pyrs (pip install markdown-it-pyrs)")
    site = tmp_path / "site"
    for part in ("content", "layouts"):
        if (REPO / part).is_dir():
            shutil.copytree(REPO / part, site / part)
    shutil.copy(REPO / "site.yaml", site / "site.yaml")

    def build(name: str, *args: str, hide_rust: bool = False) -> dict[str, bytes]:
        hide = "sys.modules['markdown_it_pyrs'] = None; " if hide_rust else ""
        script = (
            f"import sys; {hide}from generator.cli import main; "
            "site, output, *more = sys.argv[1:]; "
            "sys.exit(main(['build', '--site', site, '--output', output, *more]))"
        )
        output = tmp_path / name
        command = [sys.executable, "-c", script, str(site), str(output), *args]
        done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
        assert done.returncode == 0, done.stderr
        written = _tree(output)
        assert len(written) > 20
        return written

    fast = build("fast")
    assert fast == build("plain", hide_rust=True)
    assert fast == build("none", "--shortcuts", "none")


# --- generated Markdown ---------------------------------------------------------

_WORDS = st.sampled_from(
    ["news", "Straße", "café", "日本語", "naïve", "x", "1990", "a1", "l'été", "it's", "rock'n'roll"]
)
_ATOMS = st.one_of(
    _WORDS,
    st.sampled_from(
        [
            " ",
            " ",
            " ",
            "\n",
            "  \n",
            "\\\n",
            '"',
            "'",
            "--",
            "---",
            "...",
            "....",
            "-",
            ",",
            "!",
            "?",
            ":",
            ";",
            "(",
            ")",
            "*",
            "_",
            "**",
            "__",
            "[",
            "]",
            "<",
            ">",
            "&",
            "#",
            "\\",
            "\\*",
            '\\"',
            "\\-",
            "\\a",
            "&amp;",
            "&copy;",
            "&#35;",
            "&#x27;",
            "&quot;",
            "&nbsp;",
            "&bogus;",
            "\u00a0",
            "\u202f",
            "« ",
            " »",
            "https://example.org/a_b?c=d",
            "www.example.org",
            "<https://example.org/x>",
            "<mail@example.org>",
            "<b>",
            "</b>",
            '<span class="k">',
            "<!-- note -->",
            "[ref]",
            "[text][ref]",
            "[ref][]",
        ]
    ),
)
_DESTINATIONS = st.sampled_from(
    [
        "other.md",
        "../2025/old.md#part",
        "/about/",
        "images/map.png",
        "https://example.org/a?b=c",
        "<a b.md>",
        "a%20b.md",
        "café.md",
        "http://x.org:8080/p",
        "mailto:a@b.org",
        "#top",
        "",
        "https://xn--caf-dma.example/",
        "HTTP://EXAMPLE.ORG/",
        "java\\script:x",
        "https://example.org/ü?q=ä ö",
    ]
)


@st.composite
def _inline(draw: st.DrawFn, depth: int = 0) -> str:
    parts = draw(st.lists(_ATOMS, min_size=1, max_size=8))
    if depth < 2:
        for _ in range(draw(st.integers(0, 3))):
            inner = draw(_inline(depth + 1))
            kind = draw(st.integers(0, 9))
            # a code span: no backtick inside, most of the time
            if kind in (5, 6) and draw(st.integers(0, 4)):
                inner = inner.replace("`", "").replace("\n", " ").rstrip("\\")
            dest = draw(_DESTINATIONS)
            title = draw(st.sampled_from(["", ' "A title"', " 'it''s'", ' (paren "q")']))
            wrapped = [
                f"*{inner}*",
                f"**{inner}**",
                f"_{inner}_",
                f"__{inner}__",
                f"[{inner}][ref]",
                f"`{inner}`",
                f"``{inner}``",
                f"[{inner}]({dest}{title})",
                f"![{inner}]({dest}{title})",
                f"***{inner}***",
            ][kind]
            parts.insert(draw(st.integers(0, len(parts))), wrapped)
    # mostly words apart: a delimiter between two letters falls back
    return draw(st.sampled_from([" ", " ", " ", ""])).join(parts)


def _one_line(text: str) -> str:
    return text.replace("\n", " ")


@st.composite
def _block(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 11 if depth < 2 else 7))
    text = draw(_inline())
    if kind == 0:
        return text
    if kind == 1:
        return f"{'#' * draw(st.integers(1, 6))} {_one_line(text)}"
    if kind == 2:
        return f"{_one_line(text)}\n{draw(st.sampled_from(['===', '---']))}"
    if kind == 3:
        fence = draw(st.sampled_from(["```", "```", "````"]))
        info = draw(st.sampled_from(["", "python", " js ", "py {.x}", "text\\_x", "nolexer"]))
        return f"{fence}{info}\n{text}\n{fence}"
    if kind == 4:
        return "    " + text.replace("\n", "\n    ")
    if kind == 5:
        return draw(st.sampled_from(["---", "***", "___", "- - -", "* * * *"]))
    if kind == 6:
        columns = draw(st.integers(1, 3))
        aligns = draw(
            st.lists(
                st.sampled_from(["---", ":--", "--:", ":-:"]), min_size=columns, max_size=columns
            )
        )
        cells = [_one_line(draw(_inline())).replace("|", "\\|") for _ in range(columns * 2)]
        head, body = cells[:columns], cells[columns:]
        if draw(st.booleans()):
            body = body[:-1]  # a short row
        return "\n".join(
            [f"| {' | '.join(head)} |", f"| {' | '.join(aligns)} |", f"| {' | '.join(body)} |"]
        )
    if kind == 7:
        return draw(
            st.sampled_from(
                [
                    '[ref]: other.md "Other"',
                    "[ref]: https://example.org/ref",
                    '<div class="box">\n*not* parsed\n</div>',
                    "<!-- a comment -->",
                    "<p>raw</p>",
                ]
            )
        )
    inner = draw(st.lists(_block(depth + 1), min_size=1, max_size=3))
    if kind == 8:
        quoted = "\n\n".join(inner)
        return "\n".join(f"> {line}" if line else ">" for line in quoted.split("\n"))
    marker = draw(st.sampled_from(["-", "*", "+", "1.", "3)", "10."]))
    loose = draw(st.booleans())
    items = []
    for number, item in enumerate(inner):
        bullet = marker if not marker[0].isdigit() else f"{int(marker[:-1]) + number}{marker[-1]}"
        pad = " " * (len(bullet) + 1)
        items.append(bullet + " " + item.replace("\n", "\n" + pad))
    return ("\n\n" if loose else "\n").join(items)


_DOCUMENTS = st.lists(
    st.tuples(_block(), st.sampled_from(["\n\n", "\n\n", "\n", "\n\n\n"])), min_size=1, max_size=6
).map(lambda blocks: "".join(block + sep for block, sep in blocks))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_DOCUMENTS, language=st.sampled_from(["en", "fr", "de"]))
def test_generated_markdown_renders_the_same(body: str, language: str) -> None:
    """Whether a document takes the fast path or falls back, its HTML, links,
    word count and summary are markdown-it-py's."""
    fast, reference = _renderers(language)
    _assert_same(fast, reference, "generated.md", body)


_RENDERERS: dict[str, tuple[MarkdownRenderer, MarkdownRenderer]] = {}


def _renderers(language: str) -> tuple[MarkdownRenderer, MarkdownRenderer]:
    if language not in _RENDERERS:
        _RENDERERS[language] = _pair(typography=True, language=language)
    return _RENDERERS[language]
