"""The search index's cost: index time and size at each size, the bytes a
browser downloads for one query, and how long the preview's index trails an
edit. Not a timed test: a measurement, printed and written as JSON.

    python bench/search.py                        # 1,000 and 10,000 articles
    python bench/search.py --sizes 1000 --query harbour

For each size it generates the bench site (``bench/generate.py``, the same
seeded articles as ``bench/run.py``) and, in this process:

- **cold build**: ``digest build`` of the site, search on; within it the time
  to read the articles for the index (their bodies from the state) and the
  time Pagefind took (the documents written, the binary run, the files read
  back and made byte-stable);
- **index**: the files and bytes of ``output/pagefind/``, and of its
  fragments (one per article), index chunks and filters;
- **one query** (largest size only, headless Chromium): the bytes of every
  response the search page gets for ``/search/?q=QUERY``, by file type;
- **preview**: ``digest serve``'s index after one article is edited: from the
  save until the new index is in place, and how long the rebuild itself took.
"""

from __future__ import annotations

import argparse
import json
import queue
import resource
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from generator import pipeline  # noqa: E402
from generator.pipeline import search as search_stage  # noqa: E402


def timed(record: dict[str, list[float]], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, its wall-clock seconds and its child processes' CPU seconds
    (Pagefind's, as "NAME cpu") recorded."""

    def children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started, cpu = time.perf_counter(), children()
        try:
            return fn(*args, **kwargs)
        finally:
            record.setdefault(name, []).append(time.perf_counter() - started)
            record.setdefault(f"{name} cpu", []).append(children() - cpu)

    return wrapper


def cold_build(site: Path) -> dict[str, float]:
    """One cold build with its search stage's parts timed."""
    for folder in ("output", ".digest"):
        shutil.rmtree(site / folder, ignore_errors=True)
    record: dict[str, list[float]] = {}
    docs, make = search_stage.search_docs, search_stage.make_index
    search_stage.search_docs = timed(record, "read", docs)  # type: ignore[assignment]
    search_stage.make_index = timed(record, "pagefind", make)  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        result = pipeline.run(pipeline.BuildOptions(site_dir=site, output_dir=site / "output"))
        total = time.perf_counter() - started
    finally:
        search_stage.search_docs, search_stage.make_index = docs, make  # type: ignore[assignment]
    assert result.ok, [d.format() for d in result.diagnostics]
    return {
        "build": total,
        "read": sum(record["read"]),
        "pagefind": sum(record["pagefind"]),
        "pagefind cpu": sum(record["pagefind cpu"]),  # the binary's user + system time
    }


def index_size(output: Path) -> dict[str, int]:
    folder = output / "pagefind"
    sizes: dict[str, int] = {"files": 0, "bytes": 0}
    for path in folder.rglob("*"):
        if path.is_file():
            part = path.parent.name if path.parent != folder else "bundle"
            sizes["files"] += 1
            sizes["bytes"] += path.stat().st_size
            sizes[f"{part} bytes"] = sizes.get(f"{part} bytes", 0) + path.stat().st_size
            sizes[f"{part} files"] = sizes.get(f"{part} files", 0) + 1
    return sizes


def one_query(output: Path, query: str) -> dict[str, Any]:
    """What the browser downloads for the search page's answer to ``query``."""
    from playwright.sync_api import sync_playwright

    from generator.preview.server import PreviewServer
    from tests.conftest import CHROME_ARGS, CHROMIUM

    server = PreviewServer(output, port=0, live_reload=False)
    server.start()
    got: list[tuple[str, int]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
            page = browser.new_page()
            finished: list[Any] = []
            page.on("requestfinished", lambda request: finished.append(request))
            page.goto(f"{server.url}search/?q={query}")
            page.wait_for_function(
                "() => /results? for|No results/"
                ".test(document.getElementById('search-status').textContent)",
                timeout=60_000,
            )
            page.wait_for_load_state("networkidle")
            status = page.inner_text("#search-status")
            for request in finished:  # read here: not in the event's callback
                response = request.response()
                got.append((request.url, len(response.body()) if response else 0))
            browser.close()
    finally:
        server.stop()
    kinds: dict[str, int] = {}
    for url, size in got:
        name = url.split("?")[0].rsplit("/", 1)[-1]
        kind = name.rsplit(".", 1)[-1] if "/pagefind/" in url else "page, CSS"
        kinds[kind] = kinds.get(kind, 0) + size
    index_bytes = sum(size for url, size in got if "/pagefind/" in url)
    return {"status": status, "requests": len(got), "index bytes": index_bytes, "by kind": kinds}


def preview_trail(site: Path, runs: int) -> dict[str, Any]:
    """Edit one article under ``digest serve``: seconds from the save to the
    rebuilt page, and to the new index in place."""
    from generator.preview import Preview, PreviewOptions
    from generator.preview.search import Indexed

    indexed: queue.Queue[Indexed] = queue.Queue()
    rebuilt: queue.Queue[float] = queue.Queue()
    output = site / "preview-output"
    shutil.rmtree(output, ignore_errors=True)
    preview = Preview(
        PreviewOptions(site_dir=site, output_dir=output, port=0),
        report=lambda r: rebuilt.put(time.perf_counter()) if r.batch is not None else None,
        indexed=indexed.put,
    )
    articles = sorted((site / "content").rglob("*.md"))
    victim = articles[len(articles) // 2]
    original = victim.read_bytes()
    page_times, index_times = [], []
    preview.start()
    try:
        indexed.get(timeout=600)  # the first build's index
        for n in range(runs):
            saved = time.perf_counter()
            victim.write_bytes(original + f"\n\nSearchable edit number {n}.\n".encode())
            page_times.append(rebuilt.get(timeout=600) - saved)
            while True:
                done = indexed.get(timeout=600)
                if done.changed:
                    break
            index_times.append(time.perf_counter() - saved)
    finally:
        preview.stop()
        victim.write_bytes(original)
        shutil.rmtree(output, ignore_errors=True)
    return {
        "page seconds": statistics.median(page_times),
        "index seconds": statistics.median(index_times),
        "runs": runs,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--query", default="minister")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "sites")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-search.json")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("k", "000")) for s in args.sizes.split(",")]
    report: dict[str, Any] = {}
    for size in sizes:
        site = args.work / f"search-{size}"
        generate(size, site, search=True)
        builds = [cold_build(site) for _ in range(args.runs)]
        row: dict[str, Any] = {key: statistics.median(b[key] for b in builds) for key in builds[0]}
        row["index"] = index_size(site / "output")
        if size == max(sizes):
            row["one query"] = one_query(site / "output", args.query)
            row["preview"] = preview_trail(site, args.runs)
        report[str(size)] = row
        print(json.dumps({size: row}, indent=2), flush=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
