"""Preview latency: from an article save to the page written, and to the
browser being told to reload.

    python bench/latency.py --site bench/sites/10k [--runs 5]

Starts the real preview (watcher + server + incremental builds) on a site made
by bench/generate.py, listens to the live-reload event stream like a browser,
and times four kinds of change: a one-article edit, a new article, a deleted
article and a layout edit. Prints medians in milliseconds and returns them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from generator.preview import Preview, PreviewOptions


class EventListener(threading.Thread):
    """An SSE client: records (time, paths) of every reload event."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path
        self.events: list[tuple[float, list[str]]] = []
        self.lock = threading.Lock()
        self.ready = threading.Event()

    def run(self) -> None:
        conn = http.client.HTTPConnection(self.host or "127.0.0.1", self.port, timeout=600)
        conn.request("GET", self.path + "__digest/events", headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        event = ""
        while True:
            line = response.fp.readline()
            if not line:
                return
            text = line.decode().rstrip("\n")
            if text.startswith("event:"):
                event = text.split(":", 1)[1].strip()
            elif text.startswith("data:") and event == "hello":
                self.ready.set()
            elif text.startswith("data:") and event == "reload":
                paths = json.loads(text.split(":", 1)[1])["paths"]
                with self.lock:
                    self.events.append((time.perf_counter(), paths))

    def wait_for(self, url_path: str, since: float, timeout: float = 60) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self.lock:
                for stamp, paths in self.events:
                    if stamp >= since and (url_path in paths or "*" in paths):
                        return stamp
            time.sleep(0.001)
        raise TimeoutError(url_path)


def wait_written(path: Path, before: int | None, timeout: float = 60) -> float:
    """When ``path`` changed (mtime differs from ``before``, or appeared/vanished)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            now: int | None = path.stat().st_mtime_ns
        except FileNotFoundError:
            now = None
        if now != before:
            return time.perf_counter()
        time.sleep(0.0005)
    raise TimeoutError(str(path))


def mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def measure(site: Path, runs: int) -> dict[str, dict[str, float]]:
    output = site / "output"
    preview = Preview(PreviewOptions(site_dir=site, output_dir=output, port=0))
    first = time.perf_counter()
    preview.start()
    # A layout edit re-renders every page in one process: on a big site that
    # takes longer than the first build, which had every core.
    limit = max(60.0, 3 * (time.perf_counter() - first))
    assert preview.server is not None
    listener = EventListener(preview.server.url)
    listener.start()
    listener.ready.wait(10)
    results: dict[str, dict[str, list[float]]] = {}

    def record(kind: str, start: float, written: float, told: float) -> None:
        entry = results.setdefault(kind, {"written": [], "told": []})
        entry["written"].append((written - start) * 1000)
        entry["told"].append((told - start) * 1000)

    def page_of(md: Path) -> tuple[Path, str]:
        # Find the article's output from the build's dependency map.
        key = f"src:{md.relative_to(site).as_posix()}"
        deps = preview.outputs
        [out] = [o for o, r in deps.items() if r.inputs[:1] == (key,) and o.endswith(".html")]
        url = "/" + out.removesuffix("index.html")
        return output / out, url

    articles = sorted((site / "content").rglob("*.md"))
    try:
        for i in range(runs):
            # 1. edit the body of one article
            md = articles[(i * 7919) % len(articles)]
            page, url = page_of(md)
            text = md.read_text(encoding="utf-8")
            before = mtime(page)
            start = time.perf_counter()
            md.write_text(text + f"\nEdited paragraph {i}.\n", encoding="utf-8")
            written = wait_written(page, before, limit)
            record("edit", start, written, listener.wait_for(url, start, limit))
            time.sleep(0.3)

            # 2. a new article
            new = site / "content" / f"bench-new-{i}.md"
            start = time.perf_counter()
            new.write_text(
                f"---\nheadline: Bench new article {i}\ndate: 2026-11-25T10:0{i}:00+00:00\n"
                "tags: [Topic 000]\n---\n\nA new article.\n",
                encoding="utf-8",
            )
            page = output / f"2026/11/25/bench-new-article-{i}/index.html"
            written = wait_written(page, None, limit)
            record(
                "new",
                start,
                written,
                listener.wait_for(f"/2026/11/25/bench-new-article-{i}/", start, limit),
            )
            time.sleep(0.3)

            # 3. delete that article again
            before = mtime(page)
            start = time.perf_counter()
            new.unlink()
            written = wait_written(page, before, limit)
            record("delete", start, written, listener.wait_for("/", start, limit))
            time.sleep(0.3)

        layout = site / "layouts" / "partials" / "footer.html"
        for i in range(runs):
            # 4. a layout edit (every HTML page uses the footer)
            index = output / "index.html"
            before = mtime(index)
            start = time.perf_counter()
            layout.parent.mkdir(parents=True, exist_ok=True)
            layout.write_text(f"<footer><p>Footer {i}</p></footer>\n", encoding="utf-8")
            written = wait_written(index, before, limit)
            record("layout", start, written, listener.wait_for("/", start, limit))
            time.sleep(0.5)
    finally:
        preview.stop()
    return {
        kind: {name: round(statistics.median(values), 1) for name, values in entry.items()}
        for kind, entry in results.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    medians = measure(args.site, args.runs)
    print(f"{'change':<8} {'written (ms)':>13} {'told (ms)':>10}")
    for kind, values in medians.items():
        print(f"{kind:<8} {values['written']:>13} {values['told']:>10}")


if __name__ == "__main__":
    main()
