"""The images under ``content/`` as the site publishes them: which files
are images, what each one is published as (``ImageInfo``: its size and its
variants), where the variants go, and the ``<picture>`` a page shows.

Pure: the pixels are made by ``process`` (in worker processes, see
``execute.tasks``); the build stage that decides what to make again is
``pipeline.images``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from generator.fingerprint import plain_repr
from generator.images.process import EXTENSION, MIME, og_size

__all__ = [
    "AS_IS",
    "RASTER",
    "UNSUPPORTED",
    "ImageInfo",
    "Variant",
    "focus_key",
    "image_kind",
    "og_dest",
    "og_size",
    "parse_focus",
    "variant_dest",
]

# Published as variants: decoded, resized, stripped, encoded again.
RASTER = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".tif", ".tiff")
# Published as they are, with their size read: vector art (SVG), animations (GIF).
AS_IS = (".svg", ".gif")
# Images no browser shows (camera raw, HEIC, Photoshop): never published.
UNSUPPORTED = (
    ".heic",
    ".heif",
    ".jxl",
    ".psd",
    ".bmp",
    ".cr2",
    ".cr3",
    ".nef",
    ".arw",
    ".dng",
    ".raf",
    ".orf",
    ".rw2",
)
CENTRE = (0.5, 0.5)


def image_kind(path: str) -> str | None:
    """ "raster", "as-is", "unsupported", or None for a file that is no image."""
    lower = path.lower()
    if lower.endswith(RASTER):
        return "raster"
    if lower.endswith(AS_IS):
        return "as-is"
    if lower.endswith(UNSUPPORTED):
        return "unsupported"
    return None


@plain_repr
@dataclass(frozen=True, slots=True)
class Variant:
    width: int
    height: int
    format: str  # "avif", "webp", "jpeg", "png"
    dest: str  # output-relative path

    @property
    def mime(self) -> str:
        return MIME[self.format]


@plain_repr
@dataclass(frozen=True, slots=True, kw_only=True)
class ImageInfo:
    """One image under content/ as the site publishes it."""

    path: str  # content-relative: "2026/photo.jpg"
    width: int  # as displayed (orientation applied); 0 when unknown
    height: int
    variants: tuple[Variant, ...] = ()  # by width, then format; none: published as it is
    problem: str | None = None  # why it cannot be published ("is damaged or cut short")

    @property
    def fallback(self) -> tuple[Variant, ...]:
        """The JPEG or PNG variants, narrowest first."""
        return tuple(v for v in self.variants if v.format in ("jpeg", "png"))

    def of_format(self, fmt: str) -> tuple[Variant, ...]:
        return tuple(v for v in self.variants if v.format == fmt)

    @property
    def modern(self) -> tuple[str, ...]:
        """The modern formats offered, in the order of preference."""
        return tuple(dict.fromkeys(v.format for v in self.variants if v.format in ("avif", "webp")))


def variant_dest(path: str, width: int, fmt: str) -> str:
    """``2026/photo.jpg`` at 960 pixels in WebP: ``2026/photo-960w.webp``."""
    stem = posixpath.splitext(path)[0]
    return f"{stem}-{width}w.{EXTENSION[fmt]}"


def og_dest(path: str, focus: tuple[float, float]) -> str:
    """The link-preview crop: ``2026/photo-og.jpg``, or with its focus
    (``image_focus: 0.3,0.2``) ``2026/photo-og-30-20.jpg``."""
    stem = posixpath.splitext(path)[0]
    if focus == CENTRE:
        return f"{stem}-og.jpg"
    return f"{stem}-og-{focus_key(focus)}.jpg"


def focus_key(focus: tuple[float, float]) -> str:
    return f"{round(focus[0] * 100)}-{round(focus[1] * 100)}"


_FOCUS = re.compile(r"^\s*([01](?:\.\d+)?|\.\d+)\s*,\s*([01](?:\.\d+)?|\.\d+)\s*$")


def parse_focus(value: object) -> tuple[float, float] | None:
    """``image_focus: 0.3,0.2`` -> (0.3, 0.2), rounded to hundredths; None
    unless both are numbers from 0 to 1."""
    found = _FOCUS.match(str(value)) if isinstance(value, str | int | float) else None
    if found is None:
        return None
    x, y = float(found.group(1)), float(found.group(2))
    if not (0 <= x <= 1 and 0 <= y <= 1):
        return None
    return round(x, 2), round(y, 2)
