"""The fast Markdown path (generator/parse/fastmd.py: the Rust port's HTML,
finished in one scan) gives what markdown-it-py and our rules give, byte
for byte: the HTML, the references, the word count and the summary."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.parse import fastmd
from generator.parse.markdown import MarkdownRenderer, count_words
from generator.parse.mdchecks import LINK_SPACES
from tests.conftest import CORPUS, REPO, article_bodies, require

# The shared corpus sits beside the repository (../shared/corpus); a
# checkout elsewhere names it here.
_CORPUS = Path(os.environ.get("DIGEST_CORPUS", CORPUS))


def _pair(**options: object) -> tuple[MarkdownRenderer, MarkdownRenderer]:
    """A renderer that takes the fast path and one that never does, alike otherwise."""
    require(fastmd.available(), "markdown_it_pyrs (pip install markdown-it-pyrs)")
    return MarkdownRenderer(**options, fast=True), MarkdownRenderer(**options, fast=False)  # type: ignore[arg-type]


def _assert_same(fast: MarkdownRenderer, reference: MarkdownRenderer, name: str, body: str) -> None:
    got, got_html = fast.render(body, content_path=f"2026/{name}", first_line=7)
    want, want_html = reference.render(body, content_path=f"2026/{name}", first_line=7)
    assert got_html.decode() == want_html.decode(), name
    assert got == want, name  # references (targets, lines), words, summary, the HTML's digest


def _share(renderer: MarkdownRenderer) -> float:
    paths = renderer.paths
    return paths.fast / (paths.fast + sum(paths.fallback.values()))


_SETTINGS = [
    {"typography": True, "language": "en"},
    {"typography": True, "language": "de"},
    {"typography": True, "language": "fr"},
    {"typography": False},
    {"typography": True, "language": "en", "highlight": False, "html": False},
]
_IDS = ["en", "de", "fr", "no-typography", "no-highlight-no-html"]


@pytest.mark.parametrize("options", _SETTINGS, ids=_IDS)
def test_the_example_site_renders_the_same(options: dict[str, object]) -> None:
    fast, reference = _pair(**options)
    bodies = article_bodies(REPO / "content")
    for name, body in bodies:
        _assert_same(fast, reference, name, body)
    assert fast.paths.fallback["a relative link or image"] == 3
    assert fast.paths.fallback["text '[^'"] == 1  # footnotes
    assert fast.paths.fast >= len(bodies) - 6, fast.paths
    assert reference.paths.fast == 0


@pytest.mark.parametrize("options", _SETTINGS, ids=_IDS)
def test_the_corpus_renders_the_same(options: dict[str, object]) -> None:
    require(_CORPUS.is_dir(), f"the shared corpus at {_CORPUS}")
    fast, reference = _pair(**options)
    for name, body in article_bodies(_CORPUS):
        _assert_same(fast, reference, name, body)
    # 418 of 453 in English (353 before raw tags, emphasis runs and escapes
    # took the fast path); French: escapes near its spaces or with a URL fall back.
    assert _share(fast) > (0.65 if options.get("language") == "fr" else 0.85), fast.paths


def test_a_generated_bench_site_renders_the_same(tmp_path: Path) -> None:
    """The benchmark's articles (paragraphs of the corpus when it is there,
    a table in one of 50, a code block in one of 97)."""
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    generate.generate(2000, tmp_path / "site")
    fast, reference = _pair(typography=True, language="en")
    for name, body in article_bodies(tmp_path / "site" / "content"):
        _assert_same(fast, reference, name, body)
    # The word list's prose takes the fast path whole; the corpus's
    # paragraphs have tabs, ~~, Unicode spaces, odd destinations (~96% fast).
    least = 0.9 if CORPUS.is_dir() else 1.0
    assert fast.paths.fast >= least * 2000, fast.paths


def test_the_link_spaces_are_every_white_space_python_strips_but_space_and_line_end() -> None:
    """Written out (a scan of every character cost 4 ms of each start-up)."""
    everything = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
    assert sorted(LINK_SPACES) == sorted(set(everything) - {" ", "\n"})


_FALLBACKS = [
    ("A claim.[^1]\n\n[^1]: The source -- a book.\n", "text '[^'"),
    ("An inline note.^[Said so.]\n", "text '^['"),
    ("It was ~~false~~ true.\n", "text '~~'"),
    ("\tcode\n", "text '\\t'"),
    ('A <b class="x">bold</b> "claim".\n', "raw HTML or an autolink"),
    ("See <https://example.org/>.\n", "raw HTML or an autolink"),
    # A tag the fast path knows, at a line's start: it may open an HTML block.
    ("> <u>\n> Underlined -- or not.\n", "raw HTML or an autolink"),
    # "](" then a tag, not a destination: <br> is raw HTML, not a line break.
    ("A ](<br>claim.\n", "raw HTML or an autolink"),
    # No link: the pointy destination is an autolink, whose text typography skips.
    ("x](<https://x.org/it's>) said.\n", "an autolink after ]("),
    (
        '[a](<https://x.org/>"t") said.\n',  # a title to the Rust port alone
        "a title right after a destination in pointy brackets",
    ),
    ("Fish &amp; chips.\n", "an entity"),
    ('He said \\"no\\".\n', "a backslash escape typography would see"),
    ("a \\*-- b\n", "a backslash escape typography would see"),
    ("![a](data:image/gif;base64,R0lGOD)\n", "a data: link"),
    ("![a *b*](https://example.org/i.png)\n", "an image description with markup"),
    ("![\n\u00bb</q>](https://example.org/i.png)\n", "an image description with markup"),
    # The Rust port drops an escaped character from alt: "ab" for both, and
    # markdown-it-py has "a_b" and "a*b".
    (
        "![a\\_b](https://x.org/i.png) and ![a\\*b](https://x.org/j.png)\n",
        "an image description with an escape",
    ),
    ("![a\\b](https://example.org/i.png)\n", "an image description with markup"),
    ("![a  \nb](https://example.org/i.png)\n", "an image description with markup"),  # alt="ab"
    ("> quote\n-\n", "an empty list item"),
    ("A *tm™*s here.\n", "a * or _ run next to a symbol beyond ASCII"),  # emphasis to the port
    ("- a\n- b | c\n|-|-|\n", "a table row or delimiter row without a |"),  # the port: a table
    ("[r]: a|b\n|-|-|\n", "a table row or delimiter row without a |"),  # a table, not for the port
    ("Wait..\\. no.\n", "a backslash escape typography would see"),  # no ellipsis
    ("a --\\* b\n", "a backslash escape typography would see"),  # a dash to markdown-it-py
    # The URL pattern ends at the escape for markdown-it-py: "b--c" is set.
    ("See https://x.org/a\\_b--c\n", "a backslash escape typography would see"),
    ("| news |\n| --- |\n| news |\n3) news\n", "a numbered list right after a table row"),
    ("`  \n` news\n", "a code span of spaces"),
    (">  \n", "an empty block quote"),
    ("\u00a0**Bold** start.\n", "a Unicode space at the edge of a line or cell"),
    ("> \u00a0**Bold** start.\n", "a Unicode space at the edge of a block"),
    (
        "[an article](p-671.html\u00a0) said.\n",
        "a link destination with a Unicode space or a non-ASCII host",
    ),
    (
        "[Byen](https://k\u00f8benhavn.dk/) said.\n",
        "a link destination with a Unicode space or a non-ASCII host",
    ),
    ('[x](https://e.org/ "") said.\n', "an empty link title"),
    # The Rust port: a definition, then text; markdown-it-py: text.
    ('[r]: https://x.org/r.png\n"" said.\n', "an empty title after a link reference definition"),
    (
        "See [r](\n\n[r]: https://x.org/r.png\n",
        "a ( at a line's end after ], with link reference definitions",
    ),
    ("A _\u2028line_ break.\n", "text '\\u2028'"),
    ("[`a\n", "a lone backtick and a bracket"),
    ("See [the other](other.md).\n", "a relative link or image"),
    ("![Map](images/map.png)\n", "a relative link or image"),
]


@pytest.mark.parametrize(("body", "reason"), _FALLBACKS, ids=[r for _, r in _FALLBACKS])
def test_what_the_fast_path_cannot_vouch_for_takes_markdown_it_py(body: str, reason: str) -> None:
    fast, reference = _pair(typography=True, language="en")
    _assert_same(fast, reference, "fallback.md", body)
    assert fast.paths.fast == 0
    assert fast.paths.fallback == {reason: 1}


def test_common_news_prose_takes_the_fast_path() -> None:
    """Quotes, apostrophes, dashes, emphasis, links to https, lists, headings,
    a table and a plain code block: the common case must be fast."""
    body = (
        "# The budget\n\n"
        'The minister said "it\'s done" -- and left... *Really*, she did.\n'
        'See [the report](https://example.org/report?year=2026 "Report").\n\n'
        "## What's in it\n\n"
        "- more for schools\n- less for roads\n\n"
        "| Year | Value |\n|---|---:|\n| 2025 | 1.4 |\n\n"
        "```\nplain code\n```\n\n"
        "```python\nx = 'highlighted'\n```\n\n"
        "> 'Quoted' -- a reader\n"
    )
    for lang in ("en", "de", "fr", "da"):
        fast, reference = _pair(typography=True, language=lang)
        _assert_same(fast, reference, "news.md", body)
        assert fast.paths.fast == 1, fast.paths
    html = fast.render(body, content_path="a.md", first_line=1)[1].decode()
    assert '<h2 id="the-budget">The budget</h2>' in html
    assert '<h3 id="whats-in-it">What’s in it</h3>' in html
    assert '<table tabindex="0">' in html
    assert '<pre tabindex="0"><code>plain code' in html
    assert '<pre tabindex="0"><code class="language-python"><span class="n">x</span>' in html


def test_emphasis_between_letters_of_one_length_takes_the_fast_path() -> None:
    """Runs all of one length pair whole: CommonMark's rule of three, where
    the Rust port differs, never decides them."""
    fast, reference = _pair(typography=True, language="en")
    _assert_same(fast, reference, "names.md", "**Anna Berg**Vorstand, **Ole Lund**Chef.\n")
    assert fast.paths.fast == 1, fast.paths


def test_emphasis_runs_of_any_lengths_take_the_fast_path() -> None:
    """Runs of * of different lengths between letters or punctuation: the
    Rust port pairs them as markdown-it-py does (a run next to a _ run or a
    symbol beyond ASCII falls back)."""
    bodies = [
        '**Slave Shifle**Vorraussetzung: *x* "y"\n',
        "fonds publics\u00a0\u00bb**. Le *\u00ab\u00a0cas\u00a0\u00bb*, it's\n",
        "*a***b*c* and a**b*c, (**foo**)*\n",
        "*foo**bar* and foo******bar*********baz\n",
    ]
    _assert_fast(bodies, "emphasis.md")


def test_escapes_typography_cannot_tell_take_the_fast_path() -> None:
    """Escapes whose character typography sees the same in the HTML's text as
    in markdown-it-py's text_special token: a numbered line's dot, a bracket
    or underscore in a word with a URL but nothing typography sets, a star
    after a single dash."""
    bodies = [
        '2\\. „Statdessen" -- muss ich... 4\\. Die "Beklagte".\n',
        "growth flush. \\[[source](http://hort.ufl.edu/d)\\] it's\n",
        "[https://apolut.net/apolut\\_app.apk](https://apolut.net/a.apk) -- 'x'\n",
        "Gr\u00fc\u00dfe zur\u00fcck :-\\* and \\*\\*not bold\\*\\*\n",
    ]
    _assert_fast(bodies, "escapes.md", french=False)  # French: an escape next to a space falls back


def test_image_descriptions_with_escapes_take_the_fast_path() -> None:
    """The Rust port drops an escaped character from an image's alt
    ("Videokl"); the scan writes markdown-it-py's ("Video_kl")."""
    bodies = [
        "![Video\\_kl](https://example.org/i.png)\n\nIt's ![DSC\\_0508](https://x.org/d.jpg).\n",
        "- ![TOP 5 \\[Werbung\\]](https://x.org/t.jpg) -- 'so'\n",
        "![a\\_b](https://x.org/i.png) and ![a\\_b](https://x.org/i.png) and ![c](https://x.org/c.png)\n",
    ]
    fast = _assert_fast(
        bodies, "images.md", french=False
    )  # French: an escape with a URL falls back
    html = fast.render(bodies[0], content_path="a.md", first_line=1)[1].decode()
    assert '<img src="https://example.org/i.png" alt="Video_kl">' in html


