"""Scheduled (embargoed) stories and expiry, through the real CLI: the build
time set with SOURCE_DATE_EPOCH and --now."""

from __future__ import annotations

import datetime as dt
import queue
import shutil
import threading
import time
from pathlib import Path

import pytest

from generator.cli import main
from generator.parse.dates import DATE_HINT
from generator.preview import Preview, PreviewOptions
from tests.conftest import article, interrupt, serve

UTC = dt.UTC
CPH = dt.timezone(dt.timedelta(hours=1))  # Europe/Copenhagen in November


def epoch(*when: int) -> str:
    """SOURCE_DATE_EPOCH for a time in Copenhagen (November: UTC+1)."""
    return str(int(dt.datetime(*when, tzinfo=CPH).timestamp()))  # type: ignore[misc]


EVENING = epoch(2026, 11, 24, 17, 0)  # before the budget story's time
MORNING = epoch(2026, 11, 25, 6, 30)  # after it, and after the sale expired
SITE = {
    "site.yaml": "title: Digest\nbase_url: https://example.org/\ntimezone: Europe/Copenhagen\n",
    "content/live.md": article(
        "Harbour reopens", "2026-11-24 09:00", "Ships are back.", tags="[Politics]"
    ),
    "content/older.md": article(
        "Ferry strike ends", "2026-11-23 10:00", "Crews return.", tags="[Politics]"
    ),
    "content/budget.md": article(
        "Budget deal reached",
        "2026-11-25 06:00",
        "The secret numbers.",
        tags="[Politics, Economy]",
    ),
    "content/report.md": article(
        "Embargoed report", "2026-11-27 10:00", "Under embargo.", tags="[Culture]"
    ),
}
SALE = article(
    "Flash sale on ferry tickets",
    "2026-11-22 08:00",
    "Half price until midnight.",
    expires="2026-11-25",
    tags="[Politics]",
)
HELD_BACK = [b"Budget deal", b"budget-deal", b"secret numbers", b"Embargoed", b"embargoed-report"]


def texts(page, selector: str) -> list[str]:
    return [element.text for element in page.select(selector)]


# -- held back from every output ---------------------------------------------------


def test_a_story_dated_after_the_build_time_is_in_no_output(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EVENING)
    site = make_site(SITE)
    site.build()
    files = site.files()
    assert "2026/11/24/harbour-reopens/index.html" in files
    assert not any("budget" in rel or "/25/" in rel or "/27/" in rel for rel in files)
    # Its tags exist through it alone: no tag page, no feed for them.
    assert not any(rel.startswith(("tags/economy", "tags/culture")) for rel in files)
    # Not in a list, feed, sitemap, related box or prev/next link.
    for rel, data in files.items():
        assert [word for word in HELD_BACK if word in data] == [], rel
    harbour = site.page("2026/11/24/harbour-reopens/")
    assert texts(harbour, ".article-nav-headline") == ["Ferry strike ends"]


