"""Markdown bodies to HTML, with links to other files left as references.

One configured ``MarkdownIt`` per build: CommonMark plus tables, strikethrough,
footnotes, heading ids and Pygments highlighting. A relative link or image
(``other-article.md``, ``images/map.png``) cannot be resolved while one file is
parsed, because the target's URL depends on the whole site. So the renderer
writes a marker in its place and records a ``LinkRef``; the model swaps in the
URL. That keeps the rendered body a pure function of the file's own text
(cacheable by content hash) while links still follow the site's URL scheme.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

from generator.frozen import quick_pickle
from generator.parse.fastmd import FastMarkdown, Paths, available
from generator.parse.typography import PlainText, Style, install, style_for

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

# markdown-it, its plugins and Pygments are imported when a renderer is made:
# a build with nothing to parse (most runs of digest build) never loads them.

REF_MARK = "\x1a"  # never valid in text we keep: stripped from bodies before parsing
_REF = re.compile(REF_MARK + r"(\d+)" + REF_MARK)
_SPACES = re.compile(r"[^\S\u202f]+")  # whitespace, but for the narrow no-break space
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# A link destination that markdown-it's normalizeLink returns unchanged: an
# optional scheme, then URL characters that need no encoding, valid %XX
# escapes, and no "@" or ":" (user info and ports are where it rewrites).
_PLAIN_URL = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?"  # scheme
    r"(?:[A-Za-z0-9;/?&=+$,\-_.!~*'()#]|%[0-9A-Fa-f]{2})*"
)


def _markdown_it(options: dict[str, Any]) -> MarkdownIt:
    from markdown_it import MarkdownIt

    class _MarkdownIt(MarkdownIt):
        def normalizeLink(self, url: str) -> str:  # markdown-it's name
            """Skips parsing, punycode and percent-encoding for the plain URLs
            (nineteen in twenty in the corpus) it would give back as they are:
            a tenth of the time spent parsing an article."""
            if _PLAIN_URL.fullmatch(url):
                return url
            return super().normalizeLink(url)

    return _MarkdownIt("commonmark", options)


SUMMARY_WORDS = 40


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class LinkRef:
    """A relative link or image in a body, resolved against ``content/``."""

    target: str  # content-relative POSIX path ("2026/other.md"), may start with "../";
    # or a site path starting with "/", as written
    suffix: str  # "?query#fragment" kept as written
    line: int  # 1-based line in the source file
    kind: Literal["link", "image"]
    written: str  # the destination as the author wrote it
    # An image's alternative text and title; ``figure``: alone in its
    # paragraph with a title, it is shown as a figure with the title as
    # its caption. An image's marker stands for the whole element.
    alt: str = ""
    title: str = ""
    figure: bool = False


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class BodyRef:
    """A rendered body by its digest: the HTML itself travels separately
    (it is most of an article's weight) and is fetched when a page shows it."""

    digest: str  # blake2b of the HTML, 32 hex digits
    size: int


def body_ref(html: bytes) -> BodyRef:
    return BodyRef(digest=hashlib.blake2b(html, digest_size=16).hexdigest(), size=len(html))


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedBody:
    html: BodyRef  # safe HTML as UTF-8, with a marker for each entry of ``refs``
    refs: tuple[LinkRef, ...]
    words: int
    summary: str  # plain text from the first paragraph, shortened


class MarkdownRenderer:
    """Renders bodies with one site's Markdown settings. With typography on,
    each language style gets its own ``MarkdownIt`` (markdown-it reads the
    quotation marks from its options), made when an article first needs it:
    about 2 ms, once per worker for each style the site uses."""

    def __init__(
        self,
        *,
        html: bool = True,
        highlight: bool = True,
        typography: bool = False,
        language: str = "en",
        fast: bool = True,
    ) -> None:
        self._options = {
            "html": html,
            "xhtmlOut": False,  # HTML5: <hr>, <img ...>, not <hr />
            "highlight": _highlight if highlight else None,
        }
        self._typography = typography
        self._language = language
        self._mds: dict[Style | None, MarkdownIt] = {}
        self._plain = PlainText()
        # Bodies the Rust parser's HTML can be finished for take that path
        # (fastmd.py: the same bytes); off, or without markdown_it_pyrs,
        # every body takes markdown-it-py.
        self.paths = Paths()  # how many bodies took it, and why the others did not
        self._fast = (
            FastMarkdown(highlight=_highlight if highlight else None, paths=self.paths, html=html)
            if fast and available()
            else None
        )

    def _style(self, lang: str | None) -> Style | None:
        return style_for(lang or self._language) if self._typography else None

    def _md(self, lang: str | None) -> MarkdownIt:
        style = self._style(lang)
        md = self._mds.get(style)
        if md is None:
            md = self._mds[style] = self._build(style)
        return md

    def _build(self, style: Style | None) -> MarkdownIt:
        from markdown_it.renderer import RendererHTML
        from mdit_py_plugins.footnote import footnote_plugin

        md = _markdown_it(self._options).enable(["table", "strikethrough"])
        md.use(footnote_plugin)
        # Heading ids from the text as written, before typography: a fragment
        # link to "#1990--2000" keeps working whatever the typography setting.
        md.core.ruler.before("smartquotes", "digest_heading_ids", _heading_ids)
        if style is not None:
            install(md, style)
        md.core.ruler.push("digest_heading_shift", _shift_headings)
        md.core.ruler.push("digest_focusable_tables", _focusable_tables)
        renderer = md.renderer
        assert isinstance(renderer, RendererHTML)
        for rule in ("fence", "code_block"):
            md.add_render_rule(rule, _focusable_pre(renderer.rules[rule]))
        md.add_render_rule("image", _marked_image(renderer.rules["image"]))
        md.core.ruler.push("digest_refs", _collect_refs)
        return md

    def typeset(self, text: str | None, lang: str | None) -> str | None:
        """Plain text (a headline, a standfirst) with the quotes and dashes
        its body would get; as written when typography is off."""
        if not self._typography or text is None:
            return text
        return self._plain(text, lang or self._language)

    def render(
        self, body: str, *, content_path: str, first_line: int, lang: str | None = None
    ) -> tuple[RenderedBody, bytes]:
        """The body's description and its HTML. ``content_path`` is the
        file's path under content/; ``first_line`` the 1-based line of the
        body's first line in the file; ``lang`` the article's own language,
        if it gives one (else the site's)."""
        text = body.replace(REF_MARK, "")
        refs: list[LinkRef] = []
        fast = self._fast.render(text, self._style(lang)) if self._fast is not None else None
        if fast is not None:  # no references: a body with any takes markdown-it-py
            html = fast.html
            words, summary = _words_and_summary(fast.texts, fast.inline, fast.paragraphs)
        else:
            env: dict[str, object] = {
                "refs": refs,
                "dir": posixpath.dirname(content_path),
                "first_line": first_line,
            }
            md = self._md(lang)
            tokens = md.parse(text, env)
            html = md.renderer.render(tokens, md.options, env)
            words, summary = _text_stats(tokens)
        # UTF-8, not str: one curly quote makes a str two bytes a character.
        data = html.encode("utf-8")
        rendered = RenderedBody(html=body_ref(data), refs=tuple(refs), words=words, summary=summary)
        return rendered, data


def substitute_refs(html: str, resolve: Callable[[int], str]) -> str:
    """Replace each reference marker with ``resolve(index)`` (already escaped)."""
    return _REF.sub(lambda m: resolve(int(m.group(1))), html)


def _highlight(code: str, lang: str, _attrs: str) -> str:
    if not lang:
        return ""
    import pygments
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(lang)
    except ClassNotFound:
        return ""  # markdown-it escapes the code itself
    result: str = pygments.highlight(code, lexer, HtmlFormatter(nowrap=True))
    return result


def _focusable_tables(state: StateCore) -> None:
    """Wide tables scroll sideways on small screens; a keyboard must reach them."""
    for token in state.tokens:
        if token.type == "table_open":
            token.attrSet("tabindex", "0")


def _focusable_pre(default: Any) -> Any:
    """Code blocks scroll sideways; ``tabindex="0"`` lets a keyboard scroll them."""

    def render(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        html: str = default(tokens, idx, options, env)
        return html.replace("<pre>", '<pre tabindex="0">', 1)

    return render


def _marked_image(default: Any) -> Any:
    """A local image is its marker alone: the model puts the whole element
    in its place (a <picture> with every size, or a figure)."""

    def render(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        src = tokens[idx].attrGet("src")
        if isinstance(src, str) and src.startswith(REF_MARK):
            return src
        html: str = default(tokens, idx, options, env)
        return html

    return render


def _shift_headings(state: StateCore) -> None:
    """The headline is the page's only h1: a body that uses ``#`` headings has
    them moved down one level (h1 -> h2 ...), keeping their order."""
    headings = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
    if not any(t.tag == "h1" for t in headings):
        return
    for token in headings:
        token.tag = f"h{min(6, int(token.tag[1]) + 1)}"


def _heading_ids(state: StateCore) -> None:
    """An id for every heading, as mdit-py-plugins' anchors plugin makes them
    (GitHub style, "-1", "-2" for repeats), but from the text before
    typography: escapes and entities count as the characters they stand for."""
    from mdit_py_plugins.anchors.index import slugify, unique_slug

    used: set[str] = set()
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        children = state.tokens[index + 1].children or ()
        title = "".join(
            c.content for c in children if c.type in ("text", "text_special", "code_inline")
        )
        token.attrSet("id", unique_slug(slugify(title), used))


def _collect_refs(state: StateCore) -> None:
    refs: list[LinkRef] = state.env["refs"]
    base_dir: str = state.env["dir"]
    first_line: int = state.env["first_line"]
    line = first_line
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.map:
            line = first_line + token.map[0]
        if token.type != "inline" or not token.children:
            continue
        alone = _alone_in_paragraph(tokens, index)
        for child in _walk(token.children):
            attr = "href" if child.type == "link_open" else "src" if child.type == "image" else None
            if attr is None:
                continue
            dest = child.attrGet(attr)
            if not isinstance(dest, str):
                continue
            parts = urlsplit(dest)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            if parts.path.startswith("/"):
                target = parts.path  # site-root-relative: kept as written, put under base_url
            else:
                path = unquote(parts.path)
                target = posixpath.normpath(posixpath.join(base_dir, path))
            suffix = (f"?{parts.query}" if parts.query else "") + (
                f"#{parts.fragment}" if parts.fragment else ""
            )
            child.attrSet(attr, f"{REF_MARK}{len(refs)}{REF_MARK}")
            title = child.attrGet("title") if attr == "src" else None
            title = title.strip() if isinstance(title, str) else ""
            figure = bool(title) and alone is child
            if figure:  # a <figure> cannot be inside a <p>
                tokens[index - 1].hidden = tokens[index + 1].hidden = True
            refs.append(
                LinkRef(
                    target=target,
                    suffix=suffix,
                    line=line,
                    kind="link" if attr == "href" else "image",
                    written=dest,
                    alt=_alt_text(child) if attr == "src" else "",
                    title=title,
                    figure=figure,
                )
            )


def _alone_in_paragraph(tokens: Sequence[Token], index: int) -> Token | None:
    """The image that is all of the paragraph whose inline token is at
    ``index`` (spaces aside), if there is one."""
    if index == 0 or index + 1 >= len(tokens) or tokens[index - 1].type != "paragraph_open":
        return None
    children = [
        c for c in tokens[index].children or () if not (c.type == "text" and not c.content.strip())
    ]
    if len(children) == 1 and children[0].type == "image":
        return children[0]
    return None


def _alt_text(image: Token) -> str:
    """An image's alternative text: its description as plain text."""
    return "".join(
        c.content for c in _walk(image.children or ()) if c.type in ("text", "code_inline")
    )


def _walk(tokens: Sequence[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        out.append(token)
        if token.children:
            out.extend(_walk(token.children))
    return out


def _text_stats(tokens: Sequence[Token]) -> tuple[int, str]:
    """The body's word count and the summary: the first top-level paragraph's
    text, shortened. One search for words over all the text at once (a
    space between blocks, so no word spans two); CJK characters count half a
    word each, rounded down in each block as before."""
    texts: list[str] = []
    inline: list[str] = []
    paragraphs: list[str] = []
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "inline":
            text = _inline_text(token)
            texts.append(text)
            inline.append(text)
            if (
                index > 0
                and tokens[index - 1].type == "paragraph_open"
                and tokens[index - 1].level == 0
            ):
                paragraphs.append(text)
        elif kind == "fence" or kind == "code_block":
            texts.append(token.content)
    return _words_and_summary(texts, inline, paragraphs)


def _words_and_summary(
    texts: Sequence[str], inline: Sequence[str], paragraphs: Sequence[str]
) -> tuple[int, str]:
    """The word count of ``texts`` (every block's), the CJK half-words of
    ``inline`` (the blocks of text), and the summary: the first of the
    top-level ``paragraphs`` with words, shortened."""
    summary = ""
    for text in paragraphs:
        shortened = shorten(text, SUMMARY_WORDS)
        if shortened.strip():
            summary = shortened
            break
    everything = " ".join(texts)
    words = count_words(everything)
    if not everything.isascii() and _CJK.search(everything):
        words += sum(len(_CJK.findall(text)) // 2 for text in inline)
    return words, summary


# Each byte as a word character ("w") or not (" "): ASCII by Python's rule,
# every byte of a character beyond ASCII a word character (the characters
# beyond ASCII that are not, _NOT_WORD, are made spaces first).
_WORD_BYTES = bytes(
    ord("w") if b >= 128 or chr(b).isalnum() or b == ord("_") else ord(" ") for b in range(256)
)
_NOT_WORD = re.compile(r"[^\x00-\x7f\w]+")


def count_words(text: str) -> int:
    """``len(re.findall(r"\\w+", text))``, without a string made for each word
    (2-10 times faster): the runs of word characters are counted as the
    places a word byte follows a space in a translated UTF-8 copy, once the
    characters beyond ASCII that are not word characters (typography's
    marks, a euro sign) are spaces."""
    if not text.isascii():
        text = _NOT_WORD.sub(" ", text)
    marks = text.encode("utf-8", "surrogatepass").translate(_WORD_BYTES)
    return marks.count(b" w") + (marks[:1] == b"w")


def _inline_text(token: Token) -> str:
    """The text a reader sees, spaces as written: text and code, a space for a line break."""
    return "".join(
        [
            child.content if child.type in _TEXTS else " "
            for child in token.children or ()
            if child.type in _TEXTS or child.type in _BREAKS
        ]
    )


_TEXTS = frozenset({"text", "code_inline"})
_BREAKS = frozenset({"softbreak", "hardbreak"})


def _words(text: str) -> list[str]:
    """Split at whitespace, but not at a narrow no-break space: French
    typography puts one inside « » and before ; : ! ?, to keep them on the line."""
    return [w for w in _SPACES.split(text) if w]


def shorten(text: str, max_words: int) -> str:
    words = _words(text)
    if len(words) <= max_words:
        return " ".join(words)
    return " ".join(words[:max_words]).rstrip(".,;:!?-\u2013\u2014") + "…"
