"""A fast path for Markdown bodies: the Rust parser's HTML, finished in one scan.

markdown-it-py stays the reference for what a body means; its parse and
renderer are most of the time an article takes. markdown_it_pyrs (the Rust
port of markdown-it, bound by markdown-it-py's maintainers) renders the same
CommonMark, tables included, about ten times faster, straight to HTML.
``FastMarkdown`` takes that HTML and adds, in one linear scan over its tags
and text, what ``markdown.py``'s rules add to markdown-it-py's: heading ids
(from the text before typography) and the heading shift, ``tabindex`` on
tables and code blocks, the language's quotes, dashes and French spaces
(``typography.py``'s own functions and markdown-it's smartquotes algorithm,
run on the text between tags), and the text the word count and summary are
made from. Raw inline tags (``<sup>``, the few ``mdchecks.PHRASING_TAGS``)
stay as written; the quotes rule reads their characters, as it reads
markdown-it-py's html_inline tokens. No tokens are made: a previous attempt
that turned the Rust tree into markdown-it-py's tokens and rendered them in
Python saved nothing.

The HTML is the same only where the text between two tags is exactly one of
markdown-it-py's text tokens, and where the Rust port parses as
markdown-it-py does. ``mdchecks.py`` vouches for a body by cheap checks of
its text; the scan here checks the HTML: a relative link or image (it
becomes a reference marker with the line of its paragraph, which the HTML
does not tell), an empty block quote, a code span of nothing but spaces, a
Unicode space at a block's edge (the two trim those differently), a tag it
does not know, an autolink after ``](``, an image's alt it has no answer
for (the port drops escaped characters from alt; the scan writes
markdown-it-py's). Anything else takes markdown-it-py, whole
(``markdown.py``), and ``Paths`` counts why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

from generator.parse.mdchecks import (
    ESCAPED,
    PHRASING_TAGS,
    UNICODE_SPACE,
    UNICODE_SPACES,
    fallback_reason,
    image_labels,
)
from generator.parse.typography import Style, dashed, french_spaced, needs_work

if TYPE_CHECKING:
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token


Highlight = Callable[[str, str, str], str]  # code, language, attributes -> HTML, or ""


@dataclass(frozen=True, slots=True)
class FastBody:
    """A body's HTML, and the text its word count and summary come from."""

    html: str
    texts: list[str]  # every inline block's text and every code block's code
    inline: list[str]  # the inline blocks' texts alone
    paragraphs: list[str]  # the texts of the top-level paragraphs, in order


@dataclass
class Paths:
    """How many bodies took the fast path, and why the others did not."""

    fast: int = 0
    fallback: dict[str, int] = field(default_factory=dict)

    def fell_back(self, reason: str) -> None:
        self.fallback[reason] = self.fallback.get(reason, 0) + 1


def available() -> bool:
    try:
        import markdown_it_pyrs  # noqa: F401
    except ImportError:
        return False
    return True


# Tags, whole code blocks and line ends: what is between them is text.
_SPLIT = re.compile(r"(<pre>.*?</pre>|<[^>]*>|\n)", re.DOTALL)
_ATTR = re.compile(r'(?:href|src)="([^"]*)"')
_ALT = re.compile(r'alt="([^"]*)"')
_LANGUAGE = '<pre><code class="language-'

