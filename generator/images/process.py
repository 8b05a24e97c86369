"""One image's bytes -> the files published for it: a pure function of the
bytes and the ``images:`` settings, so the result can be cached by the
bytes' digest and the settings, and made in any process.

Pillow decodes, applies the EXIF orientation to the pixels, resizes and
encodes; nothing else of the original is carried over but the colour
profile (ICC): no EXIF (camera, serial numbers, GPS position, time), XMP,
IPTC or comment reaches a published file. For a newsroom that is source
protection: a photographer's or a source's location must never ship with
a photo by accident.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from generator.config.settings import Images

if TYPE_CHECKING:
    from PIL import Image as PILImage

# Pillow is imported when an image is processed: a build without images
# (or with every image cached) never loads it.

Problem = Literal["unreadable", "damaged", "too-large"]
MIME = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSION = {"avif": "avif", "webp": "webp", "jpeg": "jpg", "png": "png"}
OG_SIZE = (1200, 630)  # what Facebook, LinkedIn and X show in a large card
WEBP_METHOD = 4  # libwebp's default effort: 6 is much slower for a few per cent
AVIF_SPEED = 8  # libavif's 6 takes 4x as long (1920 px: 3.8 s -> 0.8 s) for the same size
# AVIF keeps far more at the same quality number than WebP or JPEG: at
# quality - 20 a photo looks alike and weighs less (1920 px: 240 KB, WebP 80: 385 KB).
AVIF_QUALITY_OFFSET = 20


class ImageError(Exception):
    """An image that cannot be published; ``problem`` says why in a word,
    the message in words an editor reads."""

    def __init__(self, problem: Problem, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message


@dataclass(frozen=True, slots=True, kw_only=True)
class Encoded:
    width: int
    height: int
    format: str  # "avif", "webp", "jpeg", "png"
    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Processed:
    width: int  # as displayed: the EXIF orientation applied
    height: int
    fallback: str  # "jpeg"; "png" for a PNG or an image with transparency
    variants: tuple[Encoded, ...]  # by width, then format (modern first, fallback last)


def formats_written(settings: Images) -> tuple[str, ...]:
    """The modern formats this Pillow writes, of those the settings ask for."""
    from PIL import features

    return tuple(f for f in settings.formats if f != "avif" or features.check("avif"))


def variant_widths(width: int, settings: Images) -> tuple[int, ...]:
    """The widths published for an image ``width`` pixels wide: each setting
    narrower than it, and the image's own width when it is narrower than
    the widest setting. Never wider than the image: no upscaling."""
    widest = max(settings.widths)
    chosen = [w for w in settings.widths if w < width]
    if width <= widest:
        chosen.append(width)
    return tuple(sorted(set(chosen))) or (min(width, widest),)


def scaled_height(width: int, height: int, new_width: int) -> int:
    return max(1, round(height * new_width / width))


def process(data: bytes, settings: Images) -> Processed:
    """The variants of one image. Raises ``ImageError``."""
    lossless = _is_png(data)
    image, icc, (width, height) = _decode(data, settings, (max(settings.widths), 1))
    # A PNG (a chart, a map, a screenshot) stays a PNG: JPEG would blur its
    # edges; so does anything with transparency. A photo falls back to JPEG.
    fallback = "png" if lossless or image.mode == "RGBA" else "jpeg"
    formats = (*formats_written(settings), fallback)
    variants = []
    source = image
    for w in sorted(variant_widths(width, settings), reverse=True):
        h = scaled_height(width, height, w)
        # Each size from the one above it: as sharp (LANCZOS over a factor
        # of two or less) and several times quicker than from the original.
        resized = source if source.size == (w, h) else _resize(source, (w, h))
        for fmt in formats:
            variants.append(
                Encoded(width=w, height=h, format=fmt, data=_encode(resized, fmt, settings, icc))
            )
        source = resized
    variants.sort(key=lambda v: (v.width, formats.index(v.format)))
    return Processed(width=width, height=height, fallback=fallback, variants=tuple(variants))


def og_crop(data: bytes, settings: Images, focus: tuple[float, float]) -> Encoded:
    """The 1200x630 JPEG a link preview shows (smaller, same shape, for a
    smaller image): cut from the image around ``focus`` (x, y in 0..1 of
    its width and height; the centre is 0.5, 0.5)."""
    image, icc, (width, height) = _decode(data, settings, OG_SIZE)
    size = og_size(width, height)
    # The crop in the decoded image (which may be a JPEG decoded smaller).
    width, height = image.size
    crop_w, crop_h = _crop_box(width, height)
    left = _clamp(round(focus[0] * width - crop_w / 2), 0, width - crop_w)
    top = _clamp(round(focus[1] * height - crop_h / 2), 0, height - crop_h)
    cropped = image.crop((left, top, left + crop_w, top + crop_h))
    if cropped.size != size:
        cropped = _resize(cropped, size)
    if cropped.mode == "RGBA":  # link previews want a JPEG: transparency on white
        from PIL import Image

        flat = Image.new("RGB", cropped.size, (255, 255, 255))
        flat.paste(cropped, mask=cropped.getchannel("A"))
        cropped = flat
    return Encoded(
        width=size[0], height=size[1], format="jpeg", data=_encode(cropped, "jpeg", settings, icc)
    )


def _is_png(data: bytes) -> bool:
    return data.startswith(b"\x89PNG\r\n\x1a\n")


def og_size(width: int, height: int) -> tuple[int, int]:
    """The size of the link-preview crop of an image of this size."""
    crop_w, _ = _crop_box(width, height)
    if crop_w >= OG_SIZE[0]:
        return OG_SIZE
    return crop_w, max(1, round(crop_w * OG_SIZE[1] / OG_SIZE[0]))


def _crop_box(width: int, height: int) -> tuple[int, int]:
    """The largest box of the link preview's shape inside the image."""
    crop_w, crop_h = width, round(width * OG_SIZE[1] / OG_SIZE[0])
    if crop_h > height:
        crop_w, crop_h = round(height * OG_SIZE[0] / OG_SIZE[1]), height
    return max(1, crop_w), max(1, crop_h)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


