"""Hostile and unlucky input (issue 12): each case is the exact input that
once broke a promise, and what Digest now says about it."""

from __future__ import annotations

import os

import pytest

from tests.conftest import article


def _symlink(link, target, *, folder=False):
    try:
        link.symlink_to(target, target_is_directory=folder)
    except OSError:
        pytest.skip("this file system has no symlinks")


def test_a_symlink_loop_is_one_error_naming_the_links(make_site):
    site = make_site({"content/real.md": article("Real")})
    _symlink(site.root / "content/a.md", "b.md")
    _symlink(site.root / "content/b.md", "a.md")
    run = site.digest("build")
    assert run.code == 1
    assert "content/a.md: error: symlink loop: a.md -> b.md -> a.md (point the link" in run.err
    assert "content/b.md: error: symlink loop: b.md -> a.md -> b.md (point the link" in run.err
    assert "Traceback" not in run.err
    assert not site.output.exists()


def test_a_symlink_loop_among_the_layouts_is_an_error_not_the_theme_silently(make_site):
    site = make_site({"content/real.md": article("Real")})
    (site.root / "layouts").mkdir()
    _symlink(site.root / "layouts/article.html", "article.html")
    _symlink(site.root / "layouts/static", ".", folder=True)
    run = site.digest("build")
    assert run.code == 1
    assert (
        "layouts/article.html: error: symlink loop: article.html -> article.html "
        "(point the link at a real file)"
    ) in run.err
    assert "layouts/static: warning: a link to layouts/, which is read by its own name" in run.err
    assert "Traceback" not in run.err
    assert not site.output.exists()


def test_a_link_to_a_folder_above_is_not_walked_again(make_site):
    site = make_site({"content/2026/one.md": article("One"), "content/two.md": article("Two")})
    _symlink(site.root / "content/2026/loop", "..", folder=True)
    _symlink(site.root / "content/again", "2026", folder=True)
    run = site.build()
    assert "Built 2 articles" in run.out
    assert (
        "content/2026/loop: warning: a link to content/, which is read by its own name: "
        "not read twice (remove the link)"
    ) in run.err
    assert "content/again: warning: a link to content/2026/, which is read" in run.err
    assert "duplicate" not in run.err
    assert os.path.isdir(site.output / "2026/11/24/one")


# -- kills and two builds at once ------------------------------------------------------

ARTICLES = 60


def _site_files(retagged: int = 0, title: str = "Digest") -> dict[str, str]:
    # No search index: the preview makes it in the background after its
    # builds, which the kills here are not about.
    files = {"site.yaml": f"title: {title}\nsearch: false\n"}
    for i in range(ARTICLES):
        tag = "retagged" if i < retagged else f"t{i % 12}"
        files[f"content/a{i:03}.md"] = article(
            f"Story {i}", date=f"2026-{1 + i % 12:02}-{1 + i % 28:02}", tags=f"[{tag}, common]"
        )
    return files


def _snapshot(out) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.relative_to(out).as_posix().startswith(".digest")
    }


def _litter(site) -> list[str]:
    """What builds leave beside the output folder or inside it."""
    beside = [p.name for p in site.root.iterdir() if p.name.startswith(".digest-")]
    inside = [p.name for p in site.output.rglob(".*digest-*")]
    return sorted(n for n in beside + inside if not n.startswith(".digest-lock-"))


def _build_process(site):
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--site", str(site.root), "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_after(process, seconds, site, old, new) -> str:
    """``kill -9`` the build or preview ``process`` after ``seconds`` (unless
    it ended); then the output is the old site, the new one, or one a journal
    says is being finished; the next build leaves the new site and nothing
    else. What the kill found: "old", "new" or "finishing"."""
    import signal

    try:
        process.wait(timeout=seconds)
    except Exception:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    now = _snapshot(site.output)
    journal = site.root / ".digest-journal-output.json"
    finishing = journal.exists() and '"commit"' in journal.read_text()
    assert now in (old, new) or finishing, "neither the old site nor the new"
    site.build()  # the next build finishes the job, or cleans up
    assert _snapshot(site.output) == new
    assert _litter(site) == []
    return "old" if now == old else "new" if now == new else "finishing"


