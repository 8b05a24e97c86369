"""The file watcher, with a real watchdog observer on a temporary site folder.

Every wait is bounded: a batch must come within 5 s.

"Nothing happens" is never checked by waiting alone, which would pass with a dead
watcher too. After the changes that must be ignored, the test makes a control
change that must come (``Batches.quiet_then``), waits for its batch, and the
batches up to it must hold the control's paths and nothing else. Each watch
reports its events in order and a batch takes everything pending, so a change
that was wrongly reported would come in an earlier batch or in the control's.
Each watch (``content/``, ``layouts/``, the site folder itself) has its own thread,
ordered only within itself: the control goes through every watch that saw the
ignored changes.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.preview.watch import ChangeBatch, Watcher, is_relevant

DEBOUNCE = 0.02
QUIET = 0.25  # how long settle() waits for a straggling batch (5 debounce periods)


class Batches:
    """Collects batches from the watcher's thread."""

    def __init__(self) -> None:
        self.queue: queue.Queue[ChangeBatch] = queue.Queue()

    def __call__(self, batch: ChangeBatch) -> None:
        self.queue.put(batch)

    def next(self) -> ChangeBatch:
        try:
            return self.queue.get(timeout=5)
        except queue.Empty:
            raise AssertionError("no batch within 5 s") from None

    def paths(self) -> set[str]:
        return set(self.next().paths)

    def settle(self) -> set[str]:
        """Every path of the batches that come until none has come for QUIET s.
        (A machine that stalls mid-save may split one save into two batches.)"""
        paths = self.paths()
        while True:
            try:
                paths |= self.queue.get(timeout=QUIET).paths
            except queue.Empty:
                return paths

    def assert_only(self, expected: set[str]) -> None:
        """Takes batches until every path of ``expected`` has come (each within 5 s),
        failing on any other path in them."""
        seen: set[str] = set()
        while not expected <= seen:
            batch = self.next()
            if not batch.paths <= expected:
                raise AssertionError(
                    f"unexpected paths {sorted(batch.paths - expected)} "
                    f"(expected only the control {sorted(expected)})"
                )
            seen |= batch.paths

    def quiet_then(self, site: Path, *controls: str) -> None:
        """Checks that what the test did before makes no batch (any more): writes
        the files ``controls`` (site-relative), whose batches must come, holding
        nothing else. One control per watch that saw the changes to be ignored."""
        for rel in controls:
            write(site / rel, "control\n")
        self.assert_only(set(controls))

    def assert_quiet(self, seconds: float) -> None:
        """No batch for ``seconds``: only where a fixed wait is the point, and
        always followed by a batch that must come."""
        try:
            batch = self.queue.get(timeout=seconds)
        except queue.Empty:
            return
        raise AssertionError(f"unexpected batch: {sorted(batch.paths)}")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    files = {
        "site.yaml": "title: Test\n",
        "content/a.md": "---\nheadline: A\ndate: 2026-11-24\n---\n\nA.\n",
        "content/2026/b.md": "---\nheadline: B\ndate: 2026-11-24\n---\n\nB.\n",
        "layouts/base.html": "<html>{% block body %}{% endblock %}</html>\n",
        "output/index.html": "<p>old</p>\n",
        ".digest/deps-abc.json": "{}\n",
        ".git/HEAD": "ref: refs/heads/main\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


WatchFactory = Callable[..., Batches]


@pytest.fixture
def watch(site: Path) -> Iterator[WatchFactory]:
    """``watch(**options)`` starts a watcher on ``site``; it is stopped after the test."""
    watchers: list[Watcher] = []

    def start(on_batch: Callable[[ChangeBatch], None] | None = None, **options: object) -> Batches:
        batches = Batches()
        options.setdefault("debounce", DEBOUNCE)
        watcher = Watcher(site, on_batch or batches, **options)  # type: ignore[arg-type]
        watchers.append(watcher)
        watcher.start()
        return batches

    yield start
    for watcher in watchers:
        watcher.stop()


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- what a batch says ---------------------------------------------------------------


def test_change_batch_flags() -> None:
    batch = ChangeBatch(frozenset({"content/a.md"}))
    assert (batch.content_changed, batch.layouts_changed, batch.config_changed) == (
        True,
        False,
        False,
    )
    batch = ChangeBatch(frozenset({"layouts/partials/x.html", "site.yaml"}))
    assert (batch.content_changed, batch.layouts_changed, batch.config_changed) == (
        False,
        True,
        True,
    )
    assert ChangeBatch(frozenset({"content"})).content_changed
    assert not ChangeBatch(frozenset({"contents/a.md", "layouts2/x"})).content_changed
    assert not ChangeBatch(frozenset({"layouts2/x"})).layouts_changed


@pytest.mark.parametrize(
    "rel",
    [
        "content/a.md",
        "content/2026/b.md",
        "content/images/x.jpg",
        "layouts/base.html",
        "layouts/static/style.css",
        "site.yaml",
        "content",
        "layouts",
    ],
)
def test_relevant_paths(rel: str) -> None:
    assert is_relevant(rel)


@pytest.mark.parametrize(
    "rel",
    [
        "content/.a.md.swp",
        "content/a.md~",
        "content/#a.md#",
        "content/.#a.md",
        "content/4913",
        "content/a.md.tmp",
        "content/a.md___jb_tmp___",
        "content/.git/HEAD",
        "content/README.md",
        "layouts/.base.html.swp",
        "output/index.html",
        ".digest/deps-abc.json",
        ".git/index",
        ".venv/bin/python",
        ".digest-staging-output-1234abcd",
        ".digest-old-output-1234abcd",
        "notes.txt",
        "site.yaml~",
        ".site.yaml.swp",
    ],
)
def test_ignored_paths(rel: str) -> None:
    assert not is_relevant(rel)


# -- editing articles ----------------------------------------------------------------


def test_edit_in_place(site: Path, watch: WatchFactory) -> None:
    batches = watch()
    with (site / "content/a.md").open("a", encoding="utf-8") as f:
        f.write("More.\n")
    batch = batches.next()
    assert batch.paths == {"content/a.md"}
    assert batch.content_changed
    assert not batch.layouts_changed
    assert not batch.config_changed
    batches.quiet_then(site, "content/zz-control-1.md")  # one edit, one batch


def test_new_article_in_a_new_folder(site: Path, watch: WatchFactory) -> None:
    batches = watch()
    write(site / "content/a2.md", "new")
    assert batches.paths() == {"content/a2.md"}
    (site / "content/2027").mkdir()
    assert batches.paths() == {"content/2027"}
    write(site / "content/2027/c.md", "new")
    assert batches.paths() == {"content/2027/c.md"}


def test_delete_article(site: Path, watch: WatchFactory) -> None:
    batches = watch()
    (site / "content/2026/b.md").unlink()
    assert batches.paths() == {"content/2026/b.md"}


def test_delete_folder(site: Path, watch: WatchFactory) -> None:
    batches = watch()
    shutil.rmtree(site / "content/2026")
    assert batches.settle() == {"content/2026", "content/2026/b.md"}


def test_rename_article(site: Path, watch: WatchFactory) -> None:
    batches = watch()
    os.rename(site / "content/a.md", site / "content/2026/renamed.md")
    assert batches.paths() == {"content/a.md", "content/2026/renamed.md"}


def test_delete_then_create(site: Path, watch: WatchFactory) -> None:
    batches = watch()
    (site / "content/a.md").unlink()
    write(site / "content/a.md", "recreated")
    assert batches.settle() == {"content/a.md"}


@pytest.mark.parametrize("temp_name", [".a.md.tmp", "a.md.tmp", "a.md___jb_tmp___"])
def test_atomic_save(site: Path, watch: WatchFactory, temp_name: str) -> None:
    """VS Code, JetBrains, gedit...: write a temp file, then rename it over the target."""
    batches = watch()
    temp = site / "content" / temp_name
    write(temp, "saved atomically")
    os.replace(temp, site / "content/a.md")
    assert batches.settle() == {"content/a.md"}


def test_jetbrains_safe_write_with_backup(site: Path, watch: WatchFactory) -> None:
    batches = watch()
    content = site / "content"
    write(content / "a.md___jb_tmp___", "saved")
    os.rename(content / "a.md", content / "a.md___jb_old___")
    os.rename(content / "a.md___jb_tmp___", content / "a.md")
    (content / "a.md___jb_old___").unlink()
    assert batches.settle() == {"content/a.md"}
    batches.quiet_then(site, "content/zz-control-1.md")  # nor the backup's deletion


def test_vim_save(site: Path, watch: WatchFactory) -> None:
    """vim's default: probe with 4913, rename the file to its backup, write a new
    file, delete the backup."""
    batches = watch()
    content = site / "content"
    write(content / "4913", "")
    (content / "4913").unlink()
    os.rename(content / "a.md", content / "a.md~")
    write(content / "a.md", "saved by vim")
    (content / "a.md~").unlink()
    assert batches.settle() == {"content/a.md"}
    batches.quiet_then(site, "content/zz-control-1.md")  # nor the backup's deletion


def test_editor_droppings_alone_are_ignored(site: Path, watch: WatchFactory) -> None:
    batches = watch()
    content = site / "content"
    for name in (".a.md.swp", "a.md~", "#a.md#", ".#a.md", "4913", ".DS_Store"):
        write(content / name, "x")
    write(site / "layouts/.base.html.swp", "x")
    os.rename(content / "a.md~", content / "b.md~")
    (content / "#a.md#").unlink()
    batches.quiet_then(site, "content/zz-control-1.md", "layouts/zz-control-1.html")


def test_readme_and_hidden_folders_under_content_are_ignored(
    site: Path, watch: WatchFactory
) -> None:
    batches = watch()
    write(site / "content/README.md", "For editors.")
    write(site / "content/.git/HEAD", "x")
    batches.quiet_then(site, "content/zz-control-1.md")


def test_reading_files_is_not_a_change(site: Path, watch: WatchFactory) -> None:
    """The build opens every input; that must not trigger the next build."""
    batches = watch()
    for _ in range(3):
        for path in (site / "content").rglob("*.md"):
            path.read_bytes()
        (site / "site.yaml").read_bytes()
    # The site folder's watch saw site.yaml read, so its control is another change
    # there: layouts/ moved away (a write to site.yaml would hide a wrong report).
    os.rename(site / "layouts", site / "layouts-away")
    write(site / "content/zz-control-1.md", "control\n")
    batches.assert_only({"layouts", "content/zz-control-1.md"})


def test_touch_is_a_change(site: Path, watch: WatchFactory) -> None:
    batches = watch()
    os.utime(site / "content/a.md")
    assert batches.paths() == {"content/a.md"}


def test_burst_of_files_is_one_batch(site: Path, watch: WatchFactory) -> None:
    """Like a git checkout: many files in a tight loop make one rebuild."""
    batches = watch(debounce=0.3)
    for i in range(100):
        (site / f"content/burst-{i:03}.md").write_text(f"article {i}\n", encoding="utf-8")
    batch = batches.next()
    assert batch.paths == {f"content/burst-{i:03}.md" for i in range(100)}
    batches.quiet_then(site, "content/zz-control-1.md")  # and no straggler batch


def test_max_delay_delivers_during_a_stream_of_changes(site: Path, watch: WatchFactory) -> None:
    batches = Batches()
    arrived: list[float] = []

    def record(batch: ChangeBatch) -> None:
        arrived.append(time.monotonic())
        batches(batch)

    watch(record, debounce=0.2, max_delay=0.3)
    for i in range(6):  # one change every 0.1 s: never quiet for 0.2 s
        write(site / f"content/s{i}.md", "x")
        time.sleep(0.1)
    last_write = time.monotonic() - 0.1
    assert batches.settle() == {f"content/s{i}.md" for i in range(6)}
    assert arrived[0] < last_write  # the first batch came before the stream ended


# -- site settings, layouts and the site root -----------------------------------------


def test_site_yaml(site: Path, watch: WatchFactory) -> None:
    batches = watch()
    write(site / "site.yaml", "title: Changed\n")
    batch = batches.next()
    assert batch.paths == {"site.yaml"}
    assert batch.config_changed
    assert not batch.content_changed


def test_site_yaml_saved_atomically(site: Path, watch: WatchFactory) -> None:
    batches = watch()
    write(site / ".site.yaml.tmp", "title: Changed\n")
    os.replace(site / ".site.yaml.tmp", site / "site.yaml")
    assert batches.next().paths == {"site.yaml"}


def test_layout_edit(site: Path, watch: WatchFactory) -> None:
    batches = watch()
    write(site / "layouts/base.html", "<html>changed</html>\n")
    batch = batches.next()
    assert batch.paths == {"layouts/base.html"}
    assert batch.layouts_changed
    assert not batch.content_changed


def test_output_and_state_folders_are_ignored(site: Path, watch: WatchFactory) -> None:
    batches = watch()
    write(site / "output/index.html", "<p>new</p>\n")
    write(site / "output/2026/page.html", "<p>new</p>\n")
    write(site / ".digest/deps-abc.json", '{"new": 1}\n')
    write(site / ".git/index", "x")
    write(site / "notes.txt", "x")
    # What a build's commit does at the site root: staging folder swapped in.
    staging = site / ".digest-staging-output-1234abcd"
    write(staging / "index.html", "<p>built</p>\n")
    os.replace(site / "output", site / ".digest-old-output-1234abcd")
    os.replace(staging, site / "output")
    shutil.rmtree(site / ".digest-old-output-1234abcd")
    batches.quiet_then(site, "site.yaml")  # all of it went through the site folder's watch


def test_layouts_folder_created_after_start(site: Path, watch: WatchFactory) -> None:
    shutil.rmtree(site / "layouts")
    batches = watch()
    (site / "layouts").mkdir()
    assert batches.paths() == {"layouts"}
    write(site / "layouts/base.html", "<html></html>\n")
    batch = batches.next()
    assert batch.paths == {"layouts/base.html"}
    assert batch.layouts_changed


# watchdog warns when its recursive walk of a new watch and the creation event of
# a sub-folder both add a watch for that sub-folder; harmless.
@pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")
def test_folder_created_with_files_at_once(site: Path, watch: WatchFactory) -> None:
    """Files written before the new folder's watch is in place are not missed."""
    shutil.rmtree(site / "layouts")
    batches = watch()
    write(site / "layouts/partials/header.html", "<header></header>\n")
    assert batches.settle() == {"layouts", "layouts/partials", "layouts/partials/header.html"}


def test_content_folder_replaced(site: Path, watch: WatchFactory) -> None:
    """A deleted and re-created content/ (a checkout, a sync tool) is watched again."""
    batches = watch()
    shutil.rmtree(site / "content")
    assert "content" in batches.paths()
    write(site / "content/new.md", "new")
    assert batches.settle() == {"content", "content/new.md"}
    write(site / "content/new.md", "edited")
    assert batches.paths() == {"content/new.md"}


def test_content_folder_moved_away_and_back(site: Path, watch: WatchFactory) -> None:
    batches = watch()
    os.rename(site / "content", site / "content-old")
    assert batches.paths() == {"content"}
    os.rename(site / "content-old", site / "content")
    assert batches.settle() == {"content", "content/a.md", "content/2026", "content/2026/b.md"}
    write(site / "content/a.md", "edited")
    assert batches.paths() == {"content/a.md"}


# -- batches and builds ----------------------------------------------------------------


def test_changes_during_a_build_are_the_next_batch(site: Path, watch: WatchFactory) -> None:
    """Eleventy's active/pending queue: calls never overlap, and what changed
    while a build ran is delivered as one batch right after it."""
    batches = Batches()
    release = threading.Event()
    running = threading.Lock()
    overlapped: list[ChangeBatch] = []

    def slow_build(batch: ChangeBatch) -> None:
        if not running.acquire(blocking=False):
            overlapped.append(batch)
            return
        try:
            batches(batch)
            release.wait(timeout=5)  # only the first build is slow
        finally:
            running.release()

    watch(slow_build)
    write(site / "content/a.md", "first")
    assert batches.paths() == {"content/a.md"}  # the build is now blocked
    write(site / "content/b.md", "during")
    (site / "content/2026/b.md").unlink()
    write(site / "site.yaml", "title: During\n")
    # No second call while the first one runs: a fixed wait is the point here, to
    # give a wrong watcher time for an overlapping call (caught in `overlapped`).
    batches.assert_quiet(DEBOUNCE * 6)
    release.set()
    # The positive control for that wait: the changes were seen, and come now.
    assert batches.paths() == {"content/b.md", "content/2026/b.md", "site.yaml"}
    batches.quiet_then(site, "content/zz-control-1.md")  # and nothing else after them
    assert overlapped == []


def test_callback_exception_is_logged(
    site: Path, watch: WatchFactory, caplog: pytest.LogCaptureFixture
) -> None:
    batches = Batches()
    calls: list[ChangeBatch] = []

    def failing_first(batch: ChangeBatch) -> None:
        calls.append(batch)
        if len(calls) == 1:
            raise RuntimeError("build crashed")
        batches(batch)

    with caplog.at_level(logging.ERROR, logger="generator.preview.watch"):
        watch(failing_first)
        write(site / "content/a.md", "one")
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        write(site / "content/b.md", "two")
        assert batches.paths() == {"content/b.md"}
    failures = [r for r in caplog.records if r.exc_info and r.name == "generator.preview.watch"]
    assert len(failures) == 1
    assert "build crashed" in str(failures[0].exc_info[1])  # type: ignore[index]


# -- stopping ---------------------------------------------------------------------------


def _watch_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t is not threading.current_thread()}


