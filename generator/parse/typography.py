# ruff: noqa: RUF001, RUF002 -- typographic characters are the subject of this module
"""Typographic quotes, dashes and ellipses in article text, per language.

Editors type on keyboards: ``"quoted"``, ``it's``, ``1990--2000``, ``a --- b``
and ``wait...``. Published text wants ``“quoted”``, ``it’s``, ``1990–2000``,
``a — b`` and ``wait…``, with the quotation marks of the article's language.
These markdown-it core rules do that to the text of a body (the renderer in
``markdown.py`` installs them) and, through ``PlainText``, to the headline
and standfirst, so the same sentence comes out the same in all three.

Only three replacements besides quotes: ``--`` -> – (en dash), ``---`` -> —
(em dash), exactly ``...`` -> … (ellipsis). markdown-it's own
``replacements`` rule is not used: it also turns ``(c)`` into ©, ``(r)``
into ®, ``(tm)`` into ™, ``+-`` into ±, two dots into an ellipsis and
squeezes ``!!!!`` and ``,,``, which a newsroom's text does not want ("exhibit
(c)", "a +-5 tolerance", "1..10").

Left alone: code spans and blocks, raw HTML, link destinations and titles,
autolinks and bare URLs in the text (``https://...``, ``www....``), anything
written with a backslash (``\\"``, ``\\-\\-``) or as an entity (``&quot;``): the
way to keep a straight quote. Dashes follow markdown-it's rules: ``--``
between spaces or between two non-space characters (``a -- b``,
``1990--2000``), not ``--flag``.

Quotation marks by language (``lang:`` of the article, else the site's
``language``; the most specific entry wins, ``de-CH`` before ``de``; a
language not in the table gets English ones):

======================  ==========  ==========  ==============================
language                "double"    'single'    note
======================  ==========  ==========  ==============================
en (and the rest)       “ ”         ‘ ’
de, cs, sk, is          „ “         ‚ ‘
de-CH, de-LI            « »         ‹ ›         Swiss usage, no spaces
da                      » «         › ‹
fr                      « »         “ ”         U+202F (narrow no-break space)
                                                inside « », see below
sv, fi                  ” ”         ’ ’
nb, nn, no              « »         ‘ ’
es, it, pt              « »         “ ”         pt-BR: “ ” ‘ ’
pl                      „ ”         « »
ru, uk                  « »         „ “
hu                      „ ”         » «
======================  ==========  ==========  ==============================

An apostrophe is always ’ (``it's``, ``l'été``, ``Lars' bil``).

French: the guillemets get a narrow no-break space (U+202F) inside, and a
space written before ``; : ! ?`` or inside typed « » becomes one (so the
mark never starts a line). Digest does not add a space that is not written:
``10:30``, ``http:`` and ``C:`` stay as they are. (Some houses prefer a
full-width no-break space before the colon; this table uses U+202F for all.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

Quotes = tuple[str, str, str, str]  # double open, double close, single open, single close

NNBSP = "\u202f"  # narrow no-break space
_ENGLISH: Quotes = ("“", "”", "‘", "’")
_GERMAN: Quotes = ("„", "“", "‚", "‘")
_SWISS: Quotes = ("«", "»", "‹", "›")
_SOUTHERN: Quotes = ("«", "»", "“", "”")
QUOTES: dict[str, Quotes] = {
    "en": _ENGLISH,
    "de": _GERMAN,
    "de-ch": _SWISS,
    "de-li": _SWISS,
    "cs": _GERMAN,
    "sk": _GERMAN,
    "is": _GERMAN,
    "da": ("»", "«", "›", "‹"),
    "fr": ("«" + NNBSP, NNBSP + "»", "“", "”"),
    "sv": ("”", "”", "’", "’"),
    "fi": ("”", "”", "’", "’"),
    "nb": ("«", "»", "‘", "’"),
    "nn": ("«", "»", "‘", "’"),
    "no": ("«", "»", "‘", "’"),
    "es": _SOUTHERN,
    "it": _SOUTHERN,
    "pt": _SOUTHERN,
    "pt-br": _ENGLISH,
    "pl": ("„", "”", "«", "»"),
    "ru": ("«", "»", "„", "“"),
    "uk": ("«", "»", "„", "“"),
    "hu": ("„", "”", "»", "«"),
}
_SPACED = {"fr"}  # a narrow no-break space before ; : ! ?


@dataclass(frozen=True, slots=True)
class Style:
    """How one language's text is set: its entry in ``QUOTES``."""

    name: str  # the entry: "en", "de-ch"
    quotes: Quotes
    spaced: bool  # French spacing before ; : ! ? and inside « »


def style_for(lang: str) -> Style:
    """The most specific entry for a language tag: de-CH-1996, de-CH, de."""
    parts = lang.lower().split("-")
    for end in range(len(parts), 0, -1):
        name = "-".join(parts[:end])
        if name in QUOTES:
            return Style(name, QUOTES[name], parts[0] in _SPACED)  # fr, fr-CA, fr-CH
    return Style("en", _ENGLISH, False)


