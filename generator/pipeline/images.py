"""The image stage: every image under ``content/`` processed once for its
bytes and the image settings, in the build's worker processes, and
published as its variants (never as the original, unless ``keep_original``).

What processing makes lands in the image cache (``.digest/images/``, each
file named by the digest of its bytes), and the state records, per image,
its stat and digest, the settings' fingerprint and the cached files. The
variants are then copied into the output like any other file: a copy's
signature is its cached file's, so a warm build processes nothing and
rewrites nothing, an edited image is processed again alone, and a deleted
image's variants are outputs no longer planned (deleted).

The link-preview crop of a lead image depends on the article's
``image_focus``: the stage runs once before the articles are parsed (with
the crops the last build made) and once after (with the crops the
articles now ask for, made if new).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from generator.config.settings import Images
from generator.diagnostics import Diagnostic, warning
from generator.execute import Executor, Inline
from generator.fingerprint import fingerprint
from generator.frozen import FrozenDict
from generator.images import ImageInfo, Variant, focus_key, image_kind, og_dest, variant_dest
from generator.images.process import formats_written
from generator.incremental.records import RACY_NS, ImageRecord, read_or_none
from generator.incremental.state import STATE_DIR, State
from generator.load import CONTENT_DIR, AssetFile, SiteFiles

CACHE_DIR = "images"  # inside .digest/
Focus = tuple[float, float]


def cache_dir(site_dir: Path) -> Path:
    return site_dir / STATE_DIR / CACHE_DIR


class Cache:
    """Where processed files are: written to the first folder, looked for
    in each. ``digest check`` writes nothing into the site: it puts what it
    makes in a temporary folder and reads the site's cache besides."""

    def __init__(self, *folders: Path) -> None:
        self.folders = folders

    @property
    def write_to(self) -> Path:
        return self.folders[0]

    def find(self, name: str) -> Path | None:
        for folder in self.folders:
            path = folder / name
            if path.is_file():
                return path
        return None


def settings_key(settings: Images) -> str:
    """What an image's files are made with besides its bytes: the settings,
    and the formats this Pillow writes."""
    return fingerprint(settings, formats_written(settings))


def prepare(
    site_dir: Path,
    files: SiteFiles,
    state: State,
    settings: Images,
    executor: Executor,
    cache: Cache,
    wanted_crops: Callable[[], Mapping[str, set[Focus]]] | None = None,
) -> tuple[SiteFiles, Mapping[str, ImageInfo]]:
    """The site's files with each image replaced by what is published of
    it, and every image's ``ImageInfo`` by content-relative path.
    ``wanted_crops``: the link-preview crops wanted, by image, asked for
    only when the site has images (None: the ones the last build made).
    The state's image records are brought up to date."""
    images = [a for a in files.assets if _in_content(a) and image_kind(a.dest) is not None]
    og = None if wanted_crops is None else wanted_crops() if images else {}
    # Asks Pillow what it writes: not imported by a site without images.
    key = settings_key(settings) if images else ""
    records = state.images
    todo = []
    current: dict[str, ImageRecord] = {}
    for asset in images:
        path = asset.dest
        if image_kind(path) == "unsupported":
            continue
        record = _still_valid(records.get(path), asset, key, site_dir, cache)
        wanted = og.get(path, set()) if og is not None else None
        if record is None:
            crops = tuple(sorted(wanted)) if wanted is not None else _crops_of(records.get(path))
            todo.append((path, True, crops))
            continue
        current[path] = record
        if wanted is not None:
            have = {o[0] for o in record.og}
            missing = tuple(sorted(f for f in wanted if focus_key(f) not in have))
            if missing and record.problem is None:
                todo.append((path, False, missing))
    if todo:
        current.update(_process(site_dir, cache, settings, key, todo, records, executor))
    if og is not None:  # keep the crops wanted, forget the rest
        for path, record in current.items():
            keep = {focus_key(f) for f in og.get(path, set())}
            if any(o[0] not in keep for o in record.og):
                current[path] = dataclasses.replace(
                    record, og=tuple(o for o in record.og if o[0] in keep)
                )
    state.images = current
    return _published(files, current, settings, cache)


def _in_content(asset: AssetFile) -> bool:
    return asset.rel.startswith(CONTENT_DIR + "/")


def _crops_of(record: ImageRecord | None) -> tuple[Focus, ...]:
    if record is None:
        return ()
    return tuple(sorted(_focus_of(o[0]) for o in record.og))


def _focus_of(key: str) -> Focus:
    x, y = key.split("-")
    return int(x) / 100, int(y) / 100


def _still_valid(
    record: ImageRecord | None, asset: AssetFile, key: str, site_dir: Path, cache: Cache
) -> ImageRecord | None:
    """The record, when it is of this file's bytes and these settings and
    its cached files are there (with the stat the file has now)."""
    if record is None or record.key != key:
        return None
    if any(cache.find(v[3]) is None for v in record.variants) or any(
        cache.find(o[3]) is None for o in record.og
    ):
        return None
    if record.stat == asset.stat and asset.stat[0] < record.seen - RACY_NS:
        return record
    data = read_or_none(site_dir / asset.rel)  # the stat changed, or may hide a change
    if data is None or hashlib.blake2b(data, digest_size=16).hexdigest() != record.digest:
        return None
    return dataclasses.replace(record, stat=asset.stat, seen=time.time_ns())


