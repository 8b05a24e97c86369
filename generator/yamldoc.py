"""YAML mappings with the line of every top-level key.

Front matter and ``site.yaml`` are both read with this, so every error about a
field can name the line the field is on. One parse gives both the node tree
(for lines and for the text as written) and the Python values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

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


@dataclass(frozen=True, slots=True)
class YamlMapping:
    values: dict[str, Any]
    lines: dict[str, int]  # key -> 0-based line within the YAML text
    raw: dict[str, str | None]  # key -> the scalar exactly as written (None if not a scalar)
    raw_items: dict[str, tuple[str | None, ...]]  # key -> list items as written
    duplicates: tuple[tuple[str, int], ...]  # keys given twice, with the later line


class YamlError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line  # 0-based within the YAML text, if known


def load_mapping(text: str) -> YamlMapping:
    """Parse ``text`` as one YAML mapping (an empty document is an empty mapping)."""
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
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        # For an unclosed [, { or quote, where it starts is where to look: the
        # problem mark is where the parser gave up, often a line later.
        context = exc.context or ""
        unclosed = "flow" in context or "quoted" in context
        mark = exc.context_mark if unclosed and exc.context_mark else exc.problem_mark
        problem = exc.problem or str(exc)
        raise YamlError(_describe(problem, exc.context), mark.line if mark else None) from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc), None) from None
    finally:
        loader.dispose()

    lines: dict[str, int] = {}
    raw: dict[str, str | None] = {}
    raw_items: dict[str, tuple[str | None, ...]] = {}
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
    values = {str(k): v for k, v in data.items()}
    return YamlMapping(values, lines, raw, raw_items, tuple(duplicates))


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