# What each tag of the Rust renderer's output is to the scan.
_OPEN, _CLOSE, _CODE, _END_CODE, _BREAK = 1, 2, 3, 4, 5  # inside a block of text
_TEXT_BLOCK, _END_TEXT_BLOCK, _CONTAINER, _END_CONTAINER, _OTHER_BLOCK = 6, 7, 8, 9, 10
_PARAGRAPH, _HEADING, _END_HEADING, _TABLE = 11, 12, 13, 14
_RAW = 0  # a tag of raw HTML, inside a block of text (mdchecks vouches for that)
_TAGS: dict[str, int] = {
    "<em>": _OPEN,
    "<strong>": _OPEN,
    "<s>": _OPEN,
    "</em>": _CLOSE,
    "</strong>": _CLOSE,
    "</s>": _CLOSE,
    "</a>": _CLOSE,
    "<code>": _CODE,
    "</code>": _END_CODE,
    "<br>": _BREAK,
    "<p>": _PARAGRAPH,
    "<li>": _CONTAINER,
    "<blockquote>": _CONTAINER,
    "</li>": _END_CONTAINER,
    "</blockquote>": _END_CONTAINER,
    "<th>": _TEXT_BLOCK,
    "<td>": _TEXT_BLOCK,
    '<th style="text-align:left">': _TEXT_BLOCK,
    '<th style="text-align:center">': _TEXT_BLOCK,
    '<th style="text-align:right">': _TEXT_BLOCK,
    '<td style="text-align:left">': _TEXT_BLOCK,
    '<td style="text-align:center">': _TEXT_BLOCK,
    '<td style="text-align:right">': _TEXT_BLOCK,
    "</p>": _END_TEXT_BLOCK,
    "</th>": _END_TEXT_BLOCK,
    "</td>": _END_TEXT_BLOCK,
    "<table>": _TABLE,
    **dict.fromkeys(
        ("</table>", "<thead>", "</thead>", "<tbody>", "</tbody>", "<tr>", "</tr>", "<hr>"),
        _OTHER_BLOCK,
    ),
    **dict.fromkeys(("<ul>", "</ul>", "<ol>", "</ol>"), _OTHER_BLOCK),
    **{f"<h{n}>": _HEADING for n in range(1, 7)},
    **{f"</h{n}>": _END_HEADING for n in range(1, 7)},
    **{f"<{name}>": _RAW for name in PHRASING_TAGS},
    **{f"</{name}>": _RAW for name in PHRASING_TAGS},
}
# The inline pieces of a block, as the scan keeps them: (kind, index in parts, level).
_T, _C, _B, _O, _X, _I = "text", "code_inline", "softbreak", "open", "close", "image"
_H = "html_inline"


class Fallback(Exception):
    """The body must take markdown-it-py: the message says why."""


class _Piece:
    """The three things markdown-it's smartquotes reads of a token."""

    __slots__ = ("content", "level", "type")

    def __init__(self, kind: str, content: str, level: int) -> None:
        self.type = kind
        self.content = content
        self.level = level


def _unescape(text: str) -> str:
    """Text as it was before markdown-it's escapeHtml (the only escaping in
    the HTML of a body without entities)."""
    if "&" not in text:
        return text
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