@pytest.mark.parametrize(
    "change",
    [{"retagged": 8}, {"title": "Another title"}],
    # A few outputs change, replaced in place; or, with no state to say what
    # the folder holds, every one, through a staging folder.
    ids=["in place", "staging"],
)
def test_a_build_killed_at_any_moment_leaves_old_or_new_and_the_next_finishes(
    make_site, tmp_path, change
):
    import shutil
    import time

    site = make_site(_site_files())
    site.build()
    old = _snapshot(site.output)
    saved = tmp_path / "saved"
    shutil.copytree(site.root, saved, symlinks=True)
    site.write(_site_files(**change))
    site.build()
    new = _snapshot(site.output)
    assert new != old
    # How long the change takes to build, then kills spread over it.
    shutil.rmtree(site.root)
    shutil.copytree(saved, site.root, symlinks=True)
    site.write(_site_files(**change))
    if "title" in change:
        shutil.rmtree(site.root / ".digest")
    started = time.monotonic()
    assert _build_process(site).wait(timeout=120) == 0
    took = time.monotonic() - started
    outcomes = set()
    for step in range(6):
        shutil.rmtree(site.root)
        shutil.copytree(saved, site.root, symlinks=True)
        site.write(_site_files(**change))
        if "title" in change:
            shutil.rmtree(site.root / ".digest")
        outcomes.add(_kill_after(_build_process(site), took * (0.3 + 0.14 * step), site, old, new))
    print(sorted(outcomes))
    assert "old" in outcomes  # the kills did land while the build ran


class _Lines:
    """The lines a process prints, read by a thread, waited for with a timeout."""

    def __init__(self, stream) -> None:
        import queue
        import threading

        self._queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._queue.put(line)

    def wait_for(self, text: str, timeout: float) -> str:
        import time

        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except Exception:
                break
            self.seen.append(line)
            if text in line:
                return line
        pytest.fail(f"no {text!r} within {timeout} s; printed: {''.join(self.seen)}")


def test_a_preview_killed_at_any_moment_of_a_rebuild_leaves_old_or_new(make_site, tmp_path):
    """``digest serve`` writes with the same staging and swap as ``digest
    build``: killed anywhere in a rebuild that changes every page (a new
    title), the output is the old site or the new one, and the next build
    finishes or cleans up."""
    import shutil
    import signal
    import time

    from tests.conftest import serve

    site = make_site(_site_files())
    site.build()
    old = _snapshot(site.output)
    saved = tmp_path / "saved"
    shutil.copytree(site.root, saved, symlinks=True)
    site.write(_site_files(title="Another title"))
    site.build()
    new = _snapshot(site.output)
    assert new != old

    started_processes = []

    def restart():
        shutil.rmtree(site.root)
        shutil.copytree(saved, site.root, symlinks=True)
        process = serve(site.root)
        started_processes.append(process)
        lines = _Lines(process.stdout)
        lines.wait_for("Serving", timeout=120)
        assert _snapshot(site.output) == old
        return process, lines

    try:
        # How long the preview takes from the edit to the rebuilt site, then
        # kills spread over that time.
        process, lines = restart()
        started = time.monotonic()
        site.write(_site_files(title="Another title"))
        lines.wait_for("Rebuilt", timeout=120)
        took = time.monotonic() - started
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert _snapshot(site.output) == new
        outcomes = set()
        for step in range(6):
            process, lines = restart()
            site.write(_site_files(title="Another title"))
            outcomes.add(_kill_after(process, took * (0.2 + 0.3 * step), site, old, new))
    finally:  # a failed step leaves no preview running
        for process in started_processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=60)
    print(sorted(outcomes), f"rebuild took {took:.2f} s")
    assert "old" in outcomes  # the kills did land while the preview rebuilt


def test_two_builds_at_once_wait_for_each_other(make_site):
    site = make_site(_site_files())
    first, second = _build_process(site), _build_process(site)
    results = [p.communicate(timeout=120) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], results
    assert "Traceback" not in results[0][1] + results[1][1]
    assert _litter(site) == []
    before = _snapshot(site.output)
    site.build()
    assert _snapshot(site.output) == before


