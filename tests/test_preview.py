"""digest serve without a browser: a real watcher on a temp site, a real HTTP
server on a free loopback port, and incremental rebuilds that must always
equal a clean build."""

from __future__ import annotations

import queue
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import pipeline
from generator.incremental.state import State
from generator.preview import Preview, PreviewOptions, Rebuild
from tests.conftest import SiteDir, article, interrupt, serve

SITE = {
    "site.yaml": "title: Preview Test\nbase_url: https://example.org/news/\nper_page: 2\n",
    "content/a.md": article("Alpha", "2026-11-20", "Alpha body.", tags="[Politics]",
                            standfirst="Alpha dek."),
    "content/b.md": article("Bravo", "2026-11-21", "Bravo body.\n\nMore bravo.",
                            tags="[Economy]", standfirst="Bravo dek."),
    "content/c.md": article("Charlie", "2026-11-22", "Charlie body.", tags="[Politics]"),
    "content/img/map.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
}  # fmt: skip


class Running:
    def __init__(self, site: SiteDir, preview: Preview, rebuilds: queue.Queue[Rebuild]) -> None:
        self.site = site
        self.preview = preview
        self.rebuilds = rebuilds

    @property
    def url(self) -> str:
        assert self.preview.server is not None
        return self.preview.server.url

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def change(self, files: dict[str, str | None]) -> Rebuild:
        """Write (or delete, for None) files, then wait for the rebuild they cause."""
        for rel, text in files.items():
            path = self.site.root / rel
            if text is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        return self.next_rebuild()

    def next_rebuild(self) -> Rebuild:
        deadline = time.monotonic() + 10
        while True:
            rebuild = self.rebuilds.get(timeout=max(0.1, deadline - time.monotonic()))
            # A save can arrive as two batches; wait until things are quiet.
            try:
                return self.rebuilds.get(timeout=0.3)
            except queue.Empty:
                return rebuild

    def assert_equals_clean_build(self, tmp: Path) -> None:
        clean = tmp / "clean"
        result = pipeline.run(
            pipeline.BuildOptions(site_dir=self.site.root, output_dir=clean), state=State()
        )
        assert result.ok
        got = _tree(self.site.output)
        want = _tree(clean)
        assert sorted(got) == sorted(want), set(got) ^ set(want)
        different = [rel for rel in want if got[rel] != want[rel]]
        assert different == []


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


@pytest.fixture
def running(make_site, tmp_path) -> Iterator[Running]:
    site = make_site(SITE)
    rebuilds: queue.Queue[Rebuild] = queue.Queue()
    options = PreviewOptions(site_dir=site.root, output_dir=site.output, port=0, debounce=0.05)
    preview = Preview(options, rebuilds.put)
    first = preview.start()
    assert first.result.ok
    rebuilds.get(timeout=1)  # the first build
    try:
        yield Running(site, preview, rebuilds)
    finally:
        preview.stop()


def test_serves_the_built_site_with_live_reload(running):
    status, html = running.get("")
    assert status == 200
    assert "Charlie" in html and "data-digest-live-reload" in html
    # The files on disk never contain the live-reload script.
    assert "data-digest-live-reload" not in (running.site.output / "index.html").read_text()


def test_edit_rerenders_only_what_shows_the_change(running, tmp_path):
    page = running.site.output / "2026/11/21/bravo/index.html"
    other = running.site.output / "2026/11/20/alpha/index.html"
    other_mtime = other.stat().st_mtime_ns
    rebuild = running.change(
        {"content/b.md": SITE["content/b.md"].replace("More bravo.", "Edited bravo.")}
    )
    result = rebuild.result
    assert result.ok
    # Only Bravo's page shows its second paragraph (lists show the standfirst),
    # and the feeds carry full bodies.
    assert "2026/11/21/bravo/index.html" in result.changed
    assert "index.html" not in result.changed
    assert "2026/11/20/alpha/index.html" not in result.changed
    assert {c for c in result.changed if c.endswith(".html")} == {"2026/11/21/bravo/index.html"}
    assert "Edited bravo." in page.read_text()
    assert other.stat().st_mtime_ns == other_mtime
    assert "Edited bravo." in running.get("2026/11/21/bravo/")[1]
    running.assert_equals_clean_build(tmp_path)


