"""markdown_it_pyrs's syntax tree -> the tokens markdown-it-py's ``block``
and ``inline`` rules would have made of the same text (see fastmd.py).

What the converter cannot make exactly raises ``Unsupported``, and the
document takes markdown-it-py's parse. Only ``map[0]`` of inline tokens (the
line a link is reported at) and what the renderer and the core rules read
are made with care: an inline token's ``content`` is its block's source
(the rules only look for a character in it, and it holds every character
its children do); ``map[1]`` is the line after the block's last.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from markdown_it.rules_inline.autolink import AUTOLINK_RE
from markdown_it.token import Token

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_BAD_SCHEME = re.compile(r"(?i:javascript|vbscript|file|data):")
# A link destination markdown-it's normalizeLink gives back unchanged (see
# markdown.py): the Rust port's normal form is then markdown-it-py's.
_PLAIN_URL = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?(?:[A-Za-z0-9;/?&=+$,\-_.!~*'()#]|%[0-9A-Fa-f]{2})*"
)

# What str.strip takes beyond the ASCII spaces CommonMark trims.
_UNICODE_SPACE = re.compile(r"[^\S \t\n\r\f\v]")

# The start of a line that may begin a block other than a paragraph.
_BLOCK_START = re.compile(r" {0,3}(?:[-*+>#<`~_=]|\d{1,9}[.)]| )")


class Unsupported(Exception):
    """The converter does not know this construct for sure: fall back."""


def tokens(src: str, md: MarkdownIt, tree: Any) -> list[Token]:
    """The tokens of ``src`` (whose tree is ``tree``) after markdown-it's
    ``inline`` rule, as ``md`` would have made them."""
    return _Converter(src, md).document(tree)


class _Token(Token):
    """A ``Token``, made without the dataclass's keyword handling and its
    check of ``attrs``: a third of the conversion's time."""

    __slots__ = ()

    def __init__(
        self,
        kind: str,
        tag: str,
        nesting: int,
        level: int,
        content: str = "",
        markup: str = "",
        block: bool = False,
        attrs: dict[str, str | int | float] | None = None,
        info: str = "",
    ) -> None:
        self.type = kind
        self.tag = tag
        self.nesting = nesting  # type: ignore[assignment]
        self.attrs = {} if attrs is None else attrs
        self.map = None
        self.level = level
        self.children = None
        self.content = content
        self.markup = markup
        self.info = info
        self.meta = {}
        self.block = block
        self.hidden = False


_INLINE_NAMES = frozenset(
    {
        *("text", "text_special", "softbreak", "hardbreak", "em", "strong"),
        *("code_inline", "html_inline", "link", "image", "autolink"),
    }
)