def test_a_build_waits_for_one_holding_the_output_and_says_so(make_site):
    import threading

    from generator.write import output_lock

    site = make_site({"content/a.md": article("One")})
    held = threading.Event()
    release = threading.Event()

    def hold():
        with output_lock(site.output):
            held.set()
            release.wait(timeout=60)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(timeout=30)
    process = _build_process(site)
    try:
        # The message comes while the lock is held; the build then finishes.
        line = process.stderr.readline()
        assert "another build is writing into" in line and "waiting for it" in line
        assert process.poll() is None
    finally:
        release.set()
        holder.join(timeout=30)
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert (site.output / "index.html").is_file()


def test_leftovers_of_killed_builds_are_removed(make_site):
    site = make_site({"content/a.md": article("One")})
    site.build()
    (site.root / ".digest-staging-output-dead0001/x").mkdir(parents=True)
    (site.root / ".digest-old-output-dead0002").mkdir()
    (site.root / ".digest-journal-output.json.tmp").write_text('{"state": ')
    site.build()
    assert _litter(site) == []


def test_a_build_killed_while_it_renamed_is_finished_by_the_next(make_site):
    site = make_site({"content/a.md": article("One")})
    site.build()
    staged = site.root / ".digest-staging-output-dead0001"
    staged.mkdir()
    (staged / "0").write_text("the new index")
    (site.root / ".digest-journal-output.json").write_text(
        '{"state": "commit", "staging": ".digest-staging-output-dead0001", '
        '"moves": [["0", "index.html"], ["1", "tags/index.html"]], "removes": ["404.html"]}'
    )
    site.digest("check")  # reads, never writes: the journal waits for a build
    assert (site.root / ".digest-journal-output.json").exists()
    from generator.write import output_lock, recover

    with output_lock(site.output):
        recover(site.output)
    assert (site.output / "index.html").read_text() == "the new index"
    assert not (site.output / "404.html").exists()
    assert _litter(site) == []


# -- YAML that expands, loops or leaves the calendar ----------------------------------------

LAUGHS = "\n".join(
    ['  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    + ["  lol: *a9"]
)


def test_an_alias_bomb_is_an_error_not_a_full_disk(make_site):
    site = make_site(
        {
            "content/bomb.md": "---\nheadline: Bomb\ndate: 2026-11-24\nextra:\n"
            f"{LAUGHS}\n---\n\nx\n",
            "content/fine.md": article("Fine"),
        }
    )
    run = site.digest("build")
    assert run.code == 1
    assert (
        "content/bomb.md:4: error: extra: the value expands to more than 10,000 values through "
        "aliases (*name) (front matter and settings hold a few values: write them out, "
        "without aliases)"
    ) in run.err
    assert not site.output.exists()
    assert sum(f.stat().st_size for f in (site.root / ".digest").rglob("*")) < 5_000_000


def test_an_alias_bomb_in_site_yaml_is_an_error(make_site):
    site = make_site({"site.yaml": f"title: X\nparams:\n{LAUGHS}\n", "content/a.md": article()})
    run = site.digest("build")
    assert run.code == 1
    assert "site.yaml:2: error: params: the value expands to more than 10,000 values" in run.err
    assert "MemoryError" not in run.err and "Traceback" not in run.err


def test_an_alias_inside_itself_is_an_error(make_site):
    site = make_site(
        {"content/a.md": "---\nheadline: Loop\ndate: 2026-11-24\nloop: &l [*l]\n---\n\nx\n"}
    )
    run = site.digest("build")
    assert run.code == 1
    assert (
        "content/a.md:4: error: loop: an alias refers to the value it is in (a loop) "
        "(remove the alias)"
    ) in run.err
    assert not site.output.exists()
    assert site.digest("check").code == 1  # check and build agree


@pytest.mark.parametrize(
    ("written", "year"),
    [("0001-01-01", 1), ("9999-12-31 23:59", 9999), ("9999-12-31T23:59-12:00", 9999)],
)
def test_a_date_at_the_ends_of_the_calendar_is_an_error_before_anything_is_written(
    make_site, written, year
):
    site = make_site(
        {
            "site.yaml": "timezone: Europe/Copenhagen\nbase_url: https://news.example/\n",
            "content/a.md": article("Edge", date=written),
        }
    )
    for command in ("build", "check"):
        run = site.digest(command)
        assert run.code == 1, command
        assert (
            f"content/a.md:3: error: date: the year {year} is out of range: dates go from "
            "1000 to 9998"
        ) in run.err
        assert "Traceback" not in run.err and "OverflowError" not in run.err
    assert not site.output.exists()


def test_an_old_date_in_range_is_published(make_site):
    site = make_site(
        {
            "site.yaml": "timezone: Europe/Copenhagen\nbase_url: https://news.example/\n",
            "content/a.md": article("Founding issue", date="1850-03-01"),
        }
    )
    site.build()
    assert (site.output / "1850/03/01/founding-issue/index.html").is_file()
    assert "<lastmod>1850-03-01" in (site.output / "sitemap.xml").read_text()


def test_a_date_format_reaching_into_python_is_refused(make_site):
    site = make_site({"site.yaml": "date_format: '{day.__class__}'\n", "content/a.md": article()})
    run = site.digest("build")
    assert run.code == 1
    assert (
        "site.yaml:1: error: date_format: cannot use '{day.__class__}': {day.__class__} is not "
        "a placeholder (placeholders are {day} {dd} {month} {mm} {month_name} {year})"
    ) in run.err


# -- fan-out ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (
            10_000,
            "content/a.md:4: error: tags: the value holds more than 10,000 values (front "
            "matter and settings hold a few values, not thousands)",
        ),
        (
            60,
            "content/a.md:4: error: tags: 60 tags; an article may have at most 50 "
            "(keep the tags that matter, or raise limits.tags in site.yaml)",
        ),
    ],
)
def test_an_article_with_thousands_of_tags_is_an_error_not_gigabytes(make_site, count, message):
    tags = ", ".join(f"tag{i}" for i in range(count))
    site = make_site({"content/a.md": article("Tagged", tags=f"[{tags}]")})
    run = site.digest("build")
    assert run.code == 1
    assert message in run.err
    assert not site.output.exists()