def test_new_article_appears_everywhere(running, tmp_path):
    rebuild = running.change(
        {"content/d.md": article("Delta", "2026-11-23", "New.", tags="[Politics]")}
    )
    assert rebuild.result.ok
    assert "2026/11/23/delta/index.html" in rebuild.result.changed
    assert "Delta" in running.get("")[1]
    assert "Delta" in running.get("tags/politics/")[1]
    running.assert_equals_clean_build(tmp_path)


def test_delete_removes_the_page_and_empty_tags(running, tmp_path):
    rebuild = running.change({"content/b.md": None})
    assert rebuild.result.ok
    assert running.get("2026/11/21/bravo/")[0] == 404
    assert "Bravo" not in running.get("")[1]
    # Economy had only Bravo: its tag page and feed are gone.
    assert running.get("tags/economy/")[0] == 404
    assert not (running.site.output / "tags/economy").exists()
    assert not (running.site.output / "2026/11/21").exists()
    running.assert_equals_clean_build(tmp_path)


def test_rename_moves_the_page(running, tmp_path):
    source = running.site.root / "content/c.md"
    source.rename(running.site.root / "content/charlie-renamed.md")
    running.next_rebuild()
    status, _ = running.get("2026/11/22/charlie/")
    assert status == 200  # same headline and date: same URL
    running.change({"content/charlie-renamed.md": article("Charlie moves", "2026-11-22")})
    assert running.get("2026/11/22/charlie/")[0] == 404
    assert running.get("2026/11/22/charlie-moves/")[0] == 200
    running.assert_equals_clean_build(tmp_path)


def test_layout_and_asset_edits(running, tmp_path):
    rebuild = running.change(
        {"layouts/partials/footer.html": "<footer><p>Custom footer</p></footer>"}
    )
    changed = rebuild.result.changed
    assert "index.html" in changed and "2026/11/20/alpha/index.html" in changed
    assert not any(c.endswith((".xml", ".json", ".txt")) for c in changed)  # no layout there
    assert "Custom footer" in running.get("2026/11/22/charlie/")[1]
    rebuild = running.change(
        {"content/img/map.svg": "<svg xmlns='http://www.w3.org/2000/svg'><g/></svg>"}
    )
    assert rebuild.result.changed == ["img/map.svg"]
    running.assert_equals_clean_build(tmp_path)


def test_a_layout_every_page_uses_is_swapped_in_whole(make_site, tmp_path):
    """Past IN_PLACE_LIMIT changed pages, the preview renders into a staging
    folder and swaps it in. It keeps the old output for the next such
    rebuild to write into (one folder, deleted when the preview stops)."""
    files = {
        f"content/a{i:03d}.md": article(f"Story {i}", f"2026-10-{1 + i % 28:02d}", f"Body {i}.")
        for i in range(pipeline.IN_PLACE_LIMIT + 10)
    }
    site = make_site(files)
    rebuilds: queue.Queue[Rebuild] = queue.Queue()
    options = PreviewOptions(site_dir=site.root, output_dir=site.output, port=0, debounce=0.05)
    preview = Preview(options, rebuilds.put)
    assert preview.start().result.ok
    rebuilds.get(timeout=5)
    try:
        running = Running(site, preview, rebuilds)
        rebuild = running.change({"layouts/partials/footer.html": "<footer>New footer</footer>"})
        assert rebuild.result.ok and rebuild.result.replaced_all
        assert "New footer" in running.get("2026/10/05/story-4/")[1]
        kept = sorted(p.name for p in site.root.glob(".digest-old-*"))
        assert len(kept) == 1, kept  # the first build's output, kept
        running.assert_equals_clean_build(tmp_path / "first")
        # Again, with an article gone and one added: the kept folder is
        # written into, what is no longer planned deleted from it.
        rebuild = running.change(
            {
                "content/a003.md": None,
                "layouts/partials/footer.html": "<footer>Newer footer</footer>",
                "content/new.md": article("Brand new", "2026-10-30", "New body."),
            }
        )
        assert rebuild.result.ok and rebuild.result.replaced_all
        assert "Newer footer" in running.get("2026/10/05/story-4/")[1]
        now_kept = sorted(p.name for p in site.root.glob(".digest-old-*"))
        assert len(now_kept) == 1 and now_kept != kept, (kept, now_kept)
        running.assert_equals_clean_build(tmp_path / "second")
    finally:
        preview.stop()
    assert _left(site.root, [".digest-old-*", ".digest-staging-*"], timeout=30) == []