def install(md: MarkdownIt, style: Style) -> MarkdownIt:
    """Set ``md``'s text in ``style``. The rules run after the inline parse
    and before escapes are joined back into the text (``text_join``), so a
    backslash-escaped quote or dash stays as written."""
    md.options["typographer"] = True  # read by markdown-it's smartquotes rule
    md.options["quotes"] = list(style.quotes)  # strings, so "«\u202f" may be two characters
    md.core.ruler.before("smartquotes", "digest_dashes", _dashes)
    md.enable("smartquotes")
    if style.spaced:
        md.core.ruler.after("smartquotes", "digest_french_spaces", _french_spaces)
    return md


class PlainText:
    """Sets plain text (a headline, a standfirst) with the very rules a body
    gets: one inline parse with nothing but text, so ``*`` or ``<b>`` stay
    characters. One small parser per language style, made when first used."""

    def __init__(self) -> None:
        self._parsers: dict[Style, MarkdownIt] = {}

    def __call__(self, text: str, lang: str) -> str:
        if not _ANY_WORK.search(text):
            return text  # most headlines: nothing any rule would change
        style = style_for(lang)
        md = self._parsers.get(style)
        if md is None:
            from markdown_it import MarkdownIt

            md = self._parsers[style] = install(MarkdownIt("zero"), style)
        tokens = md.parseInline(text)
        return "".join(t.content for t in tokens[0].children or () if t.type == "text")


# markdown-it's dash patterns (rules_core/replacements.py), without the rest.
_EM_DASH = re.compile(r"(^|[^-])---(?=[^-]|$)", re.MULTILINE)
_EN_DASH = re.compile(r"(^|\s)--(?=\s|$)", re.MULTILINE)
_EN_DASH_WORDS = re.compile(r"(^|[^-\s])--(?=[^-\s]|$)", re.MULTILINE)
_ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
# Text none of the rules would change has none of these.
_ANY_WORK = re.compile(r"['\"]|--|\.\.\.|[ \u00a0][;:!?»]|«[ \u00a0]")
# A bare URL in running text, without the punctuation that ends a sentence.
_URL = re.compile(r"(?:\b[A-Za-z][A-Za-z0-9+.\-]*://|\bwww\.)[^\s<>]*[^\s<>.,;:!?'\")\]]")


def _dashes(state: StateCore) -> None:
    """Dashes and ellipses in text; bare URLs set apart (as ``text_special``,
    joined back later) so neither this rule nor the quotes touch them."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        if not needs_work(block.content):
            continue
        children: list[Token] = []
        for token, in_autolink in _outside_autolinks(block.children):
            text = token.content
            if token.type != "text" or in_autolink or not needs_work(text):
                children.append(token)
                continue
            pieces = dashed(text)
            if len(pieces) == 1 and pieces[0][0] == "text":
                token.content = pieces[0][1]
                children.append(token)
            else:
                children.extend(_like(token, kind, content) for kind, content in pieces)
        block.children = children


def dashed(text: str) -> list[tuple[str, str]]:
    """One text token's text with dashes and ellipses set, as the tokens it
    becomes: ("text", ...) pieces, and ("text_special", url) for each bare
    URL, which no later rule may change. Shared with the fast path
    (``fastmd.py``), which sets text it finds in HTML."""
    pieces: list[tuple[str, str]] = []
    start = 0
    for url in _URL.finditer(text) if "://" in text or "www." in text else ():
        if url.start() > start:
            pieces.append(("text", _set_dashes(text[start : url.start()])))
        pieces.append(("text_special", url.group()))
        start = url.end()
    if start == 0:
        return [("text", _set_dashes(text))]
    if start < len(text):
        pieces.append(("text", _set_dashes(text[start:])))
    return pieces


def _outside_autolinks(tokens: list[Token]) -> Iterator[tuple[Token, bool]]:
    """Each inline token, and whether it is inside an autolink (``<https://...>``),
    whose text is a URL that no rule may change."""
    in_autolink = False
    for token in tokens:
        if token.info == "auto" and token.type in ("link_open", "link_close"):
            in_autolink = token.type == "link_open"
        yield token, in_autolink


def needs_work(text: str) -> bool:
    """Dashes or dots to set, or a URL to keep from the quotes rule."""
    return (
        "--" in text
        or "..." in text
        or (("://" in text or "www." in text) and ('"' in text or "'" in text))
    )


def _like(token: Token, kind: str, content: str) -> Token:
    from markdown_it.token import Token

    return Token(kind, "", 0, content=content, level=token.level)


def _set_dashes(text: str) -> str:
    if "--" in text:
        text = _EM_DASH.sub("\\1\u2014", text)
        text = _EN_DASH.sub("\\1\u2013", text)
        text = _EN_DASH_WORDS.sub("\\1\u2013", text)
    if "..." in text:
        text = _ELLIPSIS.sub("\u2026", text)
    return text


# A written space (or no-break space) before ; : ! ? that ends a word (not
# "a :b" or "x :// y"), after « or before ».
_FRENCH_SPACE = re.compile(r"(?<!\s)[ \u00a0](?=[;:!?](?![\w/]))|(?<=«)[ \u00a0]|[ \u00a0](?=»)")


def _french_spaces(state: StateCore) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        for token, in_autolink in _outside_autolinks(block.children):
            if token.type == "text" and not in_autolink:
                token.content = french_spaced(token.content)


def french_spaced(text: str) -> str:
    """A text token's text with French spaces set (see the module's docstring)."""
    return _FRENCH_SPACE.sub(NNBSP, text)
