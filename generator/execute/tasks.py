"""What a worker runs: parsing a share of the articles, rendering a share of
the pages. Each task is plain data (picklable, so it can go to another
process or machine) and says everything the work needs: the site's folder
(workers read sources and layouts from it, and write outputs into a folder
beside it: on a cluster, a shared folder mounted at the same path), the
settings, the jobs with the articles and bodies they show.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.config import Images, SiteConfig
from generator.diagnostics import Diagnostic
from generator.execute import ExecutorUnavailable, resolve
from generator.fingerprint import GENERATOR, fingerprint
from generator.frozen import quick_pickle
from generator.incremental.codec import Stored, encode_parse, encode_skeleton, skeleton_print
from generator.model import Skeleton
from generator.model import skeleton as skeleton_of
from generator.model.refs import Items
from generator.parse import Parsed, Parser, ParseSettings
from generator.plan import Job
from generator.publish.check import PageScan, scan_page
from generator.render.renderer import Renderer
from generator.write import NewFolder


class VersionMismatch(ExecutorUnavailable):
    """A worker runs another version of Digest than the build (a cluster
    set up with another release)."""


def _check(version: str) -> None:
    if version != GENERATOR:
        raise VersionMismatch(
            f"a worker runs Digest {GENERATOR}, the build {version}: install the same on both"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ParseTask:
    generator: str = GENERATOR  # the version (and code) that made the task
    site_dir: str
    settings: ParseSettings
    sources: tuple[str, ...]  # site-relative article files
    stored: bool = False  # also encode each parse as the build state stores it


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderTask:
    generator: str = GENERATOR  # the version (and code) that made the task
    site_dir: str
    config: SiteConfig
    layouts: str  # fingerprint of every layout's source: a worker's renderer is for one set
    closures: Mapping[str, str]  # each layout's name -> what it reaches (MacroCache.use)
    jobs: tuple[Job, ...]  # or, when the jobs are shared (see render_pages), none
    outputs: tuple[str, ...] = ()  # the shared jobs to render, by output
    items: Items  # the articles the jobs show whole (unless shared), with their bodies
    target: str | None  # write each output into this folder; None: send the bytes back
    scan: bool  # scan each HTML page for the link check (digest check)


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    output: str
    digest: str  # of the bytes ("" on error)
    size: int
    stat: tuple[int, int] | None  # of the file written into the target folder
    data: bytes | None  # the bytes, when there is no target folder
    diagnostic: Diagnostic | None
    scan: PageScan | None


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedFile:
    parsed: Parsed
    skeleton: Skeleton | None  # the article's, if there is one
    skeleton_print: str | None  # its fingerprint (``codec.skeleton_print``)
    stored: Stored | None  # the parse as the state stores it (``ParseTask.stored``)


def output_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def parse_files(task: ParseTask, *shared: object) -> list[ParsedFile]:
    _check(task.generator)
    _tally.add()
    parser = _workshop.parser(task.settings)
    paths = [Path(task.site_dir) / source for source in task.sources]
    ahead = None
    if len(paths) >= READ_AHEAD_MIN and hasattr(os, "posix_fadvise"):
        ahead = threading.Thread(target=_read_ahead, args=(paths,), daemon=True)
        ahead.start()
    try:
        results = []
        for source, path in zip(task.sources, paths, strict=True):
            try:
                data = path.read_bytes()
            except OSError as exc:
                results.append(parser.unreadable(source, exc.strerror or str(exc)))
                continue
            results.append(parser.parse(source, data))
        return [_file(parsed, task.stored) for parsed in results]
    finally:
        if ahead is not None:
            ahead.join()


def _file(parsed: Parsed, stored: bool) -> ParsedFile:
    article = parsed.article
    skeleton = skeleton_of(article) if article is not None else None
    text = encode_skeleton(skeleton) if skeleton is not None else None
    return ParsedFile(
        parsed=parsed,
        skeleton=skeleton,
        skeleton_print=skeleton_print(text) if text is not None else None,
        stored=encode_parse(text, parsed.diagnostics, article, parsed.links) if stored else None,
    )


READ_AHEAD_MIN = 64  # files: below this, reading them one by one is as quick


def _read_ahead(paths: list[Path]) -> None:
    """Ask the kernel to start reading every file now (POSIX_FADV_WILLNEED).
    With a cold page cache, the disk then serves many reads at once instead
    of one at a time as the parser reaches each file (a cold build: a
    fresh clone, a CI machine)."""
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue  # the parser reports it
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def render_pages(
    task: RenderTask, teasers: object, jobs: object = None, articles: object = None
) -> list[Rendered]:
    """``teasers``: a shared handle to the teasers the pages show, by
    source; ``jobs`` and ``articles``, when given, to the jobs by output and
    the articles by source (the task names its jobs in ``outputs``)."""
    _check(task.generator)
    _tally.add()
    renderer = _workshop.renderer(task)
    renderer.macros.use(task.layouts, task.closures)
    items = dataclasses.replace(
        task.items,
        teasers=resolve(teasers),
        articles=task.items.articles if articles is None else resolve(articles),
    )
    todo = task.jobs if jobs is None else [resolve(jobs)[output] for output in task.outputs]
    target = NewFolder(Path(task.target)) if task.target is not None else None
    results = []
    for job in todo:
        data, problem = renderer.render(job, items)
        if data is None:
            results.append(
                Rendered(
                    output=job.output,
                    digest="",
                    size=0,
                    stat=None,
                    data=None,
                    diagnostic=problem,
                    scan=None,
                )
            )
            continue
        scan = None
        if task.scan and job.output.endswith(".html"):
            origin = job.origin if job.origin.startswith("content/") else f"layouts/{job.layout}"
            scan = scan_page(job.output, origin, data)
        stat = None
        if target is not None:
            stat = target.write(job.output, data)
        results.append(
            Rendered(
                output=job.output,
                digest=output_digest(data),
                size=len(data),
                stat=stat,
                data=data if target is None else None,
                diagnostic=problem,
                scan=scan,
            )
        )
    return results


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageTask:
    """Process one image under content/: its variants (``variants``) and
    the link-preview crops around each of ``og`` (x, y focus points). The
    files go into the image cache, named by the digest of their bytes."""

    generator: str = GENERATOR
    site_dir: str
    cache: str  # the image cache folder
    settings: Images
    path: str  # content-relative
    variants: bool
    og: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageDone:
    path: str
    whole: bool  # processed whole (``ImageTask.variants``), not only more crops
    stat: tuple[int, int] | None  # None: the file vanished
    digest: str
    width: int
    height: int
    variants: tuple[tuple[int, int, str, str], ...]  # (width, height, format, cached file)
    og: tuple[tuple[tuple[float, float], int, int, str], ...]  # (focus, width, height, file)
    problem: str | None


def process_image(task: ImageTask, *shared: object) -> ImageDone:
    from generator.images import image_kind
    from generator.images.process import (
        EXTENSION,
        ImageError,
        og_crop,
        process,
        size_as_is,
    )

    _check(task.generator)
    _tally.add()
    _images.add()
    path = Path(task.site_dir) / "content" / task.path
    try:
        st = os.stat(path)
        data = path.read_bytes()
    except OSError as exc:
        return ImageDone(
            path=task.path, whole=True, stat=None, digest="", width=0, height=0, variants=(),
            og=(), problem=f"cannot be read ({exc.strerror or exc})",
        )  # fmt: skip
    stat = (st.st_mtime_ns, st.st_size)
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    cache = Path(task.cache)
    cache.mkdir(parents=True, exist_ok=True)
    width = height = 0
    variants: list[tuple[int, int, str, str]] = []
    crops: list[tuple[tuple[float, float], int, int, str]] = []
    try:
        if image_kind(task.path) == "as-is":
            # Without a size to be found, published as it is all the same (as before).
            with contextlib.suppress(ImageError):
                width, height = size_as_is(data, task.path)
        else:
            if task.variants:
                made = process(data, task.settings)
                width, height = made.width, made.height
                for v in made.variants:
                    name = _cache_put(cache, v.data, EXTENSION[v.format])
                    variants.append((v.width, v.height, v.format, name))
            for focus in task.og:
                crop = og_crop(data, task.settings, focus)
                crops.append((focus, crop.width, crop.height, _cache_put(cache, crop.data, "jpg")))
    except ImageError as exc:
        return ImageDone(
            path=task.path, whole=True, stat=stat, digest=digest, width=0, height=0,
            variants=(), og=(), problem=exc.message,
        )  # fmt: skip
    return ImageDone(
        path=task.path,
        whole=task.variants,
        stat=stat,
        digest=digest,
        width=width,
        height=height,
        variants=tuple(variants),
        og=tuple(crops),
        problem=None,
    )


def _cache_put(cache: Path, data: bytes, extension: str) -> str:
    """Put bytes in the image cache under the name of their digest (written
    whole, then renamed: a reader never sees half a file); the name."""
    name = f"{hashlib.blake2b(data, digest_size=16).hexdigest()}.{extension}"
    target = cache / name
    if not target.exists():
        partial = cache / f".{name}.{os.getpid()}.{threading.get_ident()}"
        partial.write_bytes(data)
        os.replace(partial, target)
    return name


class _Workshop(threading.local):
    """A worker's tools, made once for the last settings seen: a Markdown
    parser, a Jinja environment with its compiled layouts. One per thread
    (a Dask worker may run tasks in several)."""

    def __init__(self) -> None:
        self._parser: Parser | None = None
        self._renderer: tuple[str, Renderer] | None = None

    def parser(self, settings: ParseSettings) -> Parser:
        if self._parser is None or self._parser.settings != settings:
            self._parser = Parser(settings)
        return self._parser

    def renderer(self, task: RenderTask) -> Renderer:
        key = fingerprint(task.site_dir, task.config.fingerprint(), task.layouts)
        if self._renderer is None or self._renderer[0] != key:
            last = self._renderer[1] if self._renderer is not None else None
            self._renderer = (key, Renderer(Path(task.site_dir), task.config, carried=last))
        return self._renderer[1]


_workshop = _Workshop()  # one per process and thread: see _Workshop


class _Tally:
    """How many tasks this process has run, all threads together."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def add(self) -> None:
        with self._lock:
            self.count += 1


_tally = _Tally()
_images = _Tally()  # of them, image tasks


def tasks_run() -> int:
    """How many tasks this process has run (for tests and the curious)."""
    return _tally.count


def images_processed() -> int:
    """How many images this process has processed (for tests and the curious)."""
    return _images.count