def test_links_planted_in_a_kept_output_folder_lead_no_write_outside(make_site, tmp_path):
    """The output folder a swap replaces is written into by the next swap:
    a symbolic link planted in it (to a folder, to a file) is deleted, and
    nothing outside the site's output is written through it."""
    site = make_site(SITE)
    site.build()
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "page.html").write_text("mine", encoding="utf-8")
    rebuilds: queue.Queue[Rebuild] = queue.Queue()
    options = PreviewOptions(
        site_dir=site.root, output_dir=site.output, port=0, debounce=0.05, in_place_limit=0
    )
    preview = Preview(options, rebuilds.put)
    assert preview.start().result.ok
    rebuilds.get(timeout=5)
    try:
        folder = site.output / "2026/11/20/alpha"
        shutil.rmtree(folder)
        folder.symlink_to(outside / "folder", target_is_directory=True)
        page = site.output / "2026/11/21/bravo/index.html"
        page.unlink()
        page.symlink_to(outside / "page.html")
        for name in ("Renamed", "Again"):  # the second writes into the folder planted in
            (site.root / "site.yaml").write_text(
                SITE["site.yaml"].replace("Preview", name), encoding="utf-8"
            )
            seen = _rebuilds_until(rebuilds, site.output / "index.html", name)
            assert all(r.result.ok for r in seen), [r.result.diagnostics for r in seen]
        assert (outside / "page.html").read_text(encoding="utf-8") == "mine"
        assert list((outside / "folder").iterdir()) == []
        assert not any(p.is_symlink() for p in site.output.rglob("*"))
        Running(site, preview, rebuilds).assert_equals_clean_build(tmp_path)
    finally:
        preview.stop()


def test_site_yaml_change_rebuilds_everything(running, tmp_path):
    # The first search index, made after the first build in the background,
    # is the one the rebuild keeps (and counts) while it runs.
    assert running.preview.search_settled(120)
    index = len(list((running.site.output / "pagefind").rglob("*.*")))
    rebuild = running.change(
        {"site.yaml": SITE["site.yaml"].replace("Preview Test", "Renamed Site")}
    )
    assert rebuild.result.ok
    # Every page is rendered again (the settings are an input of every output);
    # the three copied files (an image, two stylesheets) are not, nor the
    # search index's (the preview makes it after the build).
    assert index > 0
    assert rebuild.result.rendered == rebuild.result.files - 3 - index
    assert "Renamed Site" in running.get("2026/11/20/alpha/")[1]
    running.assert_equals_clean_build(tmp_path)


def test_errors_keep_the_last_good_site_and_clear_when_fixed(running, tmp_path):
    before = running.get("2026/11/20/alpha/")[1]
    rebuild = running.change({"content/a.md": "---\nheadline: [broken\ndate: 2026-11-20\n---\n"})
    assert not rebuild.result.ok
    assert any(d.path == "content/a.md" and d.line == 2 for d in rebuild.result.diagnostics)
    assert running.get("2026/11/20/alpha/") == (200, before)
    rebuild = running.change({"content/a.md": SITE["content/a.md"].replace("Alpha body", "Fixed")})
    assert rebuild.result.ok
    assert "Fixed." in running.get("2026/11/20/alpha/")[1]
    running.assert_equals_clean_build(tmp_path)