def test_stop_is_prompt_idempotent_and_ends_the_threads(site: Path) -> None:
    before = _watch_threads()
    batches = Batches()
    watcher = Watcher(site, batches, debounce=DEBOUNCE)
    watcher.start()
    write(site / "content/a.md", "pending")  # a change still pending while stopping
    started = time.monotonic()
    watcher.stop()
    assert time.monotonic() - started < 1.0
    watcher.stop()
    assert {t for t in _watch_threads() - before if t.is_alive()} == set()
    # Changes after stop(), which a watcher started now does see (the positive
    # control), and the stopped one must not (its threads have ended, above).
    probe = Batches()
    with Watcher(site, probe, debounce=DEBOUNCE):
        write(site / "content/a.md", "after stop")
        write(site / "content/after-stop.md", "after stop")
        probe.assert_only({"content/a.md", "content/after-stop.md"})
    # At most the change that was pending before stop() came through.
    while not batches.queue.empty():
        assert batches.queue.get_nowait().paths == {"content/a.md"}
    with pytest.raises(RuntimeError):
        watcher.start()


def test_stop_before_start(site: Path) -> None:
    watcher = Watcher(site, Batches())
    watcher.stop()
    watcher.stop()


def test_stop_from_the_callback(site: Path) -> None:
    done = threading.Event()
    watcher: Watcher

    def stop_now(batch: ChangeBatch) -> None:
        watcher.stop()
        done.set()

    watcher = Watcher(site, stop_now, debounce=DEBOUNCE)
    watcher.start()
    write(site / "content/a.md", "x")
    assert done.wait(timeout=5)
    watcher.stop()


def test_missing_site_folder(tmp_path: Path) -> None:
    watcher = Watcher(tmp_path / "nowhere", Batches())
    with pytest.raises(OSError):
        watcher.start()
    watcher.stop()


def test_context_manager(site: Path) -> None:
    batches = Batches()
    with Watcher(site, batches, debounce=DEBOUNCE):
        write(site / "content/a.md", "x")
        assert batches.paths() == {"content/a.md"}


# -- polling (network mounts) ---------------------------------------------------------


def test_polling_observer(site: Path, watch: WatchFactory) -> None:
    batches = watch(poll=True, poll_interval=0.1)
    write(site / "content/a.md", "edited, and longer than before\n")
    write(site / "output/index.html", "ignored")
    assert batches.paths() == {"content/a.md"}
    os.rename(site / "content/a.md", site / "content/z.md")
    assert batches.settle() == {"content/a.md", "content/z.md"}
