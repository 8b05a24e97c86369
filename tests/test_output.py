"""The output folder: never half-written, replaced whole on success, refused when
it is not Digest's to replace, byte-for-byte deterministic; and the dependency
map saved beside it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.incremental.state import dependency_map, state_path
from tests.conftest import article, own_renderer, png

REPO = Path(__file__).resolve().parent.parent

GOOD_SITE = {
    "content/a.md": article("Harbour reopens", "2026-11-24", "Ships are back.", tags="[Denmark]"),
    "content/b.md": article("Budget agreed", "2026-11-23", "Parliament agreed.", tags="[Denmark]"),
    "content/img/map.png": png(),
}


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below ``folder`` (hidden ones too): relative path -> (bytes, mtime_ns)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(folder: Path) -> list[str]:
    return sorted(
        e.name for e in folder.iterdir() if e.name.startswith((".digest-staging-", ".digest-old-"))
    )


# -- a failed build leaves the last good site as it was -----------------------


def test_failed_build_leaves_output_untouched(make_site):
    site = make_site(GOOD_SITE)
    site.build()
    before = snapshot(site.output)
    deps_before = dependency_map(site.root)
    assert "index.html" in before

    site.write(
        {
            "content/a.md": "---\nheadline: [Broken\ndate: 2026-11-24\n---\nText\n",
            "content/c.md": article("A new article", "2026-11-25"),
        }
    )
    run = site.digest("build")
    assert run.code == 1
    assert "content/a.md:2: error: invalid YAML" in run.err
    assert f"{site.output} was left as it was" in run.err
    assert snapshot(site.output) == before
    assert not (site.output / "2026/11/25/a-new-article").exists()
    assert leftovers(site.root) == []
    assert dependency_map(site.root) == deps_before


def test_layout_error_at_render_time_leaves_output_untouched(make_site):
    site = make_site(GOOD_SITE)
    site.build()
    before = snapshot(site.output)

    site.write(
        {
            "layouts/tag.html": "<h1>{{ tag.name }}</h1>\n{{ tag.colour }}\n",
            "content/c.md": article("A new article", "2026-11-25", tags="[Denmark]"),
        }
    )
    run = site.digest("build")
    assert run.code == 1
    assert "layouts/tag.html:2: error: undefined variable:" in run.err
    assert snapshot(site.output) == before
    assert leftovers(site.root) == []


# -- a good build replaces the output whole -----------------------------------


def test_rebuild_removes_stale_pages_and_adds_new_ones(make_site):
    site = make_site(
        {
            **GOOD_SITE,
            "content/old.md": article("Old story", "2026-11-20", "Gone soon.", tags="[Archive]"),
        }
    )
    site.build()
    assert (site.output / "2026/11/20/old-story/index.html").is_file()
    assert (site.output / "tags/archive/index.html").is_file()

    (site.root / "content/old.md").unlink()
    site.write({"content/new.md": article("New story", "2026-11-25", "Fresh.")})
    site.build()

    assert not (site.output / "2026/11/20/old-story/index.html").exists()
    assert not (site.output / "tags/archive").exists()
    assert (site.output / "2026/11/25/new-story/index.html").is_file()
    links = site.page("").links()
    assert "/2026/11/25/new-story/" in links
    assert "/2026/11/20/old-story/" not in links
    assert leftovers(site.root) == []


def test_hidden_entries_at_the_top_of_output_survive_a_rebuild(make_site):
    site = make_site(GOOD_SITE)
    site.build()
    site.write(
        {
            "output/.git/HEAD": "ref: refs/heads/gh-pages\n",
            "output/.well-known/security.txt": "Contact: mailto:news@example.org\n",
            "output/.nojekyll": "",
        }
    )
    site.write({"content/c.md": article("A new article", "2026-11-25")})
    site.build()

    assert (site.output / ".git/HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (site.output / ".well-known/security.txt").is_file()
    assert (site.output / ".nojekyll").is_file()
    assert (site.output / "2026/11/25/a-new-article/index.html").is_file()
    assert leftovers(site.root) == []


# -- refusing output folders that are not Digest's ---------------------------


def test_refuses_a_non_empty_folder_that_is_not_a_built_site(make_site, tmp_path):
    site = make_site(GOOD_SITE)
    target = tmp_path / "documents"
    (target / "notes").mkdir(parents=True)
    (target / "thesis.txt").write_text("four years of work\n")
    (target / "notes/ideas.md").write_text("ideas\n")
    before = snapshot(target)

    run = site.digest("build", "--output", str(target))
    assert run.code == 2
    assert "does not look like a site Digest built" in run.err
    assert "Traceback" not in run.err
    assert snapshot(target) == before
    assert sorted(p.name for p in target.iterdir()) == ["notes", "thesis.txt"]
    assert leftovers(tmp_path) == []


def test_refuses_the_site_folder_itself_as_output(make_site):
    site = make_site(GOOD_SITE)
    before = snapshot(site.root)
    run = site.digest("build", "--output", str(site.root))
    assert run.code == 2
    assert "contains the site itself" in run.err
    assert snapshot(site.root) == before


def test_an_empty_or_new_output_folder_is_fine(make_site, tmp_path):
    site = make_site(GOOD_SITE)
    (tmp_path / "empty").mkdir()
    site.build("--output", str(tmp_path / "empty"))
    site.build("--output", str(tmp_path / "new" / "folder"))
    assert (tmp_path / "empty/index.html").is_file()
    assert (tmp_path / "new/folder/index.html").is_file()


# -- determinism --------------------------------------------------------------

SEVERAL = {
    "site.yaml": "title: Nordic Notes\nper_page: 2\ntimezone: Europe/Copenhagen\n",
    "content/2026/ferry.md": article(
        "Ærø's new ferry",
        "2026-11-24 09:00",
        "The ferry sails.\n\n| Route | Minutes |\n| --- | --- |\n| Ærøskøbing | 75 |\n",
        tags="[Ærø, Øresund, Travel]",
    ),
    "content/2026/bridge.md": article(
        "Bridge tolls fall",
        "2026-11-24 09:00",
        "Same minute as the ferry.\n\n```python\nprint('toll', 42)\n```\n",
        tags="[Øresund, economy]",
    ),
    "content/2026/budget.md": article(
        "Budget agreed",
        "2026-11-24",
        "Same day, earlier.",
        tags="[Economy, Politik]",
    ),
    "content/zurich.md": article(
        "Zürich talks",
        "2026-11-22",
        "Talks in [the ferry story](2026/ferry.md).",
        tags="[Zürich, politik, 日本]",
        standfirst="Ministers met",
    ),
    "content/japan.md": article("日本 trade deal", "2026-11-21", "Trade.", tags="[日本, Economy]"),
    "content/a/first.md": article("Alpha", "2026-11-20", "A.", tags="[Travel]"),
    "content/b/first.md": article("Alpha", "2026-11-19", "B.", tags="[travel]"),
    "content/img/map.png": png(),
}


def build_in_subprocess(site: Path, output: Path, seed: str, locale: str) -> None:
    env = dict(os.environ)
    env.update(
        PYTHONHASHSEED=seed,
        LC_ALL=locale,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--site", str(site), "--output", str(output)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_same_build(site: Path, tmp_path: Path) -> dict[str, bytes]:
    first, second = tmp_path / "out-1", tmp_path / "out-2"
    build_in_subprocess(site, first, "1", "C")
    build_in_subprocess(site, second, "2", "C.UTF-8")
    one, two = tree(first), tree(second)
    assert sorted(one) == sorted(two)
    different = [rel for rel in one if one[rel] != two[rel]]
    assert different == []
    return one


def test_output_is_byte_identical_across_hash_seeds_and_locales(make_site, tmp_path):
    site = make_site(SEVERAL)
    files = assert_same_build(site.root, tmp_path)
    # The site exercises what ordering depends on: pages, tags, ties, assets.
    assert {"index.html", "page/2/index.html", "page/4/index.html", "img/map-4w.png"} <= set(files)
    assert "tags/oresund/index.html" in files
    assert "tags/riben/index.html" in files


def test_example_site_output_is_byte_identical_across_runs(tmp_path):
    assert (REPO / "site.yaml").is_file()
    assert (REPO / "content").is_dir()
    files = assert_same_build(REPO, tmp_path)
    assert "index.html" in files
    assert "404.html" in files


# -- the dependency map -------------------------------------------------------

DEPS_SITE = {
    "content/a.md": article(
        "Harbour reopens",
        "2026-11-24",
        "The harbour reopened on Monday.\n\nShips are back in the harbour.",
        tags="[Denmark, Shipping]",
        standfirst="After two weeks of repairs",
        slug="harbour",
    ),
    "content/b.md": article(
        "Budget agreed", "2026-11-23", "Parliament agreed.", tags="[Denmark, Politics]"
    ),
    "content/c.md": article("Election called", "2026-11-22", "Voters decide.", tags="[Politics]"),
    "content/d.md": article("Snow arrives", "2026-11-21", "It is cold."),
}
A_PAGE = "2026/11/24/harbour/index.html"


def deps_of(site) -> dict[str, dict]:
    return dependency_map(site.root)


def signatures(site) -> dict[str, str]:
    """Every output's signature but the search index's (see test_search)."""
    return {
        out: rec["signature"]
        for out, rec in deps_of(site).items()
        if not out.startswith("pagefind/")
    }


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    assert set(before) == set(after)
    return {out for out in before if before[out] != after[out]}


@pytest.fixture
def deps_site(make_site):
    site = make_site({**DEPS_SITE, "site.yaml": "per_page: 2\n"})
    site.build()
    return site


def test_dependency_map_is_saved_with_inputs_of_every_page(deps_site):
    site = deps_site
    assert state_path(site.root).is_file()
    assert not (site.output / ".digest").exists()
    deps = deps_of(site)

    built = {p.relative_to(site.output).as_posix() for p in site.output.rglob("*") if p.is_file()}
    assert set(deps) == built

    article_inputs = deps[A_PAGE]["inputs"]
    for key in ("src:content/a.md", "config", "layout:article.html", "layout:base.html"):
        assert key in article_inputs

    # per_page: 2 -> the first index page lists a and b, the second c and d.
    first = [k for k in deps["index.html"]["inputs"] if k.startswith("teaser:")]
    second = [k for k in deps["page/2/index.html"]["inputs"] if k.startswith("teaser:")]
    assert first == ["teaser:content/a.md", "teaser:content/b.md"]
    assert second == ["teaser:content/c.md", "teaser:content/d.md"]
    assert "layout:index.html" in deps["index.html"]["inputs"]

    politics = [k for k in deps["tags/politics/index.html"]["inputs"] if k.startswith("teaser:")]
    assert politics == ["teaser:content/b.md", "teaser:content/c.md"]
    shipping = [k for k in deps["tags/shipping/index.html"]["inputs"] if k.startswith("teaser:")]
    assert shipping == ["teaser:content/a.md"]
    assert "layout:tag.html" in deps["tags/shipping/index.html"]["inputs"]
    assert "layout:tags.html" in deps["tags/index.html"]["inputs"]


def test_body_change_changes_only_that_article_page_signature(deps_site):
    site = deps_site
    before = signatures(site)
    source = (site.root / "content/a.md").read_text(encoding="utf-8")
    edited = source.replace("Ships are back in the harbour.", "Ferries are back as well.")
    assert edited != source
    site.write({"content/a.md": edited})
    site.build()

    assert changed(before, signatures(site)) == {A_PAGE}
    assert "Ferries are back as well." in site.page("2026/11/24/harbour/").text


def test_headline_change_changes_the_lists_that_show_it(deps_site):
    site = deps_site
    before = signatures(site)
    source = (site.root / "content/a.md").read_text(encoding="utf-8")
    site.write({"content/a.md": source.replace("Harbour reopens", "Harbour reopens at last")})
    site.build()

    diff = changed(before, signatures(site))
    assert {A_PAGE, "index.html", "tags/denmark/index.html", "tags/shipping/index.html"} <= diff
    # b's page links to a as the newer article.
    assert "2026/11/23/budget-agreed/index.html" in diff
    # Lists and pages that do not show a's headline keep their signature.
    for same in ("page/2/index.html", "tags/politics/index.html", "tags/index.html", "404.html"):
        assert same not in diff
    assert "Harbour reopens at last" in site.page("").text


def test_overriding_the_tags_layout_changes_only_the_tags_index(deps_site):
    site = deps_site
    before = signatures(site)
    site.write(
        {
            "layouts/tags.html": (
                '{% extends "theme/tags.html" %}\n{% block title %}All topics{% endblock %}\n'
            )
        }
    )
    site.build()

    assert changed(before, signatures(site)) == {"tags/index.html"}
    assert site.page("tags/").one("title").text == "All topics"
    assert "layout:tags.html" in deps_of(site)["tags/index.html"]["inputs"]


def many_stories(
    body: Callable[[int], str], tags: Callable[[int], str], months: int = 12
) -> dict[str, str]:
    """240 stories on pages of five, enough for parse and render tasks in two
    workers (PARSE_TASK, RENDER_TASK in pipeline/), dated in the first
    ``months`` months of 2026."""
    files = {"site.yaml": "base_url: https://example.org/\nper_page: 5\n"}
    for i in range(240):
        date = f"2026-{1 + i % months:02d}-{1 + i % 28:02d}"
        files[f"content/a{i:03d}.md"] = article(f"Story {i}", date, body(i), tags=tags(i))
    return files


def test_parallel_build_is_byte_identical_to_serial(make_site, tmp_path):
    """--jobs N parses and renders in worker processes; completion order
    must never leak into the output or the dependency map."""
    files = many_stories(
        body=lambda i: f"Body {i}.\n\n| a | b |\n|---|---|\n| {i} | x |",
        tags=lambda i: f"[T{i % 7}, T{i % 3}]",
    )
    site = make_site(files)
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    maps = []
    for out, jobs in ((serial, "1"), (parallel, "2")):
        shutil.rmtree(site.root / ".digest", ignore_errors=True)  # parse them all again
        assert site.digest("build", "--output", str(out), "--jobs", jobs).code == 0
        maps.append(dependency_map(site.root))
    a = {p.relative_to(serial): p.read_bytes() for p in serial.rglob("*") if p.is_file()}
    b = {p.relative_to(parallel): p.read_bytes() for p in parallel.rglob("*") if p.is_file()}
    assert len(a) > 300
    assert a == b
    assert maps[0] == maps[1]


def test_a_preview_with_workers_equals_a_clean_build_after_its_teasers_change(make_site, tmp_path):
    """The preview keeps its worker processes, and sends them, build after
    build, only the teasers that changed: a worker must still show every
    list as a clean build does when a story is edited, added or deleted."""
    import datetime as dt

    from generator import pipeline
    from generator.incremental.state import State
    from generator.pipeline.outputs import RENDER_TASK
    from generator.preview import Preview, PreviewOptions
    from generator.preview.watch import ChangeBatch

    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    files = many_stories(body=lambda i: f"Body {i}.", tags=lambda i: f"[T{i % 7}]", months=11)
    site = make_site(files)
    output = site.root / "output"
    preview = Preview(
        PreviewOptions(site_dir=site.root, output_dir=output, jobs=2, clock=lambda: now)
    )
    assert preview.rebuild().result.ok
    footer = site.root / "layouts" / "partials" / "footer.html"
    footer.parent.mkdir(parents=True)
    steps = [  # each with a layout every page uses: every page goes through the workers
        {"content/a100.md": article("Story 100 retold", "2026-02-17", "Body.", tags="[T2, T5]")},
        {"content/new.md": article("A new story", "2026-11-30", "New.", tags="[T1]")},
        {"content/a010.md": None, "content/a011.md": article("Eleven", "2026-01-12", "B.")},
    ]
    try:
        for number, step in enumerate(steps):
            for rel, text in step.items():
                if text is None:
                    (site.root / rel).unlink()
                else:
                    (site.root / rel).write_text(text, encoding="utf-8")
            footer.write_text(f"<footer><p>Footer {number}</p></footer>\n", encoding="utf-8")
            paths = frozenset([*step, "layouts/partials/footer.html"])
            result = preview.rebuild(ChangeBatch(paths)).result
            assert result.ok and result.rendered > 2 * RENDER_TASK  # through the workers
            clean = tmp_path / f"clean-{number}"
            options = pipeline.BuildOptions(site_dir=site.root, output_dir=clean, now=now)
            with own_renderer():  # not the preview's, which this process shares
                assert pipeline.run(options, state=State()).ok
            want = {p.relative_to(clean): p.read_bytes() for p in clean.rglob("*") if p.is_file()}
            got = {p.relative_to(output): p.read_bytes() for p in output.rglob("*") if p.is_file()}
            assert sorted(got) == sorted(want)
            assert [rel for rel in want if got[rel] != want[rel]] == []
            assert f"Footer {number}".encode() in got[Path("index.html")]
    finally:
        preview.stop()


def test_an_in_place_write_never_follows_a_link_out_of_the_output_folder(tmp_path):
    """A few changed pages are written in place: a symbolic link planted in
    the output folder (a folder's, a page's) that leads outside it is
    refused; one that stays inside is written through."""
    from generator.write import InPlace, OutputError

    out, outside = tmp_path / "output", tmp_path / "outside"
    (out / "2026/11/kept").mkdir(parents=True)
    outside.mkdir()
    (outside / "page.html").write_text("mine", encoding="utf-8")
    (out / "2026/11/20").symlink_to(outside, target_is_directory=True)
    (out / "2026/11/21").symlink_to(out / "2026/11/kept", target_is_directory=True)
    (out / "2026/11/kept/page.html").symlink_to(outside / "page.html")
    writer = InPlace(out)
    assert writer.put("2026/11/22/index.html", b"plain")  # a folder to make
    for rel in ("2026/11/20/index.html", "2026/11/kept/page.html", "2026/11/21/page.html"):
        with pytest.raises(OutputError, match="outside the output folder"):
            writer.put(rel, b"bad")
    assert writer.put("2026/11/21/index.html", b"through")  # the link stays inside
    writer.commit([])
    assert (out / "2026/11/22/index.html").read_bytes() == b"plain"
    assert (out / "2026/11/kept/index.html").read_bytes() == b"through"
    assert (outside / "page.html").read_text(encoding="utf-8") == "mine"
    assert [p.name for p in outside.iterdir()] == ["page.html"]
