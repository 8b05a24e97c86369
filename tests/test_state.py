"""digest build keeps its state in .digest/ between runs: nothing changed
means nothing rendered and no file touched; an edit renders what it touches
and writes what it changed; a damaged or foreign state is ignored; a state
restored elsewhere is used there. Every result equals a clean build."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import time
from pathlib import Path

from generator import pipeline
from generator.incremental.state import State, dependency_map, state_path
from tests.conftest import article

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
SITE = {
    "site.yaml": "base_url: https://example.org/\nper_page: 2\n",
    **{
        f"content/s{i}.md": article(
            f"Story {i}", f"2026-11-{20 + i}", f"Text {i}.\n\nMore {i}.",
            tags=f"[T{i % 2}]", standfirst=f"Dek {i}.",
        )
        for i in range(5)
    },
}  # fmt: skip


def run(site_dir: Path, output: Path, now: dt.datetime = NOW) -> pipeline.BuildResult:
    result = pipeline.run(
        pipeline.BuildOptions(site_dir=site_dir, output_dir=output, now=now, jobs=2)
    )
    assert result.ok, [d.format() for d in result.diagnostics]
    return result


def stats(root: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def assert_clean_equal(site_dir: Path, output: Path, tmp: Path, now: dt.datetime = NOW) -> None:
    clean = tmp / "clean"
    # A clean build: a state of its own, in memory.
    pipeline.run(
        pipeline.BuildOptions(site_dir=site_dir, output_dir=clean, now=now, jobs=1), state=State()
    )
    got = {k: v[1] for k, v in stats(output).items()}
    want = {k: v[1] for k, v in stats(clean).items()}
    assert got == want


def test_nothing_changed_renders_nothing_and_touches_nothing(make_site, tmp_path):
    site = make_site(SITE)
    first = run(site.root, site.output)
    copies = 2  # the theme's two stylesheets
    index = len(list((site.output / "pagefind").rglob("*.*")))  # the search index's files
    assert first.rendered == first.files - copies - index  # every page, feed and sitemap
    before = stats(site.output)
    again = run(site.root, site.output)
    assert again.rendered == 0
    assert (again.articles, again.pages, again.files) == (first.articles, first.pages, first.files)
    assert stats(site.output) == before


def test_an_edit_renders_and_writes_only_what_it_touches(make_site, tmp_path):
    site = make_site(SITE)
    run(site.root, site.output)
    before = stats(site.output)
    site.write({"content/s2.md": SITE["content/s2.md"].replace("More 2.", "Changed.")})
    result = run(site.root, site.output)
    after = stats(site.output)
    # (the search index's files: see test_search)
    touched = sorted(
        rel for rel in after if after[rel] != before.get(rel) and not rel.startswith("pagefind/")
    )
    assert "2026/11/22/story-2/index.html" in touched
    assert not any(rel.startswith("tags/t1/page") or rel == "index.html" for rel in touched)
    assert all(rel.endswith((".html", ".xml", ".json")) for rel in touched)
    assert result.rendered < result.pages / 2
    assert_clean_equal(site.root, site.output, tmp_path)


def test_a_rewrite_with_the_same_size_and_time_is_still_seen(make_site, tmp_path):
    """Two saves within one tick of the file system's clock leave the same
    stat: a file changed that recently is read again, never trusted."""
    site = make_site(SITE)
    run(site.root, site.output)
    path = site.root / "content/s2.md"
    st = path.stat()
    text = SITE["content/s2.md"].replace("More 2.", "Less 2.")
    assert len(text) == len(SITE["content/s2.md"])
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    run(site.root, site.output)
    page = (site.output / "2026/11/22/story-2/index.html").read_text(encoding="utf-8")
    assert "Less 2." in page and "More 2." not in page
    assert_clean_equal(site.root, site.output, tmp_path)


def test_a_touched_article_is_not_rendered_again(make_site, tmp_path):
    """A new modification time with the same bytes (a checkout, ``touch``)
    renders nothing and rewrites nothing."""
    site = make_site(SITE)
    run(site.root, site.output)
    before = stats(site.output)
    path = site.root / "content/s2.md"
    later = path.stat().st_mtime_ns + 5_000_000_000
    os.utime(path, ns=(later, later))
    result = run(site.root, site.output)
    assert result.rendered == 0
    assert stats(site.output) == before


def test_structural_change_and_delete_leave_no_stale_file(make_site, tmp_path):
    site = make_site(SITE)
    run(site.root, site.output)
    (site.root / "content/s0.md").unlink()
    site.write({"content/s9.md": article("Story 9", "2026-11-24", "New.", tags="[T9]")})
    run(site.root, site.output)
    assert not (site.output / "2026/11/20/story-0").exists()
    assert (site.output / "tags/t9/index.html").is_file()
    assert_clean_equal(site.root, site.output, tmp_path)


def test_a_hand_edited_output_file_is_made_again(make_site, tmp_path):
    site = make_site(SITE)
    run(site.root, site.output)
    page = site.output / "2026/11/21/story-1/index.html"
    page.write_text("vandalised", encoding="utf-8")
    (site.output / "tags/index.html").unlink()
    run(site.root, site.output)
    assert "Story 1" in page.read_text(encoding="utf-8")
    assert_clean_equal(site.root, site.output, tmp_path)


def test_a_damaged_or_foreign_state_is_ignored(make_site, tmp_path):
    site = make_site(SITE)
    run(site.root, site.output)
    path = state_path(site.root)
    data = bytearray(path.read_bytes())
    data[:16] = b"not a database!!"  # SQLite's header: the file is no database
    path.write_bytes(bytes(data))
    site.write({"content/s3.md": SITE["content/s3.md"].replace("Story 3", "Story three")})
    result = run(site.root, site.output)
    assert result.rendered >= result.pages  # a full build
    assert_clean_equal(site.root, site.output, tmp_path)
    path.write_bytes(b"not a state at all")
    site.write({"content/s3.md": SITE["content/s3.md"]})
    assert run(site.root, site.output).rendered >= result.pages
    assert_clean_equal(site.root, site.output, tmp_path)
    assert run(site.root, site.output).rendered == 0  # the new state is used
    with sqlite3.connect(path) as db:  # a state written by another version
        db.execute("UPDATE meta SET value = 'another' WHERE key = 'version'")
    assert run(site.root, site.output).rendered >= result.pages
    assert_clean_equal(site.root, site.output, tmp_path)


def rows(site_dir: Path, table: str) -> dict[str, tuple[int, tuple[object, ...]]]:
    """path -> (rowid, row) of a table of the state: a row written again gets
    a new rowid."""
    with sqlite3.connect(state_path(site_dir)) as db:
        found = db.execute(f"SELECT rowid, * FROM {table}").fetchall()
    return {row[1]: (row[0], row[1:]) for row in found}


def test_an_edit_rewrites_only_what_it_changed_in_the_state(make_site, tmp_path):
    site = make_site(SITE)
    run(site.root, site.output)
    parsed, outputs = rows(site.root, "parsed"), rows(site.root, "outputs")
    text = SITE["content/s2.md"].replace("More 2.", "Edit 2.")
    site.write({"content/s2.md": text})
    run(site.root, site.output)
    parsed_after, outputs_after = rows(site.root, "parsed"), rows(site.root, "outputs")
    assert {p for p in parsed if parsed[p] != parsed_after[p]} == {"content/s2.md"}
    # (the search index's rows: see test_search)
    rewritten = {
        o for o in outputs if outputs[o] != outputs_after.get(o) and not o.startswith("pagefind/")
    }
    assert "2026/11/22/story-2/index.html" in rewritten
    assert "index.html" not in rewritten and len(rewritten) < len(outputs) / 2
    page = (site.output / "2026/11/22/story-2/index.html").read_text(encoding="utf-8")
    assert "Edit 2." in page
    assert run(site.root, site.output).rendered == 0  # the state read back whole
    assert_clean_equal(site.root, site.output, tmp_path)


def test_the_state_is_plain_data_without_machine_paths(make_site):
    site = make_site(SITE)
    run(site.root, site.output)
    data = state_path(site.root).read_bytes()
    assert data.startswith(b"SQLite format 3\x00")
    assert str(site.root).encode() not in data and str(tmp_root(site)).encode() not in data
    assert not list(site.root.glob(".digest/*.pickle"))
    assert dependency_map(site.root)["index.html"]["inputs"][0] == "teaser:content/s4.md"


def tmp_root(site) -> Path:
    return site.root.parent


def test_a_site_restored_elsewhere_builds_warm(make_site, tmp_path):
    """A CI cache: the site checked out again (every file gets a new
    modification time), with its .digest/ and output/ restored."""
    site = make_site(SITE)
    run(site.root, site.output)
    moved = tmp_path / "elsewhere" / "site"
    shutil.copytree(site.root, moved)  # the state and the output keep their times
    later = time.time_ns() + 10_000_000_000
    for path in (moved / "content").rglob("*.md"):
        os.utime(path, ns=(later, later))  # a fresh checkout
    result = run(moved, moved / "output")
    assert result.rendered == 0  # nothing parsed, nothing rendered
    assert_clean_equal(moved, moved / "output", tmp_path)


def test_the_news_sitemap_window_expires_by_itself(make_site, tmp_path):
    site = make_site(SITE)
    run(site.root, site.output)
    assert "story-4" in (site.output / "news-sitemap.xml").read_text()
    later = NOW + dt.timedelta(days=3)
    result = run(site.root, site.output, now=later)
    assert result.rendered >= 1
    assert "story-4" not in (site.output / "news-sitemap.xml").read_text()
    assert_clean_equal(site.root, site.output, tmp_path, now=later)


def bodies(site_dir: Path) -> list[str]:
    with sqlite3.connect(state_path(site_dir)) as db:
        return sorted(d for (d,) in db.execute("SELECT digest FROM bodies"))


def test_bodies_are_kept_in_the_state_and_do_not_pile_up(make_site, tmp_path):
    site = make_site(SITE)
    run(site.root, site.output)
    with sqlite3.connect(state_path(site.root)) as db:
        stored = [bytes(h) for (h,) in db.execute("SELECT html FROM bodies")]
    assert any(b"More 3." in html for html in stored)
    assert len(bodies(site.root)) == 5
    for n in range(6):
        text = SITE[f"content/s{n % 5}.md"].replace(f"More {n % 5}.", f"Edit {n}.")
        site.write({f"content/s{n % 5}.md": text})
        run(site.root, site.output)
    assert len(bodies(site.root)) == 5  # the bodies no article has any more are gone
    page = (site.output / "2026/11/21/story-1/index.html").read_text(encoding="utf-8")
    assert "Edit 1." in page and "Edit 6." not in page
    assert_clean_equal(site.root, site.output, tmp_path)


def test_damaged_or_missing_bodies_are_made_again_from_their_files(make_site, tmp_path):
    site = make_site(SITE)
    run(site.root, site.output)
    with sqlite3.connect(state_path(site.root)) as db:
        db.execute("UPDATE bodies SET html = CAST(REPLACE(CAST(html AS TEXT), 'More 3.', "
                   "'Mare 3.') AS BLOB)")  # fmt: skip
    # Story 2's new headline is on story 3's page: that page is made again,
    # and its body no longer matches its digest.
    site.write({"content/s2.md": SITE["content/s2.md"].replace("Story 2", "Story two")})
    run(site.root, site.output)
    page = (site.output / "2026/11/23/story-3/index.html").read_text(encoding="utf-8")
    assert "More 3." in page and "Mare 3." not in page and "Story two" in page
    assert_clean_equal(site.root, site.output, tmp_path)
    with sqlite3.connect(state_path(site.root)) as db:
        db.execute("DELETE FROM bodies")
    site.write({"content/s2.md": SITE["content/s2.md"]})
    run(site.root, site.output)
    assert_clean_equal(site.root, site.output, tmp_path)
