"""Find the site's input files: articles and assets under ``content/``,
layouts and static files under ``layouts/`` (falling back to the built-in theme).

Only this module walks folders. It reads nothing: articles are read when they
are parsed, assets are copied later by path. Hidden files and editor
droppings are never inputs (``is_ignored`` is shared with the watcher).
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

from generator.diagnostics import Diagnostic, error, warning

CONTENT_DIR = "content"
LAYOUTS_DIR = "layouts"
STATIC_DIR = "static"  # inside layouts/ (and the theme): copied to output/static/
MARKDOWN_SUFFIXES = (".md", ".markdown")
THEME_DIR = Path(__file__).parent / "theme"
PROFILES_DIR = "authors"  # content/authors/*.md: author profiles, never articles

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
    """One Markdown article, by its stat: it is read when it is parsed."""

    rel: str  # site-relative POSIX path: "content/2026/budget.md"
    stat: tuple[int, int]  # (mtime_ns, size)


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
    layouts: tuple[tuple[str, int, int], ...]  # every layout file: (name, mtime_ns, size)
    problems: tuple[Diagnostic, ...] = ()  # symlinks that loop, or lead to a folder read already


@dataclass(frozen=True, slots=True)
class Entry:
    rel: str  # POSIX path relative to the folder scanned
    where: str  # the file's path, as the folder scanned was given
    stat: tuple[int, int]  # (mtime_ns, size)

    @property
    def path(self) -> Path:
        return Path(self.where)


@dataclass(slots=True)
class Links:
    """What a scan found wrong with symbolic links, by path under the folder
    scanned: loops (an error: the file cannot be read), and links to a folder
    inside it, which is read by its own name (a warning: read once)."""

    loops: dict[str, str] = field(default_factory=dict)  # rel -> "a.md -> b.md -> a.md"
    inside: dict[str, str] = field(default_factory=dict)  # rel -> the folder it leads to

    def problems(self, prefix: str) -> list[Diagnostic]:
        found = [
            error(f"{prefix}{rel}", f"symlink loop: {chain}", hint="point the link at a real file")
            for rel, chain in self.loops.items()
        ]
        found += [
            warning(
                f"{prefix}{rel}",
                f"a link to {prefix}{target + '/' if target else ''}, which is read by its "
                "own name: not read twice",
                hint="remove the link",
            )
            for rel, target in self.inside.items()
        ]
        return sorted(found, key=lambda d: d.path)


def scan(root: Path, links: Links | None = None) -> list[Entry]:
    """Every non-ignored regular file below ``root`` with its stat, sorted by
    path. Symlinks leading out of ``root`` are skipped; so are links to a
    folder inside it (its files are found by their own paths, and a link to
    a folder above would repeat the tree without end) and links that loop,
    which ``links`` collects. One ``stat`` per file, and no ``Path``
    object: a site has tens of thousands of files."""
    if not root.is_dir():
        return []
    real_root: str | None = None
    found: list[Entry] = []
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if is_ignored(name):
                continue
            try:
                if entry.is_symlink():
                    real_root = real_root or os.path.realpath(root)
                    target = os.path.realpath(entry.path)
                    if os.path.commonpath([real_root, target]) != real_root:
                        continue  # leads out of the folder
                    if _loops(entry.path):
                        if links is not None:
                            links.loops[f"{prefix}{name}"] = _chain(entry.path)
                        continue
                    if entry.is_dir():
                        if links is not None:
                            inside = os.path.relpath(target, real_root).replace(os.sep, "/")
                            links.inside[f"{prefix}{name}"] = "" if inside == "." else inside
                        continue
                if entry.is_dir():
                    stack.append((entry.path, f"{prefix}{name}/"))
                elif entry.is_file():
                    st = entry.stat()
                    found.append(Entry(f"{prefix}{name}", entry.path, (st.st_mtime_ns, st.st_size)))
            except OSError:  # vanished while we looked
                continue
    found.sort(key=lambda e: e.rel)
    return found


def _loops(path: str) -> bool:
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _chain(path: str) -> str:
    """``a.md -> b.md -> a.md``: the links followed until one repeats."""
    names = [os.path.basename(path)]
    seen = {os.path.abspath(path)}
    here = path
    for _ in range(40):
        try:
            target = os.readlink(here)
        except OSError:
            break
        names.append(target)
        here = os.path.normpath(os.path.join(os.path.dirname(here), target))
        if os.path.abspath(here) in seen:
            break
        seen.add(os.path.abspath(here))
    return " -> ".join(names)


def load_site_files(site_dir: Path) -> SiteFiles:
    """Every input under ``content/``, the static files and the layouts, by
    their stat: nothing is read here."""
    articles: list[SourceFile] = []
    assets: list[AssetFile] = []
    content_paths: set[str] = set()
    links = Links()
    for entry in scan(site_dir / CONTENT_DIR, links):
        name = entry.rel.rpartition("/")[2]
        if is_readme(name):
            continue
        content_paths.add(entry.rel)
        rel = f"{CONTENT_DIR}/{entry.rel}"
        if name.lower().endswith(MARKDOWN_SUFFIXES):
            if entry.rel.startswith(PROFILES_DIR + "/") and entry.rel.count("/") == 1:
                continue  # a profile: read with the settings (parse/profiles.py)
            articles.append(SourceFile(rel=rel, stat=entry.stat))
        else:
            assets.append(AssetFile(rel=rel, path=entry.path, dest=entry.rel, stat=entry.stat))
    assets.extend(static_files(site_dir))
    layout_links = Links()  # the site's layouts (static files included)
    layouts = layout_files(site_dir, layout_links)
    return SiteFiles(
        articles=tuple(articles),
        assets=tuple(assets),
        content_paths=frozenset(content_paths),
        layouts=layouts,
        problems=(
            *links.problems(f"{CONTENT_DIR}/"),
            *layout_links.problems(f"{LAYOUTS_DIR}/"),
        ),
    )


def layout_files(site_dir: Path, links: Links | None = None) -> tuple[tuple[str, int, int], ...]:
    """Every layout file, the site's and the theme's, with its stat: equal
    answers mean the same layouts. ``links`` collects the site's symlinks
    that loop or lead to a folder inside it."""
    found = []
    for label, root in (("site", site_dir / LAYOUTS_DIR), ("theme", THEME_DIR / LAYOUTS_DIR)):
        for entry in scan(root, links if label == "site" else None):
            found.append((f"{label}/{entry.rel}", *entry.stat))
    return tuple(found)


def static_files(site_dir: Path) -> list[AssetFile]:
    """Theme static files, overridden file by file by the site's ``layouts/static/``."""
    chosen: dict[str, AssetFile] = {}
    for base, label in ((THEME_DIR, "theme"), (site_dir / LAYOUTS_DIR, LAYOUTS_DIR)):
        for entry in scan(base / STATIC_DIR):
            chosen[entry.rel] = AssetFile(
                rel=f"{label}/{STATIC_DIR}/{entry.rel}",
                path=entry.path,
                dest=f"{STATIC_DIR}/{entry.rel}",
                stat=entry.stat,
            )
    return [chosen[key] for key in sorted(chosen)]