def _decode(
    data: bytes, settings: Images, target: tuple[int, int]
) -> tuple[PILImage.Image, bytes | None, tuple[int, int]]:
    """The image as displayed (orientation applied), in RGB or RGBA, with
    nothing of the original's metadata; its ICC profile; and its size as
    displayed. A JPEG may be decoded smaller, but never narrower or lower
    than ``target`` (or the image)."""
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            # Pillow warns above 89 megapixels and refuses twice that; our
            # own limit (max_pixels) is checked below, before decoding.
            warnings.simplefilter("ignore")  # a damaged header warns, or raises below
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise _too_large(_pixels_in(str(exc)), settings) from None
    except Exception as exc:  # UnidentifiedImageError, and whatever a damaged header raises
        raise ImageError(
            "unreadable",
            "is not an image Digest can publish (JPEG, PNG, WebP, AVIF, TIFF, GIF or SVG)",
        ) from exc
    width, height = image.size
    if width * height > settings.max_pixels:
        raise _too_large(width * height, settings)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's "Truncated File Read" and the like
            orientation = image.getexif().get(0x0112, 1)  # ExifTags.Base.Orientation
    except Exception:  # a damaged EXIF block: decoded as stored (and stripped all the same)
        orientation = 1
    turned = orientation in (5, 6, 7, 8)  # stored sideways: width and height swap
    display_w, display_h = (height, width) if turned else (width, height)
    if image.format == "JPEG":
        # Decode at a half, a quarter or an eighth of the size when that is
        # still as wide as the widest variant: JPEG's DCT gives it cheaply.
        need_w = min(target[0], display_w)
        need_h = max(scaled_height(display_w, display_h, need_w), min(target[1], display_h))
        image.draft("RGB", (need_h, need_w) if turned else (need_w, need_h))
    icc = image.info.get("icc_profile") or None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # our limit is checked above; damage raises
            image.load()
            if getattr(image, "n_frames", 1) > 1:
                image.seek(0)  # an animation: its first frame
            upright = ImageOps.exif_transpose(image)
    except Image.DecompressionBombError as exc:
        raise _too_large(_pixels_in(str(exc)), settings) from None
    except Exception as exc:  # OSError "truncated", and whatever damaged data raises
        raise ImageError("damaged", "is damaged or cut short") from exc
    if image.mode == "CMYK":
        icc = None  # a CMYK profile does not describe the RGB pixels made from it
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    clean = upright.convert("RGBA" if has_alpha else "RGB")
    clean.info = {}  # no EXIF, XMP, comment or text chunk reaches an encoder
    if has_alpha and clean.getchannel("A").getextrema() == (255, 255):
        clean = clean.convert("RGB")  # an alpha channel with nothing transparent
    return clean, icc, (display_w, display_h)


