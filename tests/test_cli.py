"""The command line as a user meets it: summaries, ``digest new``, exit codes,
``--drafts`` and ``digest check``."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from tests.conftest import article, png

REPO = Path(__file__).resolve().parent.parent

KNOWN_SITE = {
    "content/a.md": article("Harbour reopens", "2026-11-24", "Ships.", tags="[Politics, Denmark]"),
    "content/b.md": article("Budget agreed", "2026-11-23", "Agreed.", tags="[Denmark]"),
    "content/c.md": article("Snow arrives", "2026-11-22", "Cold."),
    "content/img/map.png": png(),
}


def output_files(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )


# -- digest build --------------------------------------------------------------


def test_build_prints_one_summary_line(make_site):
    site = make_site(KNOWN_SITE)
    run = site.build()

    lines = run.out.splitlines()
    assert len(lines) == 1, run.out
    match = re.fullmatch(
        r"Built 3 articles, 2 tags, 14 pages \((\d+) files\) into (.+) in (\d+\.\d\d) s",
        lines[0],
    )
    assert match, lines[0]
    # 3 articles + index + 2 tag pages + tags index + 404 + search + 5 date
    # archives (year, month, 3 days) = 14 pages; files adds the search index,
    # the image's variants and the theme's static files: every file written.
    assert int(match[1]) == len(output_files(site.output))
    assert int(match[1]) > 8
    assert "img/map-4w.png" in output_files(site.output)
    assert match[2] == str(site.output)
    assert "Traceback" not in run.err


def test_build_summary_uses_singular_words_for_one(make_site):
    site = make_site({"content/a.md": article("Only one", tags="[Solo]")})
    run = site.build()
    # 1 article + index + 1 tag page + tags index + 404 + search + year, month,
    # day = 9 pages.
    assert run.out.startswith("Built 1 article, 1 tag, 9 pages (")


def test_build_into_another_folder_names_it(make_site, tmp_path):
    site = make_site(KNOWN_SITE)
    target = tmp_path / "public"
    run = site.build("--output", str(target))
    assert f" into {target} in " in run.out
    assert (target / "index.html").is_file()
    assert not site.output.exists()


# -- digest new ----------------------------------------------------------------

HEADLINE = "Ærø's ferry: a new route"
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")


def test_new_creates_an_article_that_builds(make_site):
    site = make_site({"site.yaml": "timezone: Pacific/Kiritimati\n"})
    day_before = dt.datetime.now(KIRITIMATI).date()
    run = site.digest("new", HEADLINE, "--tags", "Travel, Denmark")
    day_after = dt.datetime.now(KIRITIMATI).date()
    assert run.code == 0, run.err

    created = sorted((site.root / "content").glob("*.md"))
    assert len(created) == 1
    path = created[0]
    assert path.name in {
        f"{d.isoformat()}-aeros-ferry-a-new-route.md" for d in (day_before, day_after)
    }
    today = dt.date.fromisoformat(path.name[:10])
    assert run.out.strip() == str(path)

    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["headline"] == HEADLINE
    assert front["tags"] == ["Travel", "Denmark"]
    date = front["date"]
    assert isinstance(date, dt.datetime)
    assert date.utcoffset() == dt.timedelta(hours=14)
    assert date.date() == today

    site.build()
    page = site.page(f"{today:%Y/%m/%d}/aeros-ferry-a-new-route/")
    assert page.one("h1.headline").text == HEADLINE.replace("'", "\u2019")  # typeset
    assert "/tags/travel/" in page.links()
    assert "/tags/denmark/" in page.links()

    data = path.read_bytes()
    again = site.digest("new", HEADLINE, "--tags", "Travel, Denmark")
    assert again.code == 1
    assert "already exists" in again.err
    assert "Traceback" not in again.err
    assert path.read_bytes() == data
    assert sorted((site.root / "content").glob("*.md")) == [path]


# -- python -m generator in a real process --------------------------------------


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_module_help_exits_0():
    proc = run_module("--help")
    assert proc.returncode == 0
    assert "usage: digest" in proc.stdout
    for command in ("build", "check", "new"):
        assert command in proc.stdout


def test_module_build_exits_0_on_a_good_site(make_site):
    site = make_site(KNOWN_SITE)
    proc = run_module("build", "--site", str(site.root))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Built 3 articles, 2 tags, 14 pages (")
    assert (site.output / "index.html").is_file()


def test_module_build_exits_1_on_a_content_error(make_site):
    site = make_site({**KNOWN_SITE, "content/bad.md": "---\nheadline: Hi\ndate: someday\n---\n"})
    proc = run_module("build", "--site", str(site.root))
    assert proc.returncode == 1
    assert "content/bad.md:3: error: date: cannot read 'someday'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert not site.output.exists()


def test_module_build_exits_2_on_an_unknown_flag(make_site):
    site = make_site(KNOWN_SITE)
    proc = run_module("build", "--site", str(site.root), "--no-such-flag")
    assert proc.returncode == 2
    assert "--no-such-flag" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not site.output.exists()


# -- drafts --------------------------------------------------------------------

DRAFT_SITE = {
    "content/a.md": article("Published story", "2026-11-23", "Out.", tags="[News]"),
    "content/wip.md": article("Secret plan", "2026-11-24", "Not yet.", tags="[News]", draft="true"),
}
DRAFT_PAGE = "2026/11/24/secret-plan/"


def test_drafts_are_left_out_by_default(make_site):
    site = make_site(DRAFT_SITE)
    run = site.build()
    assert run.out.startswith("Built 1 article, 1 tag, ")
    assert not (site.output / DRAFT_PAGE).exists()
    assert f"/{DRAFT_PAGE}" not in site.page("").links()
    assert f"/{DRAFT_PAGE}" not in site.page("tags/news/").links()
    assert "Secret plan" not in site.page("").text
    assert "/2026/11/23/published-story/" in site.page("").links()


def test_drafts_are_built_with_the_drafts_flag(make_site):
    site = make_site(DRAFT_SITE)
    run = site.build("--drafts")
    assert run.out.startswith("Built 2 articles, 1 tag, ")
    page = site.page(DRAFT_PAGE)
    assert page.one("h1.headline").text == "Secret plan"
    assert f"/{DRAFT_PAGE}" in site.page("").links()


# -- digest check --------------------------------------------------------------


def test_check_on_a_good_site_says_ok_and_writes_nothing(make_site):
    site = make_site(KNOWN_SITE)
    run = site.digest("check")
    assert run.code == 0, run.err
    assert run.out.startswith("OK:")
    assert "3 articles, 2 tags, 14 pages" in run.out
    assert not site.output.exists()
    assert not (site.root / ".digest").exists()