def test_an_escape_in_french_text_with_a_url_takes_markdown_it_py() -> None:
    """The URL is set apart where its text has a quote; French spaces go by
    those pieces, and markdown-it-py's text ends at the escape."""
    fast, reference = _pair(typography=True, language="fr")
    body = "b\u00e9 \u00bba'\"\\.# !https://x.org/x://!\n"
    _assert_same(fast, reference, "french.md", body)
    assert fast.paths.fallback == {"a backslash escape typography would see": 1}


def test_inline_tags_and_pointy_destinations_take_the_fast_path() -> None:
    """Raw HTML of the corpus (superscripts, underlines, subscripts, nine in
    ten of its tags) and link destinations in pointy brackets: markdown-it-py's
    html_inline tokens are the tag's characters to the quotes rule."""
    bodies = [
        'It costs 10 m<sup>2</sup> "per" head -- [<sup>1</sup>](https://x.org/#fn-1).\n',
        "CO<sub>2</sub>-free, said '<u>nobody</u>'.\n\n- a <i>b</i> list's \"item\"\n",
        '# The <u>"title"</u>\n\n| <b>a</b> | "b" |\n|---|---|\n| c<sup>3</sup> | d |\n',
        '[Neil Ferguson](<https://en.wikipedia.org/wiki/Neil_Ferguson_(epidemiologist)>) "said".\n',
        "[CC BY-SA](<https://creativecommons.org/licenses/ by-sa/4.0/>) -- it's\n",
    ]
    _assert_fast(bodies, "tags.md")


