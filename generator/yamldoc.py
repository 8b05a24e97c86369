"""YAML mappings with the line of every top-level key.

Front matter and ``site.yaml`` are both read with this, so every error about a
field can name the line the field is on. One parse gives both the node tree
(for lines and for the text as written) and the Python values.

Editors write ``headline: Budget: the numbers behind the deal``, which YAML
cannot read (a second ``: `` on a line starts a mapping). For the keys the
caller names as one-line text, such a line is read as written, as if it had
been quoted, and reported back (``YamlMapping.repaired``) so the caller can
warn with the quoted form as the fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from generator.diagnostics import Diagnostic, warning

try:  # libyaml is about 8x faster; the pure-Python loader is the fallback.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    """Safe loading, except that an impossible timestamp (2026-13-45) stays a
    string for the caller to report, instead of a ValueError from PyYAML."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


QUOTING_HINT = "values containing ': ' or starting with a quote, [ or # need quotes"
MAX_REPAIRS = 20  # lines read as written, at most, before the YAML error is reported

# A top-level ``key: value`` line whose value is plain text: no quote, flow
# collection, anchor, alias, tag, block scalar, list item or comment opens it.
_ONE_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):[ \t]+([^\s\"'\[\]{}&*!|>\-#%@`?,].*?)[ \t]*")


@dataclass(frozen=True, slots=True)
class Repair:
    """A line read as written although YAML cannot read it unquoted."""

    key: str
    line: int  # 0-based within the YAML text
    quoted: str  # the line as it should be written: 'headline: "Budget: the numbers"'

    @property
    def message(self) -> str:
        return f"{self.key}: text with ': ' in it needs quotes; read as the whole line"

    @property
    def hint(self) -> str:
        return f"write it as: {self.quoted}"


def repair_warnings(path: str, repaired: tuple[Repair, ...], first_line: int) -> list[Diagnostic]:
    """A warning per line read as written; the YAML text starts on
    ``first_line`` (1-based) of the file ``path``."""
    return [warning(path, r.message, line=r.line + first_line, hint=r.hint) for r in repaired]


@dataclass(frozen=True, slots=True)
class YamlMapping:
    values: dict[str, Any]
    lines: dict[str, int]  # key -> 0-based line within the YAML text
    raw: dict[str, str | None]  # key -> the scalar exactly as written (None if not a scalar)
    raw_items: dict[str, tuple[str | None, ...]]  # key -> list items as written
    duplicates: tuple[tuple[str, int], ...]  # keys given twice, with the later line
    repaired: tuple[Repair, ...] = ()  # lines with ': ' in unquoted text, read as written
    item_lines: dict[str, tuple[int, ...]] = field(default_factory=dict)  # key -> list items' lines


class YamlError(Exception):
    def __init__(
        self,
        message: str,
        line: int | None,
        repaired: tuple[Repair, ...] = (),
        hint: str = QUOTING_HINT,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line  # 0-based within the YAML text, if known
        self.repaired = repaired  # lines read as written before this error was found
        self.hint = hint


def load_mapping(text: str, *, one_line_text: Callable[[str], bool] | None = None) -> YamlMapping:
    """Parse ``text`` as one YAML mapping (an empty document is an empty mapping).

    A top-level line whose key ``one_line_text`` accepts, with a plain value
    that has ``: `` in it (``headline: Budget: the numbers``), is read as the
    whole value written, as if quoted; the lines so read are in ``repaired``.
    Each keeps its line number, so every other line is where it was."""
    repairs: list[Repair] = []
    while True:
        try:
            return replace(_load(text), repaired=tuple(repairs))
        except yaml.MarkedYAMLError as exc:
            repair = None
            if one_line_text is not None and len(repairs) < MAX_REPAIRS:
                repair = _repair(text, exc, one_line_text)
            if repair is None:
                raise _error(exc, tuple(repairs)) from None
            repairs.append(repair)
            lines = text.split("\n")
            lines[repair.line] = repair.quoted
            text = "\n".join(lines)
        except yaml.reader.ReaderError as exc:  # a character YAML refuses (NUL, ...)
            line = text.count("\n", 0, exc.position)
            name = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "a byte"
            raise YamlError(
                f"a control character ({name}) is not allowed here",
                line,
                tuple(repairs),
                hint="delete it: it often comes with text pasted from elsewhere",
            ) from None
        except yaml.YAMLError as exc:
            raise YamlError(str(exc), None, tuple(repairs)) from None
        except YamlError as exc:
            raise YamlError(exc.message, exc.line, tuple(repairs), exc.hint) from None


def _error(exc: yaml.MarkedYAMLError, repaired: tuple[Repair, ...]) -> YamlError:
    # For an unclosed [, { or quote, where it starts is where to look: the
    # problem mark is where the parser gave up, often a line later.
    context = exc.context or ""
    unclosed = "flow" in context or "quoted" in context
    mark = exc.context_mark if unclosed and exc.context_mark else exc.problem_mark
    problem = exc.problem or str(exc)
    return YamlError(_describe(problem, exc.context), mark.line if mark else None, repaired)


def _repair(
    text: str, exc: yaml.MarkedYAMLError, one_line_text: Callable[[str], bool]
) -> Repair | None:
    """The line YAML stopped at, quoted, if it is a one-line text setting
    with ': ' in its plain value (the error PyYAML gives for that: "mapping
    values are not allowed here", or "... in this context" from libyaml)."""
    mark = exc.problem_mark
    if mark is None or exc.context or not (exc.problem or "").startswith("mapping values"):
        return None
    lines = text.split("\n")
    if mark.line >= len(lines):
        return None
    match = _ONE_LINE.fullmatch(lines[mark.line])
    if match is None or ": " not in match[2] or not one_line_text(match[1]):
        return None
    # The next line must not continue the value (an indented line would).
    following = next((line for line in lines[mark.line + 1 :] if line.strip()), "")
    if following[:1].isspace():
        return None
    key, value = match[1], match[2]
    # A JSON string is a valid YAML double-quoted scalar (" and \ escaped).
    return Repair(key, mark.line, f"{key}: {json.dumps(value, ensure_ascii=False)}")


MAX_VALUES = 10_000  # values a document may expand to, aliases followed
MAX_DEPTH = 64  # lists and mappings inside each other


def _check_size(root: yaml.MappingNode) -> None:
    """Refuse a document that aliases would expand beyond ``MAX_VALUES`` (a
    "billion laughs" of 1 KB becomes gigabytes), nests deeper than
    ``MAX_DEPTH``, or holds an alias inside the value it names (a loop):
    each an error at the line of the top-level key it is under."""
    sizes: dict[int, int] = {}  # node id -> expanded size, for nodes seen whole
    open_nodes: set[int] = set()  # the nodes being walked: meeting one again is a loop

    aliased = False  # met a node twice: an alias repeats it

    def size(node: yaml.Node, depth: int) -> int:
        nonlocal aliased
        known = sizes.get(id(node))
        if known is not None:
            aliased = True
            return known
        if id(node) in open_nodes:
            raise _TooBig("an alias refers to the value it is in (a loop)", "remove the alias")
        if depth > MAX_DEPTH:
            raise _TooBig(f"lists and mappings nested more than {MAX_DEPTH} deep", _FLATTER)
        total = 1
        if isinstance(node, yaml.SequenceNode | yaml.MappingNode):
            open_nodes.add(id(node))
            for child in node.value:  # nodes, or (key, value) pairs of nodes
                pair = child if isinstance(child, tuple) else (child,)
                for item in pair:
                    total += size(item, depth + 1)
                    if total > MAX_VALUES:
                        raise _TooBig(_too_many(aliased), _FLATTER if aliased else _FEWER)
            open_nodes.discard(id(node))
        sizes[id(node)] = total
        return total

    total = 0
    for key_node, value_node in root.value:
        try:
            total += size(value_node, 1)
            if total > MAX_VALUES:
                raise _TooBig(f"the document expands to more than {MAX_VALUES:,} values", _FLATTER)
        except _TooBig as exc:
            message, hint = exc.args
            line = key_node.start_mark.line
            raise YamlError(f"{key_node.value}: {message}", line, hint=hint) from None


def _too_many(aliased: bool) -> str:
    if aliased:
        return f"the value expands to more than {MAX_VALUES:,} values through aliases (*name)"
    return f"the value holds more than {MAX_VALUES:,} values"


_FEWER = "front matter and settings hold a few values, not thousands"
_FLATTER = "front matter and settings hold a few values: write them out, without aliases"


class _TooBig(Exception):
    """(message, hint)"""


def _load(text: str) -> YamlMapping:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlMapping({}, {}, {}, {}, ())
        if not isinstance(node, yaml.MappingNode):
            raise YamlError(
                "expected 'key: value' lines, found a single value",
                node.start_mark.line,
            )
        _check_size(node)
        data = loader.construct_document(node)
    finally:
        loader.dispose()

    lines: dict[str, int] = {}
    raw: dict[str, str | None] = {}
    raw_items: dict[str, tuple[str | None, ...]] = {}
    item_lines: dict[str, tuple[int, ...]] = {}
    duplicates: list[tuple[str, int]] = []
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key in lines:
            duplicates.append((key, key_node.start_mark.line))
        lines[key] = key_node.start_mark.line
        raw[key] = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
        if isinstance(value_node, yaml.SequenceNode):
            raw_items[key] = tuple(
                item.value if isinstance(item, yaml.ScalarNode) else None
                for item in value_node.value
            )
            item_lines[key] = tuple(item.start_mark.line for item in value_node.value)
    values = {str(k): v for k, v in data.items()}
    return YamlMapping(values, lines, raw, raw_items, tuple(duplicates), item_lines=item_lines)


def _describe(problem: str, context: str | None) -> str:
    text = problem
    if context:
        text = f"{context}: {problem}"
    return f"invalid YAML: {text}"


def plain(value: Any) -> Any:
    """A YAML value with one canonical text: sets (``!!set``, whose order no
    two runs repeat) become sorted lists."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=repr)
    return value