def _escape(text: str) -> str:
    """markdown-it's ``escapeHtml`` (its only escaping of text), written out
    here: markdown-it is not loaded until a body takes its path."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    return text


def _relative(value: str) -> bool:
    """A link or image that ``markdown._collect_refs`` would make a reference."""
    if value.startswith(("https://", "http://")):
        return False
    parts = urlsplit(_unescape(value))
    return not (parts.scheme or parts.netloc or not parts.path)


class FastMarkdown:
    """Renders bodies like ``markdown.MarkdownRenderer`` where it can vouch for them."""

    def __init__(self, *, highlight: Highlight | None, paths: Paths, html: bool = True) -> None:
        from markdown_it_pyrs import MarkdownIt as RustMarkdownIt

        self._html = html
        self._rust = RustMarkdownIt("commonmark").enable_many(["table", "strikethrough"])
        self._highlight = highlight
        self.paths = paths

    def render(self, src: str, style: Style | None) -> FastBody | None:
        """The body's HTML and texts as markdown-it-py and our rules would
        give them, with typography in ``style`` (None: off); None when the
        body must take markdown-it-py."""
        reason = fallback_reason(src, style is not None and style.spaced, self._html)
        if reason is None:
            try:
                html = self._rust.render(src, xhtml=False)
            except BaseException as error:  # a Rust panic is a BaseException
                if type(error).__name__ != "PanicException":
                    raise
                reason = "the Rust parser failed"
            else:
                try:
                    if "<blockquote>\n</blockquote>" in html:  # markdown-it-py: no line end
                        raise Fallback("an empty block quote")
                    scan = _Scan(html, style, self._highlight, "](<" in src, _alts(src))
                    body = scan.run()
                except Fallback as why:
                    reason = str(why)
                else:
                    self.paths.fast += 1
                    return body
        self.paths.fell_back(reason)
        return None


class _Scan:
    """One pass over the Rust renderer's HTML (see the module's docstring)."""

    def __init__(
        self,
        html: str,
        style: Style | None,
        highlight: Highlight | None,
        pointy: bool,
        alts: dict[str, tuple[str, str] | None] | None,
    ) -> None:
        self.parts = _SPLIT.split(html)
        self.alts = alts  # see _alts
        self.labels: dict[int, str] = {}  # an image's part -> its description as written
        # The body has "](<": a link's destination in pointy brackets, or,
        # where the brackets make no link, an autolink after "](".
        self.pointy = pointy
        self.spaces = not html.isascii() and UNICODE_SPACE.search(html) is not None
        self.style = style
        self.highlight = highlight
        self.texts: list[str] = []
        self.inline: list[str] = []
        self.paragraphs: list[str] = []
        self.headings: list[tuple[int, int, int, str]] = []  # open, close, level, id
        self.used: set[str] = set()
        if style is not None:
            options = SimpleNamespace(quotes=list(style.quotes))
            self.state = cast("StateCore", SimpleNamespace(md=SimpleNamespace(options=options)))

    def run(self) -> FastBody:
        parts = self.parts
        block: list[tuple[str, int, int]] | None = None
        top = False  # the block is a top-level paragraph
        heading = 0  # the index of the open tag of the heading the block is
        depth = 0  # list items and block quotes around
        level = 0  # emphasis and links around
        in_code = False
        for index in range(1, len(parts), 2):
            text = parts[index - 1]
            if text:
                if block is None:
                    block, top, heading = [], False, 0
                if in_code and not text.strip(" "):  # the two trim such spans differently
                    raise Fallback("a code span of spaces")
                block.append((_C if in_code else _T, index - 1, level))
            tag = parts[index]
            if tag == "\n":
                if block is not None:
                    block.append((_B, index, level))
                continue
            kind = _TAGS.get(tag)
            if kind is None:
                if tag.startswith("<a href="):
                    self._check(tag)
                    if self.pointy and text.endswith("("):  # typography skips an autolink
                        raise Fallback("an autolink after ](")
                    kind = _OPEN
                elif tag.startswith("<img src="):
                    self._check(tag)
                    if self.alts is not None:
                        self._alt(index)
                    if block is None:
                        block, top, heading = [], False, 0
                    block.append((_I, index, level))
                    continue
                elif tag.startswith("<pre>"):
                    self._code_block(index)
                    continue
                elif tag.startswith("<ol start="):
                    kind = _OTHER_BLOCK
                else:
                    raise Fallback(f"the tag {tag[:20]!r}")
            if kind <= _BREAK:
                if block is None:
                    if kind == _RAW:  # an HTML block's
                        raise Fallback("raw HTML outside a block of text")
                    block, top, heading = [], False, 0
                if kind == _RAW:
                    block.append((_H, index, level))
                elif kind == _OPEN:
                    block.append((_O, index, level))
                    level += 1
                elif kind == _CLOSE:
                    level -= 1
                    block.append((_X, index, level))
                elif kind == _BREAK:
                    block.append((_B, index, level))
                else:
                    in_code = kind == _CODE
                continue
            if block is not None:
                self._finish(block, top, heading, index)
                block = None
            if kind in (_PARAGRAPH, _TEXT_BLOCK):
                block, top, heading = [], kind == _PARAGRAPH and depth == 0, 0
            elif kind == _HEADING:
                block, top, heading = [], False, index
            elif kind == _CONTAINER:
                depth += 1
                block, top, heading = [], False, 0  # a tight list's item text
            elif kind == _END_CONTAINER:
                depth -= 1
            elif kind == _TABLE:
                parts[index] = '<table tabindex="0">'
        if parts[-1]:
            raise Fallback("text after the last tag")
        if block is not None:
            self._finish(block, top, heading, len(parts))
        if self.headings:
            shift = any(level == 1 for _, _, level, _ in self.headings)
            for start, end, level, slug in self.headings:
                level = min(6, level + 1) if shift else level
                parts[start] = f'<h{level} id="{_escape(slug)}">'
                parts[end] = f"</h{level}>"
        return FastBody(
            html="".join(parts), texts=self.texts, inline=self.inline, paragraphs=self.paragraphs
        )

    def _check(self, tag: str) -> None:
        for value in _ATTR.findall(tag):
            if _relative(value):
                raise Fallback("a relative link or image")

    def _alt(self, index: int) -> None:
        """markdown-it-py's alt for the Rust port's, and the description as
        written (which the quotes rule reads beside the image)."""
        tag = self.parts[index]
        found = _ALT.search(tag)
        ours = self.alts.get(found.group(1)) if found and self.alts else None
        if found is None or ours is None:
            raise Fallback("an image description with an escape")
        self.parts[index] = tag[: found.start(1)] + ours[0] + tag[found.end(1) :]
        self.labels[index] = ours[1]

    def _code_block(self, index: int) -> None:
        """A code block: its code counts as words; a fence's language, with
        highlighting on, has the code highlighted as markdown-it-py's fence
        rule does (``highlight(code, language, attributes)``, escaped code
        when that gives nothing)."""
        tag = self.parts[index]
        start = tag.index(">", 5) + 1
        code = _unescape(tag[start : -len("</code></pre>")])
        self.texts.append(code)
        if self.highlight is not None and tag.startswith(_LANGUAGE):
            language = _unescape(tag[len(_LANGUAGE) : start - 2])
            if not language.isascii() or " " in language:
                raise Fallback("a fence's language with spaces beyond ASCII")
            highlighted = self.highlight(code, language, "")
            if highlighted:
                tag = f"{tag[:start]}{highlighted}</code></pre>"
        self.parts[index] = '<pre tabindex="0">' + tag[5:]

    def _finish(self, block: list[tuple[str, int, int]], top: bool, heading: int, end: int) -> None:
        """A block of text ends: its heading id, its typography, its text."""
        parts = self.parts
        if not heading and all(kind != _T and kind != _C for kind, _, _ in block):
            return  # a list item's line end before its paragraph, an image alone
        if self.spaces:
            edges = [parts[i] for kind, i, _ in block if kind in (_T, _C)]
            if edges and (edges[0][0] in UNICODE_SPACES or edges[-1][-1] in UNICODE_SPACES):
                raise Fallback("a Unicode space at the edge of a block")
        if heading:
            from mdit_py_plugins.anchors.index import slugify, unique_slug

            title = "".join(_unescape(parts[i]) for kind, i, _ in block if kind in (_T, _C))
            level = int(parts[heading][2])
            self.headings.append((heading, end, level, unique_slug(slugify(title), self.used)))
        if self.style is not None and any(
            kind == _T and _typeset(parts[i], self.style.spaced) for kind, i, _ in block
        ):
            self._typeset(block)
        pieces = []
        for kind, i, _ in block:
            if kind in (_T, _C):
                pieces.append(_unescape(parts[i]))
            elif kind == _B:
                pieces.append(" ")
        text = "".join(pieces)
        self.texts.append(text)
        self.inline.append(text)
        if top:
            self.paragraphs.append(text)

    def _typeset(self, block: list[tuple[str, int, int]]) -> None:
        """markdown-it-py's order: dashes (and URLs set apart), quotes, French spaces."""
        parts, style = self.parts, self.style
        assert style is not None
        pieces: list[_Piece] = []
        owners: list[tuple[int, int, int]] = []  # part index, first and last piece
        quotes = False
        for kind, i, level in block:
            if kind == _T:
                text = _unescape(parts[i])
                first = len(pieces)
                if needs_work(text):
                    pieces.extend(_Piece(k, c, level) for k, c in dashed(text))
                else:
                    pieces.append(_Piece(_T, text, level))
                owners.append((i, first, len(pieces)))
                quotes = quotes or '"' in text or "'" in text
            elif kind == _C:
                pieces.append(_Piece(_C, _unescape(parts[i]), level))
            elif kind == _H:  # typography reads the tag's characters
                pieces.append(_Piece(_H, parts[i], level))
            elif kind == _I:
                label = self.labels.get(i)
                if label is None:  # a description of plain text: its alt
                    alt = _ALT.search(parts[i])
                    label = _unescape(alt.group(1)) if alt else ""
                pieces.append(_Piece(_I, label, level))
            else:
                pieces.append(_Piece(kind, "", level))
        if quotes:
            from markdown_it.rules_core.smartquotes import process_inlines

            process_inlines(cast("list[Token]", pieces), self.state)
        if style.spaced:
            for piece in pieces:
                if piece.type == _T:
                    piece.content = french_spaced(piece.content)
        for i, first, last in owners:
            parts[i] = _escape("".join(p.content for p in pieces[first:last]))