@given(
    st.text(st.sampled_from("ab_1 \n\u2019\u201c\u2013\u00a0é日-.'\"€\u0301\u00b2🙂")) | st.text()
)
def test_words_are_counted_as_the_word_pattern_finds_them(text: str) -> None:
    assert count_words(text) == len(re.findall(r"\w+", text))


def _assert_fast(bodies: list[str], name: str, french: bool = True) -> MarkdownRenderer:
    """Each body gives markdown-it-py's bytes under the first four settings,
    and takes the fast path (in French too, with ``french``). Returns the
    last fast renderer."""
    for options in _SETTINGS[:4]:
        fast, reference = _pair(**options)
        for body in bodies:
            _assert_same(fast, reference, name, body)
        if french or options.get("language") != "fr":
            assert fast.paths.fast == len(bodies), fast.paths
    return fast


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_without_the_rust_parser_a_build_gives_the_same_bytes(tmp_path: Path) -> None:
    """The example site built three ways: the fast path (the default), without
    markdown_it_pyrs (not importable: every body takes markdown-it-py), and
    with --shortcuts none. The same bytes each time."""
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
            '"',
            "'",
            "--",
            "---",
            "...",
            "....",
            "-",
            ",",
            ".",
            "!",
            "?",
            ":",
            ";",
            " :",
            " !",
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
            "\\[",
            '\\"',
            "\\-",
            "\\a",
            "&amp;",
            "&quot;",
            "&bogus;",
            "\u00a0",
            "\u202f",
            "« ",
            " »",
            "«",
            "»",
            "https://example.org/a_b?c=d",
            "https://example.org/it's--x",
            "www.example.org",
            "<https://example.org/x>",
            "<b>",
            "[ref]",
            "[text][ref]",
        ]
    ),
)
# What plain news prose is made of: nothing that sends a body to markdown-it-py
# by itself, so most documents of these take the fast path.
_PROSE_ATOMS = st.one_of(
    _WORDS,
    st.sampled_from(
        [
            *(" ", " ", " ", "\n", "  \n", '"', "'", '"', "'", "--", "---", "...", "-", ","),
            *(".", "!", "?", ":", ";", " :", " ?", "(", ")", "*", "**", "_", "« ", " »", "«"),
            *("»", "[ref]", "https://example.org/a_b?c=d", "https://example.org/it's--x"),
            *("<sup>", "</sup>", "<u>", "</u>", "<sub>2</sub>"),
            *("\\[", "\\]", "\\_", "2\\.", "\u2122"),
            "www.example.org",
        ]
    ),
)
_DESTINATIONS = st.sampled_from(
    [
        "https://example.org/a?b=c",
        "https://example.org/a?b=c&d=e",
        "http://x.org:8080/p",
        "mailto:a@b.org",
        "#top",
        "https://example.org/ü?q=ä",
        'https://example.org/"q"',
        "other.md",
        "images/map.png",
        "",
    ]
)