def test_it_is_published_once_the_build_time_reaches_it(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", MORNING)
    site = make_site(SITE)
    site.build()
    page = site.page("2026/11/25/budget-deal-reached/")
    assert texts(page, "h1") == ["Budget deal reached"]
    assert "Scheduled for" not in page.source  # a published build never says so
    assert b"budget-deal-reached" in (site.output / "news-sitemap.xml").read_bytes()
    assert b"Budget deal reached" in (site.output / "feed.xml").read_bytes()
    assert (site.output / "tags/economy/index.html").is_file()


def test_now_sets_the_build_time_over_source_date_epoch(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", MORNING)
    site = make_site(SITE)
    # Without a zone, --now is the site's time (Copenhagen, UTC+1).
    site.build("--now", "2026-11-25 05:59")
    assert not (site.output / "2026/11/25").exists()
    site.build("--now", "2026-11-25T06:00")
    assert (site.output / "2026/11/25/budget-deal-reached/index.html").is_file()
    site.build("--now", "2026-11-25T04:59:00+00:00")  # 05:59 in Copenhagen
    assert not (site.output / "2026/11/25").exists()


@pytest.mark.parametrize("command", ["build", "check", "serve"])
def test_a_bad_now_is_a_usage_error(make_site, command):
    site = make_site(SITE)
    run = site.digest(command, "--now", "tomorrow")
    assert run.code == 2
    assert run.err == (
        "digest: error: --now 'tomorrow' is not a date and time "
        "(write it as 2026-11-25T06:00, 2026-11-25 06:00+01:00 or 2026-11-25)\n"
    )
    assert not site.output.exists()


# -- --future and the banner --------------------------------------------------------


BANNER = "Scheduled for 25 November 2026 06:00 – not published yet"


def test_future_includes_them_with_a_banner(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EVENING)
    site = make_site(SITE)
    run = site.build("--future")
    page = site.page("2026/11/25/budget-deal-reached/")
    assert texts(page, ".scheduled-flag") == [BANNER]
    assert "Budget deal reached" in site.page("").source
    assert run.out.splitlines()[1] == (
        '2 scheduled (included: --future): "Budget deal reached" at 2026-11-25 06:00 (in 13 h), '
        '"Embargoed report" at 2026-11-27 10:00 (in 2 d)'
    )
    # The published pages never carry it.
    assert texts(site.page("2026/11/24/harbour-reopens/"), ".scheduled-flag") == []


def test_the_preview_with_future_shows_the_banner(make_site):
    site = make_site(SITE)
    evening = dt.datetime(2026, 11, 24, 17, 0, tzinfo=CPH)
    options = PreviewOptions(
        site_dir=site.root, output_dir=site.output, future=True, jobs=1, clock=lambda: evening
    )
    assert Preview(options).rebuild().result.ok
    assert texts(site.page("2026/11/25/budget-deal-reached/"), ".scheduled-flag") == [BANNER]


# -- what is waiting -------------------------------------------------------------------


def test_the_build_says_what_is_waiting(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EVENING)
    site = make_site(SITE)
    run = site.build()
    assert run.out.splitlines()[1:] == [
        '2 scheduled: "Budget deal reached" at 2026-11-25 06:00 (in 13 h), '
        '"Embargoed report" at 2026-11-27 10:00 (in 2 d)'
    ]
    again = site.build()  # nothing to do: it says so all the same
    assert again.out.splitlines()[1:] == run.out.splitlines()[1:]


def test_many_waiting_are_said_in_short(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EVENING)
    more = {
        f"content/later{n}.md": article(f"Later story number {n}", f"2026-11-24 17:{10 * n:02d}")
        for n in range(1, 4)
    }
    long = "A very long headline that goes on and on about the harbour and the ferries"
    site = make_site({**SITE, **more, "content/long.md": article(long, "2026-11-24 17:05")})
    run = site.build()
    assert run.out.splitlines()[1] == (
        '6 scheduled: "A very long headline that goes on ..." at 2026-11-24 17:05 (in 5 min), '
        '"Later story number 1" at 2026-11-24 17:10 (in 10 min), '
        '"Later story number 2" at 2026-11-24 17:20 (in 20 min), and 3 more'
    )


def test_nothing_waiting_says_nothing(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(2026, 12, 1, 0, 0))
    site = make_site(SITE)
    assert len(site.build().out.splitlines()) == 1


# -- a link to a scheduled story -------------------------------------------------------


def test_a_link_to_a_scheduled_story_is_flagged(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EVENING)
    linking = article(
        "Harbour reopens", "2026-11-24 09:00", "See [the deal](budget.md).", tags="[Politics]"
    )
    site = make_site({**SITE, "content/live.md": linking})
    run = site.digest("check")
    assert run.code == 1
    assert run.err.splitlines()[0] == (
        "content/live.md:7: error: link 'budget.md': content/budget.md is scheduled for "
        "2026-11-25 06:00, not published yet (remove the link until then, or schedule this "
        "article for 2026-11-25 06:00 or later)"
    )
    assert site.digest("build").code == 1  # it would link to a page not there yet
    assert not site.output.exists()
    assert site.digest("check", "--now", "2026-11-25 06:00").code == 0


def test_a_scheduled_story_linking_to_a_later_one_is_flagged_before_its_time(
    make_site, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EVENING)
    budget = article(
        "Budget deal reached", "2026-11-25 06:00", "See [the report](report.md).", tags="[Economy]"
    )
    site = make_site({**SITE, "content/budget.md": budget})
    run = site.digest("build")
    assert run.code == 1  # the build at 06:00 would fail: said now
    assert run.err.splitlines()[0] == (
        "content/budget.md:7: error: link 'report.md': content/report.md is scheduled for "
        "2026-11-27 10:00, not published yet (remove the link until then, or schedule this "
        "article for 2026-11-27 10:00 or later)"
    )


def test_a_scheduled_story_may_link_to_one_published_before_it(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EVENING)
    report = article("Embargoed report", "2026-11-27 10:00", "After [the deal](budget.md).")
    site = make_site({**SITE, "content/report.md": report})
    site.build()
    site.build("--now", "2026-11-27 10:00")
    page = site.page("2026/11/27/embargoed-report/")
    assert "/2026/11/25/budget-deal-reached/" in page.links()


def test_a_scheduled_storys_broken_link_is_an_error_now(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EVENING)
    report = article("Embargoed report", "2026-11-27 10:00", "See [this](missing.md).")
    site = make_site({**SITE, "content/report.md": report})
    run = site.digest("build")
    assert run.code == 1
    assert run.err.splitlines()[0] == (
        "content/report.md:6: error: link 'missing.md': content/missing.md does not exist "
        "(check the file name, or build with --drafts)"
    )


# -- time moving forward ---------------------------------------------------------------


def test_building_again_after_its_time_equals_a_clean_build(make_site, monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EVENING)
    site = make_site({**SITE, "content/sale.md": SALE})
    site.build()
    assert (site.output / "2026/11/22/flash-sale-on-ferry-tickets/index.html").is_file()
    assert site.build().out.count("scheduled") == 1  # still waiting: nothing to do

    monkeypatch.setenv("SOURCE_DATE_EPOCH", MORNING)  # no file changed
    run = site.build()
    assert run.out.splitlines()[1] == (
        '1 scheduled: "Embargoed report" at 2026-11-27 10:00 (in 2 d)'
    )
    assert (site.output / "2026/11/25/budget-deal-reached/index.html").is_file()

    clean = tmp_path / "clean"
    shutil.copytree(site.root, clean, ignore=shutil.ignore_patterns(".digest", "output"))
    assert main(["build", "--site", str(clean)]) == 0
    want = {p.relative_to(clean / "output"): p.read_bytes() for p in _files(clean / "output")}
    got = {p.relative_to(site.output): p.read_bytes() for p in _files(site.output)}
    assert sorted(got) == sorted(want)
    assert [rel for rel in want if got[rel] != want[rel]] == []


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


class Lines:
    """The lines a process prints, read by a thread, waited for with a timeout."""

    def __init__(self, stream) -> None:
        self.seen: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._lines.put(line)

    def wait_for(self, prefix: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self._lines.get(timeout=max(0.01, deadline - time.monotonic()))
            self.seen.append(line)
            if line.startswith(prefix):
                return line


def test_the_preview_publishes_a_story_at_its_time_by_itself(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # the clock moves on
    # A story a few seconds ahead; further ahead again if the machine was
    # too busy to make the first build before its time.
    for attempt, margin in enumerate((8, 30, 90)):
        outcome = _serve_a_story_due_in(tmp_path / f"site{attempt}", margin)
        if outcome != "late":
            break
    assert outcome == "published by the alarm"


def _serve_a_story_due_in(root: Path, seconds: int) -> str:
    due = (dt.datetime.now(UTC) + dt.timedelta(seconds=seconds)).replace(microsecond=0)
    (root / "content").mkdir(parents=True)
    (root / "content/a.md").write_text(article("Harbour reopens", "2026-11-24 09:00"), "utf-8")
    (root / "content/due.md").write_text(
        article("Breaking at the minute", due.isoformat()), "utf-8"
    )
    page = root / f"output/{due:%Y/%m/%d}/breaking-at-the-minute/index.html"
    proc = serve(root)
    try:
        out = Lines(proc.stdout)
        if not out.wait_for("Built ", timeout=60).startswith("Built 1 articles"):
            outcome = "late"  # the first build came after its time
        else:
            # No file changes: the preview's alarm builds at its time (a
            # build without a batch of changes says "Built").
            again = out.wait_for("Built ", timeout=seconds + 60)
            assert again.startswith("Built 2 articles"), out.seen
            assert page.is_file()
            assert dt.datetime.now(UTC) >= due
            outcome = "published by the alarm"
        _, err = interrupt(proc, timeout=15, stdout_read_elsewhere=True)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    return outcome


# -- expiry ---------------------------------------------------------------------------


def test_an_expired_story_leaves_every_list_and_keeps_a_page(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", MORNING)
    linking = article(
        "Harbour reopens", "2026-11-24 09:00", "Tickets were [cheap](sale.md).", tags="[Politics]"
    )
    site = make_site({**SITE, "content/live.md": linking, "content/sale.md": SALE})
    site.build()
    rel = "2026/11/22/flash-sale-on-ferry-tickets/"
    page = site.page(rel)
    assert texts(page, "h1") == ["Flash sale on ferry tickets"]
    assert texts(page, ".withdrawn-note") == [
        "This article was withdrawn on 25 November 2026 00:00. "
        "It was first published on 22 November 2026."
    ]
    assert '<meta name="robots" content="noindex">' in page.source
    assert "Half price" not in page.source  # no body
    # A link to it still lands on it.
    assert f'href="/{rel}"' in site.page("2026/11/24/harbour-reopens/").source
    for other, data in site.files().items():
        if other != rel + "index.html":
            assert b"Flash sale" not in data, other
    for sitemap in ("sitemap.xml", "news-sitemap.xml"):
        assert b"flash-sale" not in (site.output / sitemap).read_bytes()
    assert not (site.output / "2026/11/22").joinpath("index.html").exists()  # its day's list


def test_before_it_expires_the_story_is_as_any_other(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EVENING)
    site = make_site({**SITE, "content/sale.md": SALE})
    site.build()
    page = site.page("2026/11/22/flash-sale-on-ferry-tickets/")
    assert "Half price until midnight." in page.source
    assert "noindex" not in page.source
    assert b"Flash sale" in (site.output / "feed.xml").read_bytes()


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        ("soon", f"expires: cannot read 'soon' as a date ({DATE_HINT})"),
        ("2026-11-31", f"expires: November 2026 has 30 days, not 31 ({DATE_HINT})"),
        (
            "2026-11-20 10:00",
            "expires: 2026-11-20 10:00 is not after the article's date (2026-11-24 09:00) "
            "(set expires: to a later date and time, or delete the line)",
        ),
    ],
)
def test_a_bad_expires_is_an_error_at_its_line(make_site, expires, message):
    site = make_site(
        {"content/a.md": article("Harbour reopens", "2026-11-24 09:00", expires=expires)}
    )
    run = site.digest("build")
    assert run.code == 1
    assert run.err.splitlines()[0] == f"content/a.md:4: error: {message}"
    assert not site.output.exists()
