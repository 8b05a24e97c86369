"""Images as a newsroom publishes them (issue 15): resized variants in
modern formats with a fallback, metadata stripped (GPS above all), the
orientation applied, the colour profile kept; <picture> and srcset in the
pages; processed once, by content and settings."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable, Mapping

import pytest
from PIL import Image, ImageCms, features

from generator.config.settings import Images
from generator.execute.tasks import images_processed
from generator.images.process import ImageError, og_crop, process, variant_widths
from generator.incremental.state import close_state, open_state
from tests.conftest import SiteDir, article

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


# -- a site ----------------------------------------------------------------

SETTINGS = "title: Test\nbase_url: https://example.org/\nimages:\n  widths: [160, 320]\n"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 480">'
    '<rect width="9" height="9"/></svg>'
)
BODY = """\
Before the river rose.

![A map of the river](map.svg)

![Sandbags on the quay](sandbags.png "Sandbags on the quay. Photo: Jane Doe")

Inline ![the quay](quay.jpg) too.
"""


def flood(image: str = "photo.jpg", body: str = BODY, **fields: str) -> str:
    return article(
        "Flood",
        "2026-11-24",
        body,
        image=image,
        image_alt="The river at noon",
        image_caption="The river at noon.",
        image_credit='"Photo: Jane Doe"',
        **fields,
    )


def photo_site(make_site: Callable[[Mapping[str, str | bytes]], SiteDir]) -> SiteDir:
    return make_site(
        {
            "site.yaml": SETTINGS,
            "content/2026/flood.md": flood(),
            "content/2026/photo.jpg": camera_jpeg(1800, 2400),  # shown 2400 x 1800
            "content/2026/quay.jpg": camera_jpeg(300, 200, orientation=1),
            "content/2026/sandbags.png": alpha_png(),
            "content/2026/map.svg": SVG,
        }
    )


def published_images(site: SiteDir) -> dict[str, bytes]:
    return {
        rel: data
        for rel, data in site.files().items()
        if rel.startswith("2026/") and not rel.endswith(".html")
    }


def mtimes(site: SiteDir) -> dict[str, int]:
    return {
        p.relative_to(site.output).as_posix(): p.stat().st_mtime_ns
        for p in site.output.rglob("*")
        if p.is_file()
    }


def test_published_as_variants_without_metadata(make_site) -> None:
    site = photo_site(make_site)
    site.build("--jobs", "1")
    files = published_images(site)
    avif = ["avif"] if AVIF else []
    want = {"2026/map.svg", "2026/photo-og.jpg"}
    for stem, widths, fallback in (
        ("photo", (160, 320), "jpg"),
        ("quay", (160, 300), "jpg"),
        ("sandbags", (160, 300), "png"),
    ):
        want |= {f"2026/{stem}-{w}w.{ext}" for w in widths for ext in [*avif, "webp", fallback]}
    assert sorted(files) == sorted(want), "no original, no other file"
    for rel, data in files.items():
        if rel.endswith(".svg"):
            assert data == SVG.encode()
            continue
        image = opened(data)
        assert dict(image.getexif()) == {}, rel
        assert b"Canon" not in data and b"GPS" not in data and b"J. Doe" not in data, rel
        if rel.startswith("2026/photo") or rel.startswith("2026/quay"):
            assert image.info.get("icc_profile") == SRGB, rel
    assert opened(files["2026/photo-320w.jpg"]).size == (320, 240)  # turned upright
    assert opened(files["2026/photo-og.jpg"]).size == (1200, 630)


def test_pages_offer_every_size(make_site) -> None:
    site = photo_site(make_site)
    site.build("--jobs", "1")
    page = site.page("2026/11/24/flood/")
    lead = page.one("figure.article-image picture img")
    types = ["image/avif", "image/webp"] if AVIF else ["image/webp"]
    assert [s.attrs["type"] for s in page.select("figure.article-image source")] == types
    assert lead.attrs["src"] == "/2026/photo-320w.jpg"
    assert lead.attrs["srcset"] == "/2026/photo-160w.jpg 160w, /2026/photo-320w.jpg 320w"
    assert (
        lead.attrs["sizes"]
        == "(min-width: 62rem) 56rem, (min-width: 46rem) 42rem, calc(100vw - 2rem)"
    )
    assert (lead.attrs["width"], lead.attrs["height"]) == ("320", "240")
    assert lead.attrs["fetchpriority"] == "high" and "loading" not in lead.attrs
    assert page.one("figure.article-image figcaption").text == "The river at noon. Photo: Jane Doe"
    body = page.one(".article-body")
    svg = body.one('img[src="/2026/map.svg"]')
    assert (svg.attrs["width"], svg.attrs["height"], svg.attrs["alt"]) == (
        "640",
        "480",
        "A map of the river",
    )
    figure = body.one("figure")
    assert figure.one("figcaption").text == "Sandbags on the quay. Photo: Jane Doe"
    img = figure.one("picture img")
    assert (img.attrs["src"], img.attrs["width"], img.attrs["height"]) == (
        "/2026/sandbags-300w.png",
        "300",
        "200",
    )
    assert img.attrs["sizes"] == "(min-width: 46rem) 42rem, calc(100vw - 2rem)"
    inline = body.one("p picture img")
    assert inline.attrs["alt"] == "the quay"
    for other in (svg, img, inline):
        assert (other.attrs["loading"], other.attrs["decoding"]) == ("lazy", "async")
        assert "fetchpriority" not in other.attrs
    meta = {
        m.attrs.get("property") or m.attrs.get("name"): m.attrs["content"]
        for m in page.select("meta[content]")
    }
    assert meta["og:image"] == meta["twitter:image"] == "https://example.org/2026/photo-og.jpg"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")


def test_image_focus_picks_the_crop(make_site) -> None:
    site = photo_site(make_site)
    site.write({"content/2026/flood.md": flood(image_focus="0.5,0")})
    site.build("--jobs", "1")
    page = site.page("2026/11/24/flood/")
    assert page.one('meta[property="og:image"]').attrs["content"] == (
        "https://example.org/2026/photo-og-50-0.jpg"
    )
    assert "2026/photo-og.jpg" not in site.files()
    crop = opened((site.output / "2026/photo-og-50-0.jpg").read_bytes()).convert("RGB")
    assert crop.getpixel((600, 315))[0] > 150  # the top of the photo: red
    site.write({"content/2026/flood.md": flood(image_focus="middle")})
    run = site.digest("build")
    assert run.code == 1
    assert (
        "content/2026/flood.md:8: error: image_focus: 'middle' is not a point of the image"
        " (write x,y from 0 to 1: 0,0 is the top left, 0.5,0.5 the centre)"
    ) in run.err


def test_warm_build_processes_and_rewrites_nothing(make_site) -> None:
    site = photo_site(make_site)
    site.build("--jobs", "1")
    before, processed = mtimes(site), images_processed()
    site.build("--jobs", "1", "--shortcuts", "none")
    assert images_processed() == processed
    assert mtimes(site) == before


def test_an_edited_image_is_processed_alone(make_site) -> None:
    site = photo_site(make_site)
    site.build("--jobs", "1")
    before, processed = mtimes(site), images_processed()
    site.write({"content/2026/quay.jpg": camera_jpeg(400, 200, orientation=1)})
    site.build("--jobs", "1")
    assert images_processed() == processed + 1
    after = mtimes(site)
    changed = sorted(rel for rel in after if after[rel] != before.get(rel))
    assert [rel for rel in changed if not rel.endswith((".html", ".xml", ".json"))] == sorted(
        f"2026/quay-{w}w.{ext}"
        for w in (160, 320)
        for ext in (["avif"] if AVIF else []) + ["webp", "jpg"]
    )
    assert "2026/quay-300w.jpg" not in after  # the old size, gone


def test_a_deleted_image_leaves_nothing_behind(make_site) -> None:
    site = photo_site(make_site)
    site.build("--jobs", "1")
    (site.root / "content/2026/quay.jpg").unlink()
    site.write(
        {"content/2026/flood.md": flood(body=BODY.replace("Inline ![the quay](quay.jpg) too.", ""))}
    )
    site.build("--jobs", "1")
    assert not [rel for rel in site.files() if "quay" in rel]
    # its files in the image cache are gone too
    assert len(list((site.root / ".digest/images").iterdir())) == len(published_images(site)) - 1


def test_keep_original_publishes_the_file_as_written(make_site) -> None:
    site = photo_site(make_site)
    site.write({"site.yaml": SETTINGS + "  keep_original: true\n"})
    site.build("--jobs", "1")
    assert (site.output / "2026/photo.jpg").read_bytes() == camera_jpeg(1800, 2400)


@pytest.mark.parametrize(
    ("name", "data", "message", "hint"),
    [
        (
            "quay.jpg",
            b"\xff\xd8\xff\xe0 not really a JPEG",
            "is not an image Digest can publish (JPEG, PNG, WebP, AVIF, TIFF, GIF or SVG)",
            "export it again as JPEG, PNG or WebP",
        ),
        (
            "quay.jpg",
            camera_jpeg(300, 200)[:2500],
            "is damaged or cut short",
            "export it again as JPEG, PNG or WebP",
        ),
        (
            "quay.png",
            bomb_png(),
            "is too large to decode safely (900 megapixels; the limit is 100)",
            "make it smaller, or raise images.max_pixels in site.yaml",
        ),
        (
            "quay.heic",
            b"\x00\x00\x00\x18ftypheic",
            "is in a format web browsers do not show",
            "export it again as JPEG, PNG or WebP",
        ),
    ],
)
def test_bad_images_are_errors_at_the_line(make_site, name, data, message, hint) -> None:
    body = BODY.replace("quay.jpg", name)
    site = photo_site(make_site)
    (site.root / "content/2026/quay.jpg").unlink()
    site.write({f"content/2026/{name}": data, "content/2026/flood.md": flood(body=body)})
    run = site.digest("build", "--jobs", "1")
    assert run.code == 1
    line = (
        f"content/2026/flood.md:16: error: image '{name}': content/2026/{name} {message} ({hint})"
    )
    assert line in run.err.splitlines()
    assert not site.output.exists()


def test_a_missing_image_is_an_error_at_its_line(make_site) -> None:
    site = photo_site(make_site)
    (site.root / "content/2026/photo.jpg").unlink()
    run = site.digest("build", "--jobs", "1")
    assert run.code == 1
    assert (
        "content/2026/flood.md:4: error: image 'photo.jpg': content/2026/photo.jpg does not exist"
        " (put the file under content/ or fix the path)"
    ) in run.err.splitlines()
    assert not site.output.exists()


def test_an_edit_under_the_same_plan_keeps_every_copy_record(make_site) -> None:
    """A build under the last plan (an article's text edited) kept each
    copied file's record without the stat of its file: the next build took
    every image variant for a file changed by hand and copied it again."""
    site = photo_site(make_site)
    site.build("--jobs", "1")
    site.write({"content/2026/flood.md": flood(body=BODY + "\nOne more line.\n")})
    site.build("--jobs", "1")
    state = open_state(site.root, create=False)
    try:
        assert [o for o, r in state.outputs.items() if r.stat == (0, 0)] == []
    finally:
        close_state(state)


def test_an_edited_svg_gets_its_new_size(make_site) -> None:
    site = photo_site(make_site)
    site.build("--jobs", "1")
    site.write({"content/2026/map.svg": SVG.replace("0 0 640 480", "0 0 800 450")})
    site.build("--jobs", "1")
    svg = site.page("2026/11/24/flood/").one('img[src="/2026/map.svg"]')
    assert (svg.attrs["width"], svg.attrs["height"]) == ("800", "450")
    before, processed = mtimes(site), images_processed()
    site.build("--jobs", "1")
    assert (mtimes(site), images_processed()) == (before, processed)


def test_feeds_get_full_urls_in_every_srcset(make_site) -> None:
    site = photo_site(make_site)
    site.build("--jobs", "1")
    (item,) = json.loads((site.output / "feed.json").read_text(encoding="utf-8"))["items"]
    html = item["content_html"]
    assert 'srcset="https://example.org/2026/quay-160w.jpg 160w, ' in html
    assert "https://example.org/2026/quay-300w.webp 300w" in html
    assert 'srcset="/' not in html and ", /2026" not in html


def test_damaged_bytes_are_an_image_error_never_a_crash() -> None:
    """Bytes flipped anywhere in a camera JPEG or a PNG (the header, the
    EXIF block, the pixels): published, or refused with a message."""
    rng = random.Random(15)
    for original in (camera_jpeg(), alpha_png()):
        for _ in range(40):
            data = bytearray(original)
            for _ in range(rng.randrange(1, 6)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            try:
                process(bytes(data), SMALL)
            except ImageError as exc:
                assert exc.problem in ("unreadable", "damaged", "too-large")