def test_the_limits_are_set_in_site_yaml(make_site):
    site = make_site(
        {
            "site.yaml": "limits:\n  tags: 2\n  authors: 1\n",
            "content/a.md": article("Three", tags="[a, b, c]", author="[Ann, Bo]"),
        }
    )
    run = site.digest("build")
    assert run.code == 1
    assert "content/a.md:4: error: tags: 3 tags; an article may have at most 2" in run.err
    assert "content/a.md:5: error: author: 2 authors; an article may have at most 1" in run.err
    site.write({"site.yaml": "limits:\n  tags: 3\n  authors: 2\n"})
    site.build()
    assert (site.output / "tags/c/index.html").is_file()


# -- small ones: every problem at its line ---------------------------------------------------


def test_a_nul_byte_a_runaway_image_and_an_unclosed_quote_each_have_their_line(make_site):
    site = make_site(
        {
            "content/nul.md": "---\nheadline: A\x00b\ndate: 2026-11-24\n---\n\nx\n",
            "content/img.md": article("Img", image="../../../etc/passwd.jpg"),
            "content/quote.md": '---\nheadline: "Unclosed\ndate: 2026-11-24\ntags: [a]\n---\n\nx\n',
        }
    )
    run = site.digest("build")
    assert run.code == 1
    assert (
        "content/nul.md:2: error: a control character (U+0000) is not allowed here "
        "(delete it: it often comes with text pasted from elsewhere)"
    ) in run.err
    assert (
        "content/img.md:4: error: image '../../../etc/passwd.jpg' points outside content/ "
        "(link to files inside content/ or use a full URL)"
    ) in run.err
    assert "content/quote.md:2: error: invalid YAML: while scanning a quoted scalar" in run.err
    assert run.err.count("passwd") == 1  # said once, at its line


def test_a_lead_image_that_does_not_exist_is_reported_at_its_line(make_site):
    site = make_site({"content/a.md": article("Pictured", image="images/missing.jpg")})
    run = site.digest("build")
    assert run.code == 1
    assert (
        "content/a.md:4: error: image 'images/missing.jpg': content/images/missing.jpg "
        "does not exist"
    ) in run.err
