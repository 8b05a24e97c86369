"""A faster Markdown parse, giving markdown-it-py's very tokens.

markdown-it-py stays the reference for what Markdown means; its block and
inline parsers are half the time a body takes. markdown_it_pyrs (the Rust
port, bound by the markdown-it-py maintainers) parses the same CommonMark
about ten times faster, into a tree. ``FastMarkdown`` turns that tree into
the ``Token`` list markdown-it-py's ``block`` and ``inline`` rules would have
made (types, tags, nesting, levels, attributes, contents, tight lists'
hidden paragraphs, the first line of every inline token), then runs the
same core rules that follow them (heading ids, typography, links to other
files) and hands the tokens to the same renderer: everything after the
parse is shared code.

A document the converter cannot vouch for takes markdown-it-py's parse,
whole: cheap checks on the text first (footnotes, tabs, link schemes
markdown-it refuses), then anything unknown met in the tree (a node type,
a link destination not already in normal form). ``Paths`` counts which way
each document went.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# Text that makes a document take markdown-it-py's parse at once:
# - "[^": footnotes (the plugins' token shapes differ);
# - "~~": strikethrough (the two split runs of tildes differently: "~~~~");
# - a tab: the parsers' column arithmetic around tabs is not worth the risk;
# - a link to one of the schemes markdown-it's validateLink refuses (the
#   Rust port's list may not be the same), or a data: image;
# - a line with nothing but a list marker (an empty item: the two differ on
#   where a block quote's lazy paragraph ends before it);
# - a NUL or a lone CR (normalize turns them into U+FFFD and LF: rare).
_FALLBACK_TEXT = re.compile(
    r"\[\^|~~|\t|\r|\x00|(?:^|[\s(<:])(?i:javascript|vbscript|file|data):"
    r"|(?m:^ *(?:[-*+]|\d{1,9}[.)]) *$)"
)


_BACKTICKS = re.compile(r"`+")
# A code fence's line, inside block quotes and list items too: no inline text.
_FENCE_LINE = re.compile(r"[ >*+\-\d.)]*```[^`]*$")


def _lone_backticks(src: str) -> bool:
    """A run of backticks no later run of the same length closes, within
    its line (or table cell), or an escaped backtick. markdown_it_pyrs 0.4
    (markdown-it.rs 0.6) panics on such a run after a "[" in the same
    paragraph: its code-span cache is read out of bounds when the link
    label's scan and the parse both try the run ("[`" is enough)."""
    if "\\`" in src:
        return True
    for line in src.split("\n"):
        if "`" not in line or _FENCE_LINE.match(line):
            continue
        for part in line.split("|"):
            waiting = 0
            for run in _BACKTICKS.finditer(part):
                length = run.end() - run.start()
                if not waiting:
                    waiting = length
                elif length == waiting:
                    waiting = 0
            if waiting:
                return True
    return False


_DELIMITERS = re.compile(r"\*++|_++")


def _both_flanking(src: str) -> bool:
    """A * or _ run that may both open and close emphasis ("a**b", "a***b",
    "(_)"): CommonMark's rule of three decides those, and the Rust port
    applies it otherwise after a run is partly used ("*a***b*c*")."""
    for run in _DELIMITERS.finditer(src):
        start, end = run.span()
        if start and src[start - 1] == "\\" and src[start - 2 : start] != "\\\\":
            start += 1  # the first is escaped
        if start == 0 or end == len(src) or start == end:
            continue
        before, after = src[start - 1], src[end]
        if before.isspace() or after.isspace():
            continue
        if before.isalnum() == after.isalnum() and (run.group()[0] == "*" or not after.isalnum()):
            return True
    return False


@dataclass
class Paths:
    """How many documents took each path, and why the others fell back."""

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


class FastMarkdown:
    """Parses like ``md`` (a configured markdown-it-py instance: CommonMark,
    tables, strikethrough, footnotes, raw HTML), faster where it can."""

    def __init__(self, md: MarkdownIt, paths: Paths | None = None) -> None:
        from markdown_it_pyrs import MarkdownIt as RustMarkdownIt

        self._md = md
        # Footnotes on, so a footnote the text check missed is a node the
        # converter does not know (and the document falls back).
        self._rust = RustMarkdownIt("commonmark").enable_many(
            ["table", "strikethrough", "footnote"]
        )
        names = md.core.ruler.get_active_rules()
        rules = md.core.ruler.getRules("")
        # The core rules after markdown-it's own parse: ours and typography.
        self._after = rules[names.index("inline") + 1 :]
        self.paths = paths if paths is not None else Paths()

    def parse(self, src: str, env: dict[str, Any]) -> list[Token]:
        """The tokens ``md.parse(src, env)`` gives, by the fast path when it can."""
        tokens = self._fast(src, env)
        if tokens is None:
            return self._md.parse(src, env)
        return tokens

    def _fast(self, src: str, env: dict[str, Any]) -> list[Token] | None:
        from markdown_it.rules_core import StateCore

        from generator.parse.mdtree import Unsupported, tokens

        found = _FALLBACK_TEXT.search(src)
        if found:
            self.paths.fell_back(f"text {found.group()!r}")
            return None
        if _both_flanking(src):
            self.paths.fell_back("a * or _ that may both open and close")
            return None
        if "`" in src and "[" in src and _lone_backticks(src):
            self.paths.fell_back("a lone backtick and a bracket")
            return None
        try:
            tree = self._rust.tree(src)
        except BaseException as error:  # a Rust panic is a BaseException
            if type(error).__name__ != "PanicException":
                raise
            self.paths.fell_back("the Rust parser failed")
            return None
        try:
            parsed = tokens(src, self._md, tree)
        except Unsupported as why:
            self.paths.fell_back(str(why))
            return None
        state = StateCore(src, self._md, env, parsed)
        for rule in self._after:
            rule(state)
        self.paths.fast += 1
        return state.tokens