def _too_large(pixels: int, settings: Images) -> ImageError:
    size = f"{pixels / 1_000_000:,.0f} megapixels" if pixels else "too many pixels"
    limit = settings.max_pixels / 1_000_000
    return ImageError(
        "too-large", f"is too large to decode safely ({size}; the limit is {limit:g})"
    )


def _pixels_in(message: str) -> int:
    """The pixel count in Pillow's own decompression-bomb message (it refuses
    twice its limit as it opens the file, before our check)."""
    found = re.search(r"\((\d+) pixels\)", message)
    return int(found.group(1)) if found else 0


def _resize(image: PILImage.Image, size: tuple[int, int]) -> PILImage.Image:
    from PIL import Image

    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(image: PILImage.Image, fmt: str, settings: Images, icc: bytes | None) -> bytes:
    """``image`` in ``fmt``, with the ICC profile and nothing else: the
    encoders get no ``exif`` or ``xmp`` (and the image carries no ``info``
    they could fall back to). The same pixels give the same bytes."""
    out = io.BytesIO()
    profile = {"icc_profile": icc} if icc else {}
    if fmt == "jpeg":
        image.save(
            out, "JPEG", quality=settings.quality, optimize=True, progressive=True, **profile
        )
    elif fmt == "png":
        image.save(out, "PNG", optimize=True, **profile)
    elif fmt == "webp":
        image.save(out, "WEBP", quality=settings.quality, method=WEBP_METHOD, **profile)
    elif fmt == "avif":
        # One thread: workers already keep the cores busy, and the bytes
        # must not depend on how the encoder split its work.
        image.save(
            out,
            "AVIF",
            quality=max(1, settings.quality - AVIF_QUALITY_OFFSET),
            speed=AVIF_SPEED,
            max_threads=1,
            **profile,
        )
    else:  # pragma: no cover - formats come from the settings, checked
        raise ValueError(fmt)
    return out.getvalue()


_SVG_TAG = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)
_ATTR = re.compile(rb"""\s([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(px)?\s*$")


def size_as_is(data: bytes, path: str) -> tuple[int, int]:
    """The size of an image published as it is: an SVG's width and height
    (in pixels), else its viewBox's; a GIF's from its header. Raises
    ``ImageError`` when there is none to be found."""
    if path.lower().endswith(".svg"):
        return _svg_size(data)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageError(
            "unreadable",
            "is not an image Digest can publish (JPEG, PNG, WebP, AVIF, TIFF, GIF or SVG)",
        ) from exc


def _svg_size(data: bytes) -> tuple[int, int]:
    tag = _SVG_TAG.search(data[:65536])
    if tag is None:
        raise ImageError("unreadable", "is not an SVG image (no <svg> element)")
    attrs = {
        m.group(1).decode("ascii", "replace").lower(): (m.group(2) or m.group(3) or b"").decode(
            "utf-8", "replace"
        )
        for m in _ATTR.finditer(tag.group(0))
    }
    width, height = (_LENGTH.match(attrs.get(k, "")) for k in ("width", "height"))
    if width and height:
        return max(1, round(float(width.group(1)))), max(1, round(float(height.group(1))))
    box = attrs.get("viewbox", "").replace(",", " ").split()
    try:
        w, h = float(box[2]), float(box[3])
    except (IndexError, ValueError):
        w = h = 0.0
    if w <= 0 or h <= 0:
        raise ImageError(
            "unreadable",
            "has no size (an SVG needs a viewBox, or a width and height in pixels)",
        )
    return max(1, round(w)), max(1, round(h))
