"""Running Pagefind: the articles' documents in, the index's files out.

Pagefind's Python API (the ``pagefind`` package, its binary from
``pagefind-bin-extended``) runs the Pagefind binary as a service. Its client
reads one answer per tenth of a second, so a request per article would take
1,000 s for 10,000 of them: the documents are written into a temporary
folder instead and indexed with one ``add_directory``, and the index is
written into another temporary folder, read back, and made byte-stable
(``canonical``). The caller puts the files in the output with the rest of
the build's outputs: nothing here touches the output folder.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from generator.config import SiteConfig
from generator.search import SEARCH_DIR, SearchDoc, doc_html, index_language
from generator.search.canonical import FormatError, canonical


class SearchIndexError(Exception):
    """Pagefind could not make the index (its message says why)."""


def pagefind_version() -> str:
    """The version of the Pagefind binary's package (part of the index's key)."""
    for name in ("pagefind-bin-extended", "pagefind-bin", "pagefind"):
        try:
            return f"{name} {metadata.version(name)}"
        except metadata.PackageNotFoundError:
            continue
    return "none"


def make_index(config: SiteConfig, docs: Sequence[SearchDoc]) -> dict[str, bytes]:
    """The index of ``docs``: every file of Pagefind's bundle, by its path
    in the output (``pagefind/...``). Raises ``SearchIndexError``."""
    with tempfile.TemporaryDirectory(prefix="digest-search-") as tmp:
        pages, bundle = Path(tmp) / "pages", Path(tmp) / "bundle"
        pages.mkdir()
        made: set[Path] = set()
        for doc in docs:
            target = pages / doc.output
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_text(doc_html(config, doc), encoding="utf-8")
        try:
            asyncio.run(_run(str(pages), str(bundle), index_language(config), len(docs)))
        except SearchIndexError:
            raise
        except Exception as exc:  # the service's errors are plain Exceptions
            raise SearchIndexError(str(exc) or type(exc).__name__) from exc
        files = {
            path.relative_to(bundle).as_posix(): path.read_bytes()
            for path in sorted(bundle.rglob("*"))
            if path.is_file()
        }
    try:
        files = canonical(files)
    except (FormatError, ValueError, KeyError) as exc:
        raise SearchIndexError(f"Pagefind wrote an index this version cannot read: {exc}") from exc
    return {f"{SEARCH_DIR}/{path}": data for path, data in sorted(files.items())}


async def _run(pages: str, bundle: str, language: str, count: int) -> None:
    try:
        from pagefind.index import IndexConfig, PagefindIndex
    except ImportError as exc:
        raise SearchIndexError("the pagefind package is not installed") from exc
    config = IndexConfig(force_language=language, output_path=bundle)
    try:
        async with PagefindIndex(config=config) as index:
            found = await index.add_directory(pages)
    except FileNotFoundError as exc:  # no binary
        raise SearchIndexError(str(exc)) from exc
    if found.get("page_count") != count:
        raise SearchIndexError(f"Pagefind indexed {found.get('page_count')} of {count} articles")
