"""Find the site's input files: articles and assets under ``content/``,
layouts and static files under ``layouts/`` (falling back to the built-in theme).

Only this module walks folders. It reads article bytes; assets are copied later
by path. Hidden files and editor droppings are never inputs (``is_ignored`` is
shared with the watcher).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CONTENT_DIR = "content"
LAYOUTS_DIR = "layouts"
STATIC_DIR = "static"  # inside layouts/ (and the theme): copied to output/static/
MARKDOWN_SUFFIXES = (".md", ".markdown")
THEME_DIR = Path(__file__).parent / "theme"

_IGNORED_NAMES = {"4913", ".DS_Store", "Thumbs.db", "desktop.ini"}
_IGNORED_SUFFIXES = (".swp", ".swo", ".swx", ".swpx", "~", ".tmp", ".bak", ".crdownload")


def is_readme(name: str) -> bool:
    """README files under content/ document the folder for editors; not articles."""
    return name.lower() in ("readme.md", "readme.markdown", "readme.txt", "readme")


def is_ignored(name: str) -> bool:
    """True for hidden files and the temporary files editors leave behind."""
    return (
        name.startswith(".")  # hidden, .#emacs-lock, .file.swp
        or name in _IGNORED_NAMES
        or name.endswith(_IGNORED_SUFFIXES)
        or (name.startswith("#") and name.endswith("#"))  # emacs autosave
        or "___jb_" in name  # JetBrains safe-write
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFile:
    """One Markdown article as bytes, with the hash that identifies its content."""

    rel: str  # site-relative POSIX path: "content/2026/budget.md"
    data: bytes
    stat: tuple[int, int] = (0, 0)  # (mtime_ns, size) when read: unchanged means not re-read
    digest: str = ""  # sha256 of data

    def __post_init__(self) -> None:
        if not self.digest:
            object.__setattr__(self, "digest", hashlib.sha256(self.data).hexdigest())


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetFile:
    """A file copied as it is into the output."""

    rel: str  # site-relative source path, for messages and the dependency map
    path: Path  # absolute source path
    dest: str  # output-relative POSIX path
    stat: tuple[int, int] = (0, 0)  # (mtime_ns, size)


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteFiles:
    articles: tuple[SourceFile, ...]
    assets: tuple[AssetFile, ...]  # content assets and theme/site static files
    content_paths: frozenset[str]  # content-relative paths of every content file


def walk(root: Path) -> list[Path]:
    """Every non-ignored regular file below ``root``, sorted, symlinks out of root skipped."""
    if not root.is_dir():
        return []
    resolved_root = root.resolve()
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not is_ignored(d))
        for name in sorted(filenames):
            if is_ignored(name):
                continue
            path = Path(dirpath) / name
            if path.is_symlink() and not path.resolve().is_relative_to(resolved_root):
                continue
            if path.is_file():
                found.append(path)
    return found


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return (st.st_mtime_ns, st.st_size)


def load_site_files(site_dir: Path, previous: Mapping[str, SourceFile] | None = None) -> SiteFiles:
    """Every input under ``content/`` and the static files. An article whose
    modification time and size match ``previous`` is not read again."""
    previous = previous or {}
    content = site_dir / CONTENT_DIR
    articles: list[SourceFile] = []
    assets: list[AssetFile] = []
    content_paths: set[str] = set()
    for path in walk(content):
        if is_readme(path.name):
            continue
        rel_content = path.relative_to(content).as_posix()
        content_paths.add(rel_content)
        rel = f"{CONTENT_DIR}/{rel_content}"
        try:
            stat = _stat(path)
        except OSError:  # deleted while we looked
            continue
        if path.suffix.lower() in MARKDOWN_SUFFIXES:
            known = previous.get(rel)
            if known is None or known.stat != stat:
                try:
                    known = SourceFile(rel=rel, data=path.read_bytes(), stat=stat)
                except OSError:
                    continue
            articles.append(known)
        else:
            assets.append(AssetFile(rel=rel, path=path, dest=rel_content, stat=stat))
    assets.extend(static_files(site_dir))
    return SiteFiles(
        articles=tuple(articles), assets=tuple(assets), content_paths=frozenset(content_paths)
    )


def static_files(site_dir: Path) -> list[AssetFile]:
    """Theme static files, overridden file by file by the site's ``layouts/static/``."""
    chosen: dict[str, AssetFile] = {}
    for base, label in ((THEME_DIR, "theme"), (site_dir / LAYOUTS_DIR, LAYOUTS_DIR)):
        static = base / STATIC_DIR
        for path in walk(static):
            rel_static = path.relative_to(static).as_posix()
            chosen[rel_static] = AssetFile(
                rel=f"{label}/{STATIC_DIR}/{rel_static}",
                path=path,
                dest=f"{STATIC_DIR}/{rel_static}",
                stat=_stat(path),
            )
    return [chosen[key] for key in sorted(chosen)]
