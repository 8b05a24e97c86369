"""A tiny HTML query helper on the standard library parser, so tests assert on
elements and attributes rather than on substrings."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr",
}  # fmt: skip


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element] = field(default_factory=list)
    parts: list[str | Element] = field(default_factory=list)
    parent: Element | None = None

    @property
    def text(self) -> str:
        out: list[str] = []
        for part in self.parts:
            out.append(part if isinstance(part, str) else part.text)
        return " ".join("".join(out).split())

    def iter(self) -> list[Element]:
        found: list[Element] = []
        for child in self.children:
            found.append(child)
            found.extend(child.iter())
        return found

    def matches(self, selector: str) -> bool:
        """Supports: tag, .class, #id, tag.class, [attr], [attr=value], tag[attr=value]."""
        tag, rest = selector, ""
        for sep in ".#[":
            if sep in tag:
                index = tag.index(sep)
                tag, rest = tag[:index], tag[index:] + rest
        if tag and tag != self.tag:
            return False
        while rest:
            if rest.startswith("."):
                end = _next_sep(rest, 1)
                if rest[1:end] not in self.attrs.get("class", "").split():
                    return False
            elif rest.startswith("#"):
                end = _next_sep(rest, 1)
                if self.attrs.get("id") != rest[1:end]:
                    return False
            elif rest.startswith("["):
                end = rest.index("]") + 1
                cond = rest[1 : end - 1]
                if "=" in cond:
                    name, value = cond.split("=", 1)
                    if self.attrs.get(name) != value.strip("\"'"):
                        return False
                elif cond not in self.attrs:
                    return False
            else:
                raise ValueError(selector)
            rest = rest[end:]
        return True

    def select(self, selector: str) -> list[Element]:
        """Descendant selectors separated by spaces."""
        steps = selector.split()
        current = [self]
        for step in steps:
            current = [e for c in current for e in c.iter() if e.matches(step)]
            current = _unique(current)
        return current

    def one(self, selector: str) -> Element:
        found = self.select(selector)
        assert len(found) == 1, f"{selector!r}: {len(found)} matches"
        return found[0]


def _unique(elements: list[Element]) -> list[Element]:
    seen: set[int] = set()
    out = []
    for e in elements:
        if id(e) not in seen:
            seen.add(id(e))
            out.append(e)
    return out


def _next_sep(text: str, start: int) -> int:
    for index in range(start, len(text)):
        if text[index] in ".#[":
            return index
    return len(text)


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        parent = self.stack[-1]
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=parent)
        parent.children.append(element)
        parent.parts.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        self.stack[-1].parts.append(data)


class Page(Element):
    """A parsed HTML document; ``source`` keeps the raw text."""

    def __init__(self, source: str) -> None:
        builder = _Builder()
        builder.feed(source)
        builder.close()
        super().__init__("#document", {}, builder.root.children, builder.root.parts)
        self.source = source

    def links(self) -> list[str]:
        return [e.attrs["href"] for e in self.select("a") if "href" in e.attrs]
