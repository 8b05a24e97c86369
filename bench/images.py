"""Benchmark the image pipeline: the example site plus 200 camera-size
photos (4000x3000 JPEGs with sensor-like noise, EXIF with the camera, its
serial number and a GPS position), one article each as its lead image.

    python bench/images.py [--photos 200] [--jobs 2] [--work /tmp/digest-images-bench]

Times, each in a fresh process: the cold build (every photo processed),
the warm build after it (nothing to do), and a build after one photo is
replaced. Then the bytes: the originals against what is published, and
what a phone downloads for an article page's lead photo (the 960-pixel
variant a 390-pixel-wide screen at 2x picks, in the best format offered)
against the original it would have been sent before. Prints the figures
and writes them as JSON (docs/SPEED.md has a run).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def photo(seed: int, width: int = 4000, height: int = 3000) -> bytes:
    """A camera JPEG: a sky and sea of gradients with a few shapes, sensor
    noise over it (a tile of noise repeated: making 12 megapixels of it
    takes seconds), EXIF as a camera writes it, GPS included; quality 92."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    small = (width // 4, height // 4)
    tint = (rng.randrange(120, 255), rng.randrange(120, 255), rng.randrange(160, 255))
    sky = Image.linear_gradient("L").resize((small[0], small[1] // 2))
    sea = Image.linear_gradient("L").rotate(180).resize((small[0], small[1] - small[1] // 2))
    base = Image.new("RGB", small)
    base.paste(Image.merge("RGB", [sky.point(lambda v, t=t: v * t // 255) for t in tint]))
    sea_rgb = Image.merge("RGB", [sea.point(lambda v, t=t: v * t // 400) for t in tint])
    base.paste(sea_rgb, (0, small[1] // 2))
    draw = ImageDraw.Draw(base)
    for _ in range(12):
        x, y, r = rng.randrange(small[0]), rng.randrange(small[1]), rng.randrange(10, 100)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in "rgb"))
    image = base.resize((width, height), Image.Resampling.BICUBIC)
    tile = Image.effect_noise((500, 500), 40).convert("RGB")
    noise = Image.new("RGB", (width, height))
    for x in range(0, width, 500):
        for y in range(0, height, 500):
            noise.paste(tile, (x, y))
    image = Image.blend(image, noise, 0.1)
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS R5"
    exif[0x0131] = "Firmware 1.8.1"
    exif[0xA431] = f"0{seed:011d}"  # body serial number
    exif[0x8825] = {1: "N", 2: (55.0, 40.0, 30.0 + seed % 30), 3: "E", 4: (12.0, 34.0, 56.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def make_site(work: Path, photos: int) -> Path:
    site = work / "site"
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    shutil.copytree(REPO / "content", site / "content")
    if (REPO / "layouts").is_dir():
        shutil.copytree(REPO / "layouts", site / "layouts")
    folder = site / "content" / "photos"
    folder.mkdir()
    for n in range(photos):
        (folder / f"photo-{n:03d}.jpg").write_bytes(photo(n))
        (folder / f"story-{n:03d}.md").write_text(
            "---\n"
            f"headline: Photo story {n}\n"
            f"date: 2026-10-{1 + n % 28:02d}T{8 + n % 12:02d}:00:00+01:00\n"
            f"image: photo-{n:03d}.jpg\n"
            f"image_alt: The harbour at dusk, picture {n}\n"
            "image_caption: The harbour at dusk.\n"
            'image_credit: "Photo: Jane Doe"\n'
            "---\n\nA short story to go with the picture.\n",
            encoding="utf-8",
        )
    return site


def build(site: Path, jobs: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "generator", "build", "--site", str(site), "--jobs", str(jobs)],
        check=True,
        env=env,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/digest-images-bench"))
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args()

    started = time.perf_counter()
    site = make_site(args.work, args.photos)
    made = time.perf_counter() - started
    originals = sorted((site / "content/photos").glob("*.jpg"))
    cold = build(site, args.jobs)
    warm = build(site, args.jobs)
    originals[0].write_bytes(photo(10_000))
    one = build(site, args.jobs)

    out = site / "output"
    published = [p for p in (out / "photos").iterdir() if p.is_file()]
    original_bytes = sum(p.stat().st_size for p in originals)
    published_bytes = sum(p.stat().st_size for p in published)
    best = next(
        fmt for fmt in ("avif", "webp", "jpg") if (out / f"photos/photo-001-960w.{fmt}").exists()
    )
    phone = [(out / f"photos/{p.stem}-960w.{best}").stat().st_size for p in originals]
    report = {
        "photos": args.photos,
        "jobs": args.jobs,
        "generate_seconds": round(made, 1),
        "cold_seconds": round(cold, 2),
        "warm_seconds": round(warm, 2),
        "one_photo_changed_seconds": round(one, 2),
        "original_bytes": original_bytes,
        "published_image_bytes": published_bytes,
        "published_files": len(published),
        "lead_photo_format": best,
        "lead_photo_bytes_median": sorted(phone)[len(phone) // 2],
        "original_bytes_median": sorted(p.stat().st_size for p in originals)[len(originals) // 2],
    }
    print(json.dumps(report, indent=2))
    if args.out is not None:
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