def _process(
    site_dir: Path,
    cache: Cache,
    settings: Images,
    key: str,
    todo: list[tuple[str, bool, tuple[Focus, ...]]],
    records: Mapping[str, ImageRecord],
    executor: Executor,
) -> dict[str, ImageRecord]:
    """Process images in tasks, one image each (an image is seconds of work)."""
    from generator.execute.tasks import ImageTask, process_image

    tasks = [
        ImageTask(
            site_dir=str(site_dir),
            cache=str(cache.write_to),
            settings=settings,
            path=path,
            variants=variants,
            og=crops,
        )
        for path, variants, crops in todo
    ]
    run_on = executor if len(tasks) > 1 else Inline()
    seen = time.time_ns()
    made: dict[str, ImageRecord] = {}
    for done in run_on.map(process_image, tasks):
        crops = tuple((focus_key(f), w, h, name) for f, w, h, name in done.og)
        old = records.get(done.path)
        if done.whole or old is None:
            made[done.path] = ImageRecord(
                stat=done.stat or (0, 0),
                digest=done.digest,
                seen=seen,
                key=key,
                width=done.width,
                height=done.height,
                variants=done.variants,
                og=crops,
                problem=done.problem,
            )
        else:  # more crops of an image processed before
            base = made.get(done.path) or old
            made[done.path] = dataclasses.replace(base, og=tuple(sorted({*base.og, *crops})))
    return made


def _published(
    files: SiteFiles, records: Mapping[str, ImageRecord], settings: Images, cache: Cache
) -> tuple[SiteFiles, Mapping[str, ImageInfo]]:
    infos: dict[str, ImageInfo] = {}
    assets: list[AssetFile] = []
    for asset in files.assets:
        path = asset.dest
        kind = image_kind(path) if _in_content(asset) else None
        if kind is None:
            assets.append(asset)
            continue
        record = records.get(path)
        if kind == "unsupported" or record is None:
            infos[path] = ImageInfo(
                path=path,
                width=0,
                height=0,
                problem="is in a format web browsers do not show",
            )
            continue
        variants = tuple(
            Variant(width=w, height=h, format=fmt, dest=variant_dest(path, w, fmt))
            for w, h, fmt, _ in record.variants
        )
        infos[path] = ImageInfo(
            path=path,
            width=record.width,
            height=record.height,
            variants=variants,
            problem=record.problem,
        )
        if record.problem is not None:
            continue
        if kind == "as-is" or settings.keep_original:
            assets.append(asset)
        for (_, _, _, name), variant in zip(record.variants, variants, strict=True):
            assets.append(_cached(asset, cache, name, variant.dest))
        for focus, _, _, name in record.og:
            assets.append(_cached(asset, cache, name, og_dest(path, _focus_of(focus))))
    return dataclasses.replace(files, assets=tuple(assets)), FrozenDict(infos)


def _cached(asset: AssetFile, cache: Cache, name: str, dest: str) -> AssetFile:
    cached = cache.find(name) or cache.write_to / name  # made just now: there
    st = os.stat(cached)
    return AssetFile(rel=asset.rel, path=cached, dest=dest, stat=(st.st_mtime_ns, st.st_size))


def image_warnings(infos: Mapping[str, ImageInfo]) -> list[Diagnostic]:
    """A warning for each image that cannot be published (an article that
    shows one gets an error at its line besides)."""
    return [
        warning(
            f"{CONTENT_DIR}/{path}",
            f"not published: it {info.problem}",
            hint="export it again as JPEG, PNG or WebP, or delete it",
        )
        for path, info in sorted(infos.items())
        if info.problem is not None
    ]


def collect_garbage(site_dir: Path, state: State) -> None:
    """Delete the cached files no image record names (images edited or
    deleted, settings changed). After a build that saved its state."""
    cache = cache_dir(site_dir)
    try:
        names = os.listdir(cache)
    except OSError:
        return
    keep = {v[3] for r in state.images.values() for v in r.variants}
    keep |= {o[3] for r in state.images.values() for o in r.og}
    for name in names:
        if name not in keep:
            with contextlib.suppress(OSError):
                os.unlink(cache / name)


def crops_of(state: State, published: list[str]) -> dict[str, set[tuple[float, float]]]:
    """The link-preview crops the published articles ask for, by image."""
    crops: dict[str, set[tuple[float, float]]] = {}
    for source in published:
        skeleton = state.parsed[source].skeleton
        if skeleton is not None and skeleton.lead_image is not None:
            crops.setdefault(skeleton.lead_image, set()).add(skeleton.image_focus)
    return crops
