"""The desks of ``site.yaml``: ``sections:`` (key -> name, or -> ``{name,
description}``, in the order written) and ``nav:`` (the links the
navigation adds after the sections)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from generator.config.sections import type_name, unknown_in
from generator.config.settings import NavLink, Section
from generator.diagnostics import Diagnostic

# A section's key is a URL segment and a folder name: lower-case ASCII words.
SECTION_KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Keys whose page would take the place of another kind's: never a section.
RESERVED_KEYS = frozenset({"tags", "authors", "page", "static"})
SECTIONS_HINT = 'write sections as "politics: Politics", one a line'
NAV_HINT = 'write nav as a list of "- {label: About, url: /about/}"'


def read_sections(raw: object, bad: Any, diags: list[Diagnostic]) -> tuple[Section, ...]:
    """``sections:`` in order; each wrong entry is one error (``bad``)."""
    if not isinstance(raw, dict):
        bad("sections", f"expected a mapping of section keys to names, got {type_name(raw)}")
        return ()
    found: list[Section] = []
    for key, value in raw.items():
        where = f"sections.{key}"
        if not isinstance(key, str) or not SECTION_KEY.match(key) or key.isdigit():
            bad(
                f"sections.{key}",
                f"{key!r} cannot be a section key",
                "a key is lower-case letters, digits and - (it is the section's URL), "
                "and not only digits",
            )
            continue
        if key in RESERVED_KEYS:
            bad(where, f"{key!r} is taken by another kind of page", "choose another key")
            continue
        if isinstance(value, str) and value.strip():
            found.append(Section(key=key, name=value.strip()))
        elif isinstance(value, dict):
            diags += unknown_in(where, value, ("name", "description"), None)
            name, description = value.get("name"), value.get("description")
            if not isinstance(name, str) or not name.strip():
                bad(where, "has no name", f'write "{key}: {{name: ..., description: ...}}"')
            elif description is not None and not isinstance(description, str):
                bad(f"{where}.description", "expected text", "put the value in quotes")
            else:
                found.append(
                    Section(key=key, name=name.strip(), description=(description or "").strip())
                )
        else:
            bad(where, f"expected a name, got {type_name(value)}", SECTIONS_HINT)
    return tuple(found)


def read_nav(raw: object, bad: Any) -> tuple[NavLink, ...]:
    """``nav:``: a list of ``{label, url}``."""
    if not isinstance(raw, list):
        bad("nav", f"expected a list of links, got {type_name(raw)}", NAV_HINT)
        return ()
    links: list[NavLink] = []
    for number, item in enumerate(raw, start=1):
        label = item.get("label") if isinstance(item, dict) else None
        url = item.get("url") if isinstance(item, dict) else None
        if not isinstance(label, str) or not label.strip() or not isinstance(url, str):
            bad("nav", f"link {number} needs a label and a url", NAV_HINT)
            continue
        url = url.strip()
        if urlsplit(url).scheme not in ("", "http", "https") or not url:
            bad("nav", f"link {number}: {url!r} is not an http(s) URL or a path", NAV_HINT)
            continue
        links.append(NavLink(label=label.strip(), url=url))
    return tuple(links)