def test_editor_droppings_never_rebuild(running):
    for name in (".a.md.swp", "a.md~", "#a.md#", ".#a.md", "4913"):
        (running.site.root / "content" / name).write_text("junk")
    # The control: a real edit after the droppings. Its rebuild must come,
    # and be about it alone (the watcher delivers events in order, so any
    # rebuild for the droppings would come first or with it).
    rebuild = running.change(
        {"content/c.md": SITE["content/c.md"].replace("Charlie body", "Charlie edited")}
    )
    assert rebuild.batch is not None and rebuild.batch.paths == {"content/c.md"}
    assert rebuild.result.ok and "2026/11/22/charlie/index.html" in rebuild.result.changed
    with pytest.raises(queue.Empty):
        running.rebuilds.get_nowait()


def test_serving_leaves_nothing_behind_in_the_site_folder(make_site):
    """What a killed preview left is deleted at the start; the output folder
    each swap replaces is kept for the next swap to write into (one at a
    time: a second is deleted in the background, once the browsers are
    told); stopping deletes the last and waits for the deletions."""
    site = make_site(SITE)
    site.build()  # an output folder to replace at the start
    (site.root / ".digest-old-output-dead0001").mkdir()  # what a killed preview left
    rebuilds: queue.Queue[Rebuild] = queue.Queue()
    indexed: queue.Queue[object] = queue.Queue()
    options = PreviewOptions(
        site_dir=site.root, output_dir=site.output, port=0, debounce=0.05, in_place_limit=0
    )
    preview = Preview(options, rebuilds.put, indexed.put)
    assert preview.start().result.replaced_all
    leftovers = [".digest-old-*", ".digest-staging-*"]

    def kept() -> list[str]:
        found = _left(site.root, [".digest-staging-*", ".digest-old-output-dead0001"], 30)
        assert found == []
        return [p.name for p in site.root.glob(".digest-old-*")]

    try:
        # The search index is put in place after the build, in the background
        # (its files through a staging folder of their own, while it writes).
        indexed.get(timeout=120)
        first = kept()
        assert len(first) == 1  # the output the first build replaced
        rebuilds.get(timeout=5)
        running = Running(site, preview, rebuilds)
        rebuild = running.change({"site.yaml": SITE["site.yaml"].replace("Preview", "Renamed")})
        assert rebuild.result.ok and rebuild.result.replaced_all  # the index stays as it was
        second = kept()
        assert len(second) == 1 and second != first  # written into, swapped in; the next kept
        rebuild = running.change({"site.yaml": SITE["site.yaml"].replace("Preview", "Again")})
        assert rebuild.result.ok and rebuild.result.replaced_all
        assert len(kept()) == 1
    finally:
        preview.stop()
    assert _left(site.root, leftovers, timeout=0) == []  # stop waited for the last deletion


def _rebuilds_until(rebuilds: queue.Queue[Rebuild], page: Path, text: str) -> list[Rebuild]:
    """Every rebuild reported until ``page`` has ``text`` and a second passes
    without another (the save's build, then the look at everything)."""
    seen: list[Rebuild] = []
    deadline = time.monotonic() + 60
    while True:
        try:
            seen.append(rebuilds.get(timeout=1))
        except queue.Empty:
            if seen and text in _text(page):
                return seen
            assert time.monotonic() < deadline, "the rebuild did not come"


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:  # between the two renames of a swap
        return ""


def _left(folder: Path, patterns: list[str], timeout: float) -> list[str]:
    """The names matching ``patterns`` in ``folder``, once there are none
    or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        found = [p.name for g in patterns for p in folder.glob(g)]
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.02)


def test_serve_command_prints_url_and_stops_cleanly_on_ctrl_c(make_site, tmp_path):
    site = make_site(SITE)
    proc = serve(site.root)
    try:
        lines = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if line.startswith("Serving "):
                break
        url = lines[-1].split()[1]
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.status == 200
        out, err = interrupt(proc, timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "Traceback" not in err
    assert "Stopped." in out