_PROSE_DESTINATIONS = st.sampled_from(
    [
        "https://example.org/a?b=c",
        "https://example.org/l'été",
        "#top",
        "mailto:a@b.org",
        "<https://example.org/a_(b) c>",
    ]
)


@st.composite
def _inline(draw: st.DrawFn, depth: int = 0, prose: bool = False) -> str:
    parts = draw(st.lists(_PROSE_ATOMS if prose else _ATOMS, min_size=1, max_size=8))
    if depth < 2:
        for _ in range(draw(st.integers(0, 3))):
            inner = draw(_inline(depth + 1, prose))
            kind = draw(st.integers(0, 9))
            if kind in (5, 6) and draw(st.integers(0, 4)):
                inner = inner.replace("`", "").replace("\n", " ").rstrip("\\")
            dest = draw(_DESTINATIONS if not prose else _PROSE_DESTINATIONS)
            if prose and kind == 8:  # an image described in plain words
                inner = " ".join(draw(st.lists(_WORDS, max_size=3)))
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
def _block(draw: st.DrawFn, depth: int = 0, prose: bool = False) -> str:
    kind = draw(st.integers(0, 11 if depth < 2 else 7))
    text = draw(_inline(0, prose))
    if kind == 0:
        return text
    if kind == 1:
        return f"{'#' * draw(st.integers(1, 6))} {_one_line(text)}"
    if kind == 2:
        return f"{_one_line(text)}\n{draw(st.sampled_from(['===', '---']))}"
    if kind == 3:
        fence = draw(st.sampled_from(["```", "```", "````"]))
        info = draw(st.sampled_from(["", "", "python", " js ", "py {.x}", "text\\_x", "nolexer"]))
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
        cells = [_one_line(draw(_inline(0, prose))).replace("|", "\\|") for _ in range(columns * 2)]
        head, body = cells[:columns], cells[columns:]
        if draw(st.booleans()):
            body = body[:-1]  # a short row
        return "\n".join(
            [f"| {' | '.join(head)} |", f"| {' | '.join(aligns)} |", f"| {' | '.join(body)} |"]
        )
    if kind == 7:
        definitions = ['[ref]: https://example.org/ref "Other"', "[ref]: https://example.org/ref"]
        html = ['<div class="box">\n*not* parsed\n</div>', "<!-- a comment -->"]
        return draw(st.sampled_from(definitions if prose else definitions + html))
    inner = draw(st.lists(_block(depth + 1, prose), min_size=1, max_size=3))
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