class _Converter:
    """One document's tree -> markdown-it-py's tokens after its ``inline`` rule."""

    def __init__(self, src: str, md: MarkdownIt) -> None:
        self._src = src
        self._md = md
        # Source positions are byte offsets.
        self._bytes = None if src.isascii() else src.encode("utf-8")
        self._starts: list[int] = []  # offsets of line starts, made when first needed
        self._out: list[Token] = []

    def _text(self, span: tuple[int, int]) -> str:
        if self._bytes is None:
            return self._src[span[0] : span[1]]
        return self._bytes[span[0] : span[1]].decode("utf-8")

    def _lines(self, span: tuple[int, int] | None) -> list[int]:
        """markdown-it's ``map``: the first line and the line after the last."""
        if span is None:
            raise Unsupported("a block without a source position")
        starts = self._starts
        if not starts:
            data = self._bytes if self._bytes is not None else self._src.encode("ascii")
            starts.append(0)
            starts.extend(m.end() for m in re.finditer(b"\n", data))
        first = bisect.bisect_right(starts, span[0]) - 1
        last = bisect.bisect_right(starts, max(span[0], span[1] - 1))
        return [first, max(first + 1, last)]

    # --- blocks

    def document(self, root: Any) -> list[Token]:
        self._blocks(root.children, 0, tight=False)
        return self._out

    def _push(self, kind: str, tag: str, nesting: int, level: int, markup: str = "") -> Token:
        token = _Token(kind, tag, nesting, level, "", markup, True)
        self._out.append(token)
        return token

    def _blocks(self, nodes: Sequence[Any], level: int, *, tight: bool) -> None:
        run: list[Any] = []  # a tight list item's paragraph: inline nodes, no paragraph node
        for node in nodes:
            if node.name in _INLINE_NAMES:
                if not tight:
                    raise Unsupported(f"inline {node.name} among blocks")
                run.append(node)
                continue
            if run:
                self._hidden_paragraph(run, level)
                run = []
            self._block(node, level)
        if run:
            self._hidden_paragraph(run, level)

    def _hidden_paragraph(self, nodes: list[Any], level: int) -> None:
        # The tree's position of a tight paragraph's emphasis can be off
        # (after the delimiters are matched); its text's is not.
        starts = [n.srcmap[0] for n in nodes[0].walk() if n.srcmap is not None]
        last = nodes[-1].srcmap
        if not starts or last is None:
            raise Unsupported("a tight paragraph without a source position")
        span = (min(starts), last[1])
        self._push("paragraph_open", "p", 1, level).hidden = True
        self._inline(nodes, span, self._lines(span), level + 1)
        self._push("paragraph_close", "p", -1, level).hidden = True

    def _inline(
        self, nodes: Sequence[Any], span: tuple[int, int], lines: list[int], level: int
    ) -> None:
        # The source of the block stands for markdown-it's content: only
        # tests that look for a character read it, and it holds every
        # character the children do.
        token = self._push("inline", "", 0, level)
        token.map = lines
        token.content = self._text(span)
        children: list[Token] = []
        self._children(nodes, 0, children)
        token.children = children
        # markdown-it strips a paragraph's or heading's text with str.strip,
        # which takes a no-break space too; the Rust port does not.
        if children and (
            _UNICODE_SPACE.match(children[0].content)
            or _UNICODE_SPACE.match(children[-1].content[-1:])
        ):
            raise Unsupported("text starting or ending with a Unicode space")

    def _block(self, node: Any, level: int) -> None:
        name = node.name
        push = self._push
        if name == "paragraph":
            lines = self._lines(node.srcmap)
            push("paragraph_open", "p", 1, level).map = lines
            self._inline(node.children, node.srcmap, lines, level + 1)
            push("paragraph_close", "p", -1, level)
        elif name in ("heading", "lheading"):
            meta = node.meta
            tag = f"h{meta['level']}"
            markup = "#" * meta["level"] if name == "heading" else meta["marker"]
            lines = self._lines(node.srcmap)
            push("heading_open", tag, 1, level, markup).map = lines
            self._inline(node.children, node.srcmap, lines, level + 1)
            push("heading_close", tag, -1, level, markup)
        elif name == "blockquote":
            push("blockquote_open", "blockquote", 1, level, ">").map = self._lines(node.srcmap)
            self._blocks(node.children, level + 1, tight=False)
            push("blockquote_close", "blockquote", -1, level, ">")
        elif name in ("bullet_list", "ordered_list"):
            self._list(node, level)
        elif name == "fence":
            self._fence(node, level)
        elif name in ("code_block", "html_block"):
            token = push(name, "code" if name == "code_block" else "", 0, level)
            token.map = self._lines(node.srcmap)
            token.content = node.meta["content"]
        elif name == "hr":
            marker = node.meta["marker"]
            # markdown-it's markup has one marker more than written
            markup = marker * (self._text(node.srcmap).count(marker) + 1)
            push("hr", "hr", 0, level, markup).map = self._lines(node.srcmap)
        elif name == "table":
            self._table(node, level)
        elif name != "definition":  # a link reference definition makes no token
            raise Unsupported(f"block {name}")

    def _list(self, node: Any, level: int) -> None:
        meta = node.meta
        marker = meta["marker"]
        ordered = node.name == "ordered_list"
        kind, tag = ("ordered_list", "ol") if ordered else ("bullet_list", "ul")
        token = self._push(f"{kind}_open", tag, 1, level, marker)
        token.map = self._lines(node.srcmap)
        if ordered and meta["start"] != 1:
            token.attrs["start"] = meta["start"]
        items = node.children
        # A tight list's items hold inline nodes where a loose one's hold
        # paragraphs; markdown-it hides a tight list's paragraphs instead.
        tight = any(c.name in _INLINE_NAMES for item in items for c in item.children)
        for item in items:
            if item.name != "list_item":
                raise Unsupported(f"{item.name} in a list")
            token = self._push("list_item_open", "li", 1, level + 1, marker)
            token.map = self._lines(item.srcmap)
            if ordered:  # the number as written
                token.info = self._text(item.srcmap).split(marker, 1)[0].lstrip(" ")
            self._blocks(item.children, level + 2, tight=tight)
            self._push("list_item_close", "li", -1, level + 1, marker)
        self._push(f"{kind}_close", tag, -1, level, marker)

    def _fence(self, node: Any, level: int) -> None:
        meta = node.meta
        markup = meta["marker"] * meta["marker_len"]
        first = self._text(node.srcmap).split("\n", 1)[0].lstrip(" ")
        # markdown-it keeps the info string as written (the renderer
        # unescapes it); the tree's is unescaped already.
        if not first.startswith(markup) or first[len(markup) : len(markup) + 1] == meta["marker"]:
            raise Unsupported("a fence not where its source starts")
        token = self._push("fence", "code", 0, level, markup)
        token.map = self._lines(node.srcmap)
        token.info = first[len(markup) :]
        token.content = meta["content"]

    def _table(self, node: Any, level: int) -> None:
        aligns = node.meta["alignments"]
        self._push("table_open", "table", 1, level).map = self._lines(node.srcmap)
        for part in node.children:
            section = part.name
            if section not in ("thead", "tbody"):
                raise Unsupported(f"{section} in a table")
            cell = "th" if section == "thead" else "td"
            self._push(f"{section}_open", section, 1, level + 1).map = self._lines(part.srcmap)
            for row in part.children:
                if row.name != "trow" or len(row.children) != len(aligns):
                    raise Unsupported("a table row unlike its head")
                lines = self._lines(row.srcmap)
                # markdown-it ends a table at a line that starts a block
                # ("3) item"); the Rust port may take it as a row.
                if section == "tbody" and _BLOCK_START.match(self._text(row.srcmap)):
                    raise Unsupported("a table row that may start a block")
                self._push("tr_open", "tr", 1, level + 2).map = lines
                for align, column in zip(aligns, row.children, strict=True):
                    token = self._push(f"{cell}_open", cell, 1, level + 3)
                    if align != "none":
                        token.attrs["style"] = f"text-align:{align}"
                    span = column.srcmap or (0, 0)
                    self._inline(column.children, span, [lines[0], lines[0] + 1], level + 4)
                    self._push(f"{cell}_close", cell, -1, level + 3)
                self._push("tr_close", "tr", -1, level + 2)
            self._push(f"{section}_close", section, -1, level + 1)
        self._push("table_close", "table", -1, level)

    # --- inline: one flat list, adjacent text joined, levels counted from 0

    def _children(self, nodes: Sequence[Any], level: int, out: list[Token]) -> None:
        for node in nodes:
            name = node.name
            if name == "text":
                content = node.meta["content"]
                if out and out[-1].type == "text":
                    out[-1].content += content
                else:
                    out.append(_Token("text", "", 0, level, content))
            elif name == "softbreak" or name == "hardbreak":
                out.append(_Token(name, "br", 0, level))
            elif name == "text_special":
                meta = node.meta
                special = _Token("text_special", "", 0, level, meta["content"], meta["markup"])
                special.info = meta["info"]
                out.append(special)
            elif name == "strong":
                # markdown-it's "**" is two one-character text tokens: one
                # becomes the tag, the other stays as empty text (joined with
                # text beside it, if any).
                if not out or out[-1].type != "text":
                    out.append(_Token("text", "", 0, level))
                self._pair("strong", node.meta["marker"] * 2, node, level, out)
                out.append(_Token("text", "", 0, level))
            elif name == "em":
                self._pair("em", node.meta["marker"], node, level, out)
            elif name == "code_inline":
                # the two treat a line's trailing spaces in a code span differently
                if node.srcmap is None or "\n" in self._text(node.srcmap):
                    raise Unsupported("a code span over lines")
                meta = node.meta
                content = "".join(c.meta["content"] for c in node.children)
                markup = meta["marker"] * meta["marker_len"]
                out.append(_Token("code_inline", "code", 0, level, content, markup))
            elif name == "html_inline":
                out.append(_Token("html_inline", "", 0, level, node.meta["content"]))
            elif name == "link":
                attrs = self._link_attrs("href", node.meta)
                out.append(_Token("link_open", "a", 1, level, attrs=attrs))
                self._children(node.children, level + 1, out)
                out.append(_Token("link_close", "a", -1, level))
            elif name == "image":
                self._image(node, level, out)
            elif name == "autolink":
                self._autolink(node, level, out)
            else:
                raise Unsupported(f"inline {name}")

    def _pair(self, tag: str, markup: str, node: Any, level: int, out: list[Token]) -> None:
        out.append(_Token(f"{tag}_open", tag, 1, level, "", markup))
        self._children(node.children, level + 1, out)
        out.append(_Token(f"{tag}_close", tag, -1, level, "", markup))

    def _link_attrs(self, attr: str, meta: Any) -> dict[str, str | int | float]:
        url = meta["url"]
        if _BAD_SCHEME.match(url):
            raise Unsupported("a link markdown-it may refuse")
        if not _PLAIN_URL.fullmatch(url) and self._md.normalizeLink(url) != url:
            raise Unsupported("a link destination not in normal form")
        # markdown-it's normalizeLink strips what str.strip takes (a trailing
        # no-break space); the Rust port percent-encodes it.
        decoded = unquote(url) if "%" in url else ""
        if decoded != decoded.strip() or _UNICODE_SPACE.search(decoded):
            raise Unsupported("a link destination with a Unicode space")
        attrs: dict[str, str | int | float] = {attr: url}
        if attr == "src":
            attrs["alt"] = ""
        title = meta.get("title")
        if title:
            attrs["title"] = title
        return attrs

    def _image(self, node: Any, level: int, out: list[Token]) -> None:
        if node.srcmap is None:
            raise Unsupported("an image without a source position")
        alt: list[Token] = []
        self._children(node.children, 0, alt)
        image = _Token("image", "img", 0, level, attrs=self._link_attrs("src", node.meta))
        # markdown-it keeps the label as written (typography reads it)
        image.content = _image_label(self._text(node.srcmap))
        image.children = alt or None
        out.append(image)

    def _autolink(self, node: Any, level: int, out: list[Token]) -> None:
        md = self._md
        if node.srcmap is None:
            raise Unsupported("an autolink without a source position")
        url = self._text(node.srcmap)[1:-1]  # as written between < and >
        full = md.normalizeLink(url if AUTOLINK_RE.search(url) else "mailto:" + url)
        if full != node.meta["url"] or not md.validateLink(full):
            raise Unsupported("an autolink markdown-it would write otherwise")
        attrs: dict[str, str | int | float] = {"href": full}
        out.append(_Token("link_open", "a", 1, level, "", "autolink", attrs=attrs, info="auto"))
        out.append(_Token("text", "", 0, level + 1, md.normalizeLinkText(url)))
        out.append(_Token("link_close", "a", -1, level, "", "autolink", info="auto"))


def _image_label(written: str) -> str:
    """The label of ``![label](...)`` as written. A bracket, code span,
    autolink or HTML in it is left to markdown-it (they change where it ends)."""
    pos = 2
    while pos < len(written):
        char = written[pos]
        if char == "]":
            return written[2:pos]
        if char in "[`<":
            break
        pos += 2 if char == "\\" else 1
    raise Unsupported("an image label with brackets, code or HTML")