def _alts(src: str) -> dict[str, tuple[str, str] | None] | None:
    """Where an image's description has an escape (``mdchecks`` lets through
    plain text and escapes of punctuation on one line): for each description
    after a ``![``, the alt the Rust port writes (escaped characters
    dropped) -> markdown-it-py's (kept) and the description as written;
    None for an alt two descriptions would write otherwise. The scan falls
    back for an image whose alt is not here."""
    if "![" not in src or "\\" not in src:
        return None
    labels = image_labels(src)
    if not any("\\" in label for label in labels):
        return None
    alts: dict[str, tuple[str, str] | None] = {}
    for label in labels:
        rust = _escape(ESCAPED.sub("", label))
        ours = (_escape(ESCAPED.sub(lambda m: m.group()[1], label)), label)
        alts[rust] = ours if alts.get(rust, ours) == ours else None
    return alts


def _typeset(html_text: str, spaced: bool) -> bool:
    """Text (as HTML) any typography rule may change."""
    return (
        "&quot;" in html_text
        or "'" in html_text
        or "--" in html_text
        or "..." in html_text
        or (
            spaced
            and ("«" in html_text or "»" in html_text or _FRENCH.search(html_text) is not None)
        )
    )


_FRENCH = re.compile(r"[ \u00a0][;:!?]")
