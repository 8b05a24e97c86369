"""Images as a newsroom publishes them (issue 15): resized variants in
modern formats with a fallback, metadata stripped (GPS above all), the
orientation applied, the colour profile kept; <picture> and srcset in the
pages; processed once, by content and settings."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms, features

from generator.config.settings import Images
from generator.images.process import ImageError, og_crop, process, variant_widths

GPS_IFD = 0x8825
ORIENTATION = 0x0112
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
AVIF = features.check("avif")
SMALL = Images(widths=(160, 320), formats=("webp",))  # quick to encode


def camera_jpeg(width: int = 400, height: int = 300, orientation: int = 6) -> bytes:
    """A photo as a phone saves it: EXIF with the camera, its serial number,
    the GPS position, an orientation (6: stored sideways, shown turned
    90 degrees clockwise), an sRGB profile and a comment. Left half red,
    right half blue, so the orientation can be seen in the pixels."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "EOS R5"  # Model
    exif[0x0131] = "Photo editor 1.0"  # Software
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif, icc_profile=SRGB, comment=b"source: J. Doe")
    return out.getvalue()


def alpha_png(width: int = 300, height: int = 200) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.paste((10, 120, 10, 255), (0, 0, width // 2, height))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def bomb_png() -> bytes:
    """A few hundred bytes that declare 30,000 x 30,000 pixels (900 million:
    2.7 GB to decode)."""
    out = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(out, "PNG")
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_widths_are_never_upscaled() -> None:
    settings = Images(widths=(480, 960, 1440, 1920))
    assert variant_widths(4000, settings) == (480, 960, 1440, 1920)
    assert variant_widths(1200, settings) == (480, 960, 1200)
    assert variant_widths(300, settings) == (300,)
    assert variant_widths(1920, settings) == (480, 960, 1440, 1920)


def test_variants_stripped_turned_and_profiled() -> None:
    processed = process(camera_jpeg(), SMALL)
    assert (processed.width, processed.height) == (300, 400)  # turned upright
    assert processed.fallback == "jpeg"
    assert [(v.width, v.height, v.format) for v in processed.variants] == [
        (160, 213, "webp"),
        (160, 213, "jpeg"),
        (300, 400, "webp"),
        (300, 400, "jpeg"),
    ]
    for variant in processed.variants:
        image = opened(variant.data)
        assert image.format == variant.format.upper()
        assert image.size == (variant.width, variant.height)
        assert dict(image.getexif()) == {}, "no EXIF at all: no GPS, camera or orientation"
        assert "xmp" not in image.info and "comment" not in image.info
        assert b"Canon" not in variant.data and b"source: J. Doe" not in variant.data
        assert image.info["icc_profile"] == SRGB
        rgb = image.convert("RGB")
        # Shown turned clockwise: the left (red) half is now on top.
        top, bottom = (
            rgb.getpixel((variant.width // 2, 5)),
            rgb.getpixel((variant.width // 2, variant.height - 5)),
        )
        assert top[0] > 150 and top[2] < 100, top
        assert bottom[2] > 150 and bottom[0] < 100, bottom


def test_same_bytes_give_the_same_files() -> None:
    data = camera_jpeg()
    settings = Images(widths=(160, 320))  # AVIF too, where Pillow writes it
    assert process(data, settings) == process(data, settings)


@pytest.mark.skipif(not AVIF, reason="this Pillow writes no AVIF")
def test_avif_offered_where_pillow_writes_it() -> None:
    processed = process(camera_jpeg(), Images(widths=(160,)))
    assert [v.format for v in processed.variants] == ["avif", "webp", "jpeg"]
    assert opened(processed.variants[0].data).format == "AVIF"


def test_transparency_falls_back_to_png() -> None:
    processed = process(alpha_png(), SMALL)
    assert processed.fallback == "png"
    assert [(v.width, v.format) for v in processed.variants] == [
        (160, "webp"),
        (160, "png"),
        (300, "webp"),
        (300, "png"),
    ]
    assert opened(processed.variants[-1].data).mode == "RGBA"


def test_og_crop_is_1200_by_630_around_the_focus() -> None:
    data = camera_jpeg(3000, 2000)  # shown 2000 x 3000: red above, blue below
    crop = og_crop(data, SMALL, (0.5, 0.0))
    image = opened(crop.data)
    assert (crop.width, crop.height) == image.size == (1200, 630)
    assert dict(image.getexif()) == {}
    assert image.convert("RGB").getpixel((600, 315))[0] > 150  # the top: red
    bottom = opened(og_crop(data, SMALL, (0.5, 1.0)).data).convert("RGB")
    assert bottom.getpixel((600, 315))[2] > 150  # the bottom: blue


@pytest.mark.parametrize(
    ("data", "problem", "message"),
    [
        (
            b"\xff\xd8\xff\xe0 not really a JPEG",
            "unreadable",
            "is not an image Digest can publish (JPEG, PNG, WebP, AVIF, TIFF, GIF or SVG)",
        ),
        (
            camera_jpeg()[:2000],
            "damaged",
            "is damaged or cut short",
        ),
        (
            bomb_png(),
            "too-large",
            "is too large to decode safely (900 megapixels; the limit is 100)",
        ),
    ],
)
def test_bad_images(data: bytes, problem: str, message: str) -> None:
    with pytest.raises(ImageError) as caught:
        process(data, SMALL)
    assert (caught.value.problem, caught.value.message) == (problem, message)