def _documents(prose: bool) -> st.SearchStrategy[str]:
    blocks = st.tuples(_block(0, prose), st.sampled_from(["\n\n", "\n\n", "\n", "\n\n\n"]))
    return st.lists(blocks, min_size=1, max_size=6).map(
        lambda drawn: "".join(block + sep for block, sep in drawn)
    )


_DOCUMENTS = _documents(prose=False)
_PROSE = _documents(prose=True)

_RENDERERS: dict[tuple[str, bool], tuple[MarkdownRenderer, MarkdownRenderer]] = {}


def _renderers(language: str, highlight: bool) -> tuple[MarkdownRenderer, MarkdownRenderer]:
    key = (language, highlight)
    if key not in _RENDERERS:
        _RENDERERS[key] = _pair(typography=True, language=language, highlight=highlight)
    return _RENDERERS[key]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=_DOCUMENTS,
    language=st.sampled_from(["en", "de", "fr", "da", "de-CH", "pl"]),
    highlight=st.booleans(),
)
def test_generated_markdown_renders_the_same(body: str, language: str, highlight: bool) -> None:
    """Whether a document takes the fast path or falls back, its HTML, links,
    word count and summary are markdown-it-py's."""
    fast, reference = _renderers(language, highlight)
    _assert_same(fast, reference, "generated.md", body)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=_PROSE,
    language=st.sampled_from(["en", "de", "fr", "da", "de-CH", "pl"]),
    highlight=st.booleans(),
)
def test_generated_prose_renders_the_same(body: str, language: str, highlight: bool) -> None:
    """The same, for documents made of what news prose is made of: quotes,
    apostrophes, dashes, emphasis, links to https, lists, tables, headings;
    most of them take the fast path."""
    fast, reference = _renderers(language, highlight)
    _assert_same(fast, reference, "prose.md", body)
