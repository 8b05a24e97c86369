"""Running Pagefind: the articles' documents in, the index's files out.

Pagefind comes from PyPI: the ``pagefind`` package (its Python API) and the
binary in the ``pagefind-bin-extended`` wheel, found by the package's own
look-up (``pagefind.service.get_executable``: ``PAGEFIND_BINARY_PATH``, the
wheels, the PATH). The documents are written into a temporary folder and the
binary indexes that folder into another one, in one run of its command
line; each document's ``<html lang>`` puts it in its language's index
(Pagefind writes one per language, stemmed in it). (The API's
``PagefindIndex`` runs the same binary as a service, but its client reads
one answer per tenth of a second: 0.4 s for the smallest site against
0.03 s, paid by every build and test, and 1,000 s for a request per
article on 10,000 of them.) The index is read back and made
byte-stable (``canonical``); the caller puts it in the output with the
build's other outputs: nothing here touches the output folder.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from generator.config import SiteConfig
from generator.search import SEARCH_DIR, SearchDoc, doc_html
from generator.search.canonical import FormatError, canonical

TIMEOUT = 600.0  # seconds: 10,000 articles take a few


class SearchIndexError(Exception):
    """Pagefind could not make the index (its message says why)."""


@functools.cache
def pagefind_version() -> str:
    """The version of the Pagefind binary's package (part of the index's key;
    looked up once per process: every preview build asks)."""
    from importlib import metadata  # 20 ms: only for a site with search

    for name in ("pagefind-bin-extended", "pagefind-bin", "pagefind"):
        try:
            return f"{name} {metadata.version(name)}"
        except metadata.PackageNotFoundError:
            continue
    return "none"


def make_index(config: SiteConfig, docs: Sequence[SearchDoc]) -> dict[str, bytes]:
    """The index of ``docs``: every file of Pagefind's bundle, by its path
    in the output (``pagefind/...``); none for no articles (Pagefind makes
    no empty index). Raises ``SearchIndexError``."""
    if not docs:
        return {}
    with tempfile.TemporaryDirectory(prefix="digest-search-", dir=_scratch()) as tmp:
        pages, bundle = Path(tmp) / "pages", Path(tmp) / "bundle"
        pages.mkdir()
        made: set[Path] = set()
        for doc in docs:
            target = pages / doc.output
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_text(doc_html(config, doc), encoding="utf-8")
        _run(pages, bundle)
        _check_count(bundle, len(docs))
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


def _scratch() -> str | None:
    """Where the documents and the index are made: in memory (``/dev/shm``)
    when the machine has it and ``TMPDIR`` names no other place. On a slow
    disk, writing 1,000 small documents took 3.4 s there against 0.2 s in
    memory, and Pagefind's run half as long again."""
    if os.environ.get("TMPDIR"):
        return None
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


def _run(pages: Path, bundle: Path) -> None:
    try:
        from pagefind.service import get_executable
    except ImportError as exc:
        raise SearchIndexError("the pagefind package is not installed") from exc
    binary = get_executable()
    if binary is None:
        raise SearchIndexError("the Pagefind binary was not found (pagefind-bin-extended)")
    command = [
        str(binary),
        "--site",
        str(pages),
        "--output-path",
        str(bundle),
        "--quiet",
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SearchIndexError(f"Pagefind did not run: {exc}") from exc
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise SearchIndexError(said[-1] if said else f"Pagefind exited with {done.returncode}")


def _check_count(bundle: Path, count: int) -> None:
    """Every article is in the index (Pagefind skips a page it cannot read)."""
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        indexed = sum(lang["page_count"] for lang in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SearchIndexError(f"Pagefind wrote no index: {exc}") from exc
    if indexed != count:
        raise SearchIndexError(f"Pagefind indexed {indexed} of {count} articles")
