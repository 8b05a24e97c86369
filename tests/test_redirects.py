"""URLs that never break: aliases:, the URL record (published-urls.txt) that
keeps every URL an article had leading to it, the redirect pages and the
_redirects file; and the errors of URLs claimed twice or not on the site."""

from __future__ import annotations

import shutil

import pytest

from generator.cli import main
from generator.preview import Preview, PreviewOptions
from generator.preview.watch import ChangeBatch, is_relevant
from tests.conftest import article

SITE = "title: Test\nbase_url: https://example.org/news/\n"
RECORD = "published-urls.txt"
HEADER = (
    "# Every URL this site has published, and its article (its id: or its file).\n"
    "# digest build adds the new ones; commit this file with the content, so that\n"
    "# an article's old URLs keep leading to it. Delete a line to let a URL go.\n"
)
BUDGET = article("Budget deal", "2026-11-24", "Text.", id="b7")
FERRY = article("Ferry strike", "2026-11-23", "Ferries stop.")
NEW_URL = "/news/2026/11/24/budget-deal/"


def errors_of(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": error: " in line]


def warnings_of(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": warning: " in line]


def redirects(site) -> list[str]:
    return (site.output / "_redirects").read_text(encoding="utf-8").splitlines()


def record(site) -> str:
    return (site.root / RECORD).read_text(encoding="utf-8")


def assert_redirect_page(site, rel: str, url: str, headline: str) -> None:
    page = site.page(rel)
    assert page.one('meta[http-equiv="refresh"]').attrs["content"] == f"0; url={url}"
    assert page.one('link[rel="canonical"]').attrs["href"] == "https://example.org" + url
    assert page.one('meta[name="robots"]').attrs["content"] == "noindex"
    assert page.one("body a").attrs["href"] == url
    assert page.one("body a").text == headline


# -- aliases ----------------------------------------------------------------------


def test_each_alias_gets_a_redirect_page_and_a_line_in_redirects(make_site):
    aliased = article(
        "Budget deal",
        "2026-11-24",
        "Text.",
        aliases='["/old/budget/", "/2025/budget.html", "/old/plain", '
        '"https://example.org/news/from-the-cms/"]',
    )
    site = make_site({"site.yaml": SITE, "content/budget.md": aliased, "content/f.md": FERRY})
    site.build()
    for rel in ("old/budget/", "2025/budget.html", "old/plain/", "from-the-cms/"):
        assert_redirect_page(site, rel, NEW_URL, "Budget deal")
    assert redirects(site) == [
        f"/news/2025/budget.html {NEW_URL} 301",
        f"/news/from-the-cms/ {NEW_URL} 301",
        f"/news/old/budget/ {NEW_URL} 301",
        f"/news/old/plain/ {NEW_URL} 301",
    ]
    # Redirects are not pages of their own: the sitemap leaves them out.
    sitemap = (site.output / "sitemap.xml").read_text(encoding="utf-8")
    assert "old/budget" not in sitemap and "_redirects" not in sitemap


def test_a_site_without_redirects_has_no_redirects_file(make_site):
    site = make_site({"site.yaml": SITE, "content/f.md": FERRY})
    site.build()
    assert not (site.output / "_redirects").exists()


ALIAS_HINT = "(write the old URL's path from the site's root, e.g. aliases: [\"/2025/old-story/\"])"


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ('["https://elsewhere.com/old/"]', "'https://elsewhere.com/old/' is not a path on this "
         "site"),
        ('["old/budget/"]', "'old/budget/' is a relative path; an alias starts with /"),
        ('["/old/../budget/"]', "'/old/../budget/' has . or .. in it"),
        (
            '["https://example.org/blog/old/"]',
            "'https://example.org/blog/old/' is outside the base URL's path /news/",
        ),
        ('["/old budget/"]', "'/old budget/' has a space or a backslash in it; a URL path has "
         "neither"),
        ('["/old/?id=3"]', "'/old/?id=3' has a ? or # part; an alias is a path only"),
    ],
)  # fmt: skip
def test_an_alias_that_is_not_a_site_path_is_an_error(make_site, aliases, message):
    bad = article("Budget deal", "2026-11-24", "Text.", aliases=aliases)
    site = make_site({"site.yaml": SITE, "content/budget.md": bad, "content/f.md": FERRY})
    run = site.digest("build")
    assert run.code == 1
    assert errors_of(run.err) == [f"content/budget.md:4: error: aliases: {message} {ALIAS_HINT}"]
    assert not site.output.exists()
    assert not (site.root / RECORD).exists()


def test_a_bad_alias_in_a_block_list_is_reported_at_its_own_line(make_site):
    bad = article("Budget deal", "2026-11-24", "Text.", aliases="\n  - /fine/\n  - old/")
    site = make_site({"site.yaml": SITE, "content/budget.md": bad})
    run = site.digest("build")
    assert run.code == 1
    assert errors_of(run.err) == [
        "content/budget.md:6: error: aliases: 'old/' is a relative path; an alias starts "
        f"with / {ALIAS_HINT}"
    ]
    numbers = article("Budget deal", "2026-11-24", "Text.", aliases="\n  - /fine/\n  - 2019")
    site.write({"content/budget.md": numbers})
    run = site.digest("build")
    assert errors_of(run.err) == [
        "content/budget.md:6: error: aliases: item 2 is a number, not a path "
        '(write aliases: ["/old/path/", "/other/old/path/"])'
    ]


def test_an_alias_that_is_another_articles_url_is_an_error_naming_both(make_site):
    bad = article("Budget deal", "2026-11-24", "Text.", aliases='["/2026/11/23/ferry-strike/"]')
    site = make_site({"site.yaml": SITE, "content/budget.md": bad, "content/ferry.md": FERRY})
    run = site.digest("build")
    assert run.code == 1
    assert errors_of(run.err) == [
        "content/budget.md:4: error: aliases: /2026/11/23/ferry-strike/ is the URL of "
        "content/ferry.md (delete the alias, or give the other article another slug)"
    ]
    assert not site.output.exists()


def test_an_alias_that_is_the_articles_own_url_is_an_error(make_site):
    bad = article("Budget deal", "2026-11-24", "Text.", aliases='["/2026/11/24/budget-deal"]')
    site = make_site({"site.yaml": SITE, "content/budget.md": bad})
    run = site.digest("build")
    assert run.code == 1
    assert errors_of(run.err) == [
        "content/budget.md:4: error: aliases: /2026/11/24/budget-deal/ is this article's own "
        "URL (delete it)"
    ]
    assert not site.output.exists()


def test_two_articles_with_one_alias_are_an_error_in_both(make_site):
    one = article("Budget deal", "2026-11-24", "Text.", aliases='["/old/"]')
    two = article("Ferry strike", "2026-11-23", "Ferries.", tags="[a]", aliases='["/old/"]')
    site = make_site({"site.yaml": SITE, "content/budget.md": one, "content/ferry.md": two})
    run = site.digest("build")
    assert run.code == 1
    assert errors_of(run.err) == [
        "content/budget.md:4: error: aliases: /old/ is also an alias of content/ferry.md "
        "(keep the alias in one of them)",
        "content/ferry.md:5: error: aliases: /old/ is also an alias of content/budget.md "
        "(keep the alias in one of them)",
    ]
    assert not site.output.exists()


def test_two_articles_on_one_url_stay_an_error_naming_both(make_site):
    twin = article("Budget deal", "2026-11-24", "Other text.")
    site = make_site({"site.yaml": SITE, "content/a.md": BUDGET, "content/b.md": twin})
    run = site.digest("build")
    assert run.code == 1
    assert errors_of(run.err) == [
        f"content/a.md:2: error: the URL {NEW_URL.removeprefix('/news')} is also the URL of "
        "content/b.md (give one of them a different 'slug:')",
        f"content/b.md:2: error: the URL {NEW_URL.removeprefix('/news')} is also the URL of "
        "content/a.md (give one of them a different 'slug:')",
    ]


def test_an_id_given_twice_is_an_error_in_both_files(make_site):
    copy = article("Ferry strike", "2026-11-23", "Ferries.", id="b7")
    site = make_site({"site.yaml": SITE, "content/a.md": BUDGET, "content/b.md": copy})
    run = site.digest("build")
    assert run.code == 1
    hint = "(give one of them another id (digest new makes a new one))"
    assert errors_of(run.err) == [
        f"content/a.md:4: error: id: b7 is also the id of content/b.md {hint}",
        f"content/b.md:4: error: id: b7 is also the id of content/a.md {hint}",
    ]
    assert not site.output.exists()


def test_an_id_that_is_not_one_is_an_error(make_site):
    bad = article("Budget deal", "2026-11-24", "Text.", id="'two words'")
    site = make_site({"site.yaml": SITE, "content/a.md": bad})
    run = site.digest("build")
    assert run.code == 1
    assert errors_of(run.err) == [
        "content/a.md:4: error: id: 'two words' is not an id "
        "(an id is up to 64 letters, digits, - and _ ('digest new' writes one))"
    ]


# -- the URL record -----------------------------------------------------------------


def test_a_build_records_every_url_it_published_sorted(make_site):
    site = make_site({"site.yaml": SITE, "content/budget.md": BUDGET, "content/ferry.md": FERRY})
    site.build()
    assert record(site) == (
        HEADER + "/2026/11/23/ferry-strike/ content/ferry.md\n/2026/11/24/budget-deal/ id:b7\n"
    )
    before = (site.root / RECORD).stat().st_mtime_ns
    site.build()
    assert (site.root / RECORD).stat().st_mtime_ns == before  # nothing new: not written


@pytest.mark.parametrize(
    ("edit", "new_url"),
    [
        (("Budget deal", "Budget deal signed"), "/2026/11/24/budget-deal-signed/"),
        (("Budget deal", "Budget deal\nslug: the-budget"), "/2026/11/24/the-budget/"),
        (("date: 2026-11-24", "date: 2026-11-25"), "/2026/11/25/budget-deal/"),
    ],
    ids=["headline", "slug", "date"],
)  # fmt: skip
def test_an_article_whose_url_changes_keeps_its_old_url(make_site, edit, new_url):
    site = make_site({"site.yaml": SITE, "content/budget.md": BUDGET, "content/ferry.md": FERRY})
    site.build()
    site.write({"content/budget.md": BUDGET.replace(*edit)})
    run = site.build()
    assert warnings_of(run.err) == []
    assert_redirect_page(site, "2026/11/24/budget-deal/", "/news" + new_url, "Budget deal"
                         + (" signed" if "signed" in new_url else ""))  # fmt: skip
    assert redirects(site) == [f"/news/2026/11/24/budget-deal/ /news{new_url} 301"]
    assert f"{new_url} id:b7\n" in record(site)


def test_a_changed_permalink_pattern_keeps_every_old_url(make_site):
    site = make_site({"site.yaml": SITE, "content/budget.md": BUDGET, "content/ferry.md": FERRY})
    site.build()
    site.write({"site.yaml": SITE + "permalinks:\n  article: /stories/{slug}/\n"})
    site.build()
    assert redirects(site) == [
        "/news/2026/11/23/ferry-strike/ /news/stories/ferry-strike/ 301",
        "/news/2026/11/24/budget-deal/ /news/stories/budget-deal/ 301",
    ]


def test_an_old_url_follows_the_article_through_edits_and_a_rename_by_its_id(make_site):
    site = make_site({"site.yaml": SITE, "content/budget.md": BUDGET})
    site.build()
    site.write({"content/budget.md": BUDGET.replace("Budget deal", "Budget deal signed")})
    site.build()
    (site.root / "content/budget.md").rename(site.root / "content/2026-budget.md")
    moved = BUDGET.replace("Budget deal", "Budget passes")
    site.write({"content/2026-budget.md": moved})
    run = site.build()
    assert warnings_of(run.err) == []
    assert redirects(site) == [
        "/news/2026/11/24/budget-deal-signed/ /news/2026/11/24/budget-passes/ 301",
        "/news/2026/11/24/budget-deal/ /news/2026/11/24/budget-passes/ 301",
    ]


def test_an_id_added_later_takes_over_the_lines_of_the_file(make_site):
    site = make_site({"site.yaml": SITE, "content/ferry.md": FERRY})
    site.build()
    with_id = FERRY.replace("date: 2026-11-23", "date: 2026-11-23\nid: f1")
    site.write({"content/ferry.md": with_id})
    site.build()
    assert record(site) == HEADER + "/2026/11/23/ferry-strike/ id:f1\n"


def test_a_url_that_now_leads_nowhere_is_a_warning_in_build_and_check(make_site):
    site = make_site({"site.yaml": SITE, "content/budget.md": BUDGET, "content/ferry.md": FERRY})
    site.build()
    (site.root / "content/ferry.md").unlink()
    expected = [
        f"{RECORD}: warning: /2026/11/23/ferry-strike/ was published and now leads nowhere: "
        "content/ferry.md is gone (restore the article, add the path to another article's "
        f"aliases:, or delete its line from {RECORD} to let it go)"
    ]
    before = record(site)
    check = site.digest("check")
    assert check.code == 0
    assert warnings_of(check.err) == expected
    assert record(site) == before  # digest check never writes the record
    build = site.build()
    assert warnings_of(build.err) == expected
    assert "/2026/11/23/ferry-strike/ content/ferry.md\n" in record(site)  # kept until let go
    # Let it go: the line deleted, the warning is gone.
    site.write({RECORD: before.replace("/2026/11/23/ferry-strike/ content/ferry.md\n", "")})
    assert warnings_of(site.build().err) == []


def test_an_alias_on_another_article_takes_a_gone_url(make_site):
    site = make_site({"site.yaml": SITE, "content/budget.md": BUDGET, "content/ferry.md": FERRY})
    site.build()
    (site.root / "content/ferry.md").unlink()
    alias = 'id: b7\naliases: ["/2026/11/23/ferry-strike/"]'
    site.write({"content/budget.md": BUDGET.replace("id: b7", alias)})
    run = site.build()
    assert warnings_of(run.err) == []
    assert redirects(site) == [f"/news/2026/11/23/ferry-strike/ {NEW_URL} 301"]


def test_a_fresh_clone_knows_every_old_url_from_the_record(make_site, tmp_path):
    site = make_site({"site.yaml": SITE, "content/budget.md": BUDGET})
    site.build()
    site.write({"content/budget.md": BUDGET.replace("Budget deal", "Budget passes")})
    site.build()
    clone = tmp_path / "clone"
    shutil.copytree(site.root, clone, ignore=shutil.ignore_patterns("output", ".digest"))
    assert main(["build", "--site", str(clone)]) == 0
    assert (clone / "output/_redirects").read_text(encoding="utf-8") == (
        "/news/2026/11/24/budget-deal/ /news/2026/11/24/budget-passes/ 301\n"
    )
    assert (clone / "output/_redirects").read_bytes() == (site.output / "_redirects").read_bytes()


def test_an_edited_record_is_an_input_of_the_next_build(make_site):
    site = make_site({"site.yaml": SITE, "content/budget.md": BUDGET})
    site.build()
    site.write({RECORD: record(site) + "/2019/old-budget/ id:b7\n"})  # a git pull brought it
    site.build()
    assert redirects(site) == [f"/news/2019/old-budget/ {NEW_URL} 301"]
    assert_redirect_page(site, "2019/old-budget/", NEW_URL, "Budget deal")
    site.write({RECORD: record(site).replace("/2019/old-budget/ id:b7\n", "")})
    site.build()
    assert not (site.output / "_redirects").exists()
    assert not (site.output / "2019").exists()


def test_a_bad_record_line_is_an_error_at_its_line(make_site):
    site = make_site({"site.yaml": SITE, "content/budget.md": BUDGET})
    site.write({RECORD: HEADER + "<<<<<<< HEAD\n/a/ id:b7\nnonsense\n"})
    run = site.digest("build")
    assert run.code == 1
    assert errors_of(run.err) == [
        f"{RECORD}:4: error: a merge conflict's marker "
        "(keep the lines of both sides and delete the markers)",
        f"{RECORD}:6: error: cannot read 'nonsense' (each line is a URL path and its "
        "article: /2026/11/24/budget/ content/budget.md)",
    ]
    assert not site.output.exists()


def test_a_preview_and_a_drafts_build_do_not_write_the_record(make_site):
    site = make_site({"site.yaml": SITE, "content/budget.md": BUDGET})
    site.write({"content/wip.md": article("Wip", "2026-11-25", "Soon.", draft="true")})
    preview = Preview(PreviewOptions(site_dir=site.root, output_dir=site.output, jobs=1))
    assert preview.rebuild().result.ok
    assert not (site.root / RECORD).exists()  # a preview is not a publication
    site.build("--drafts")
    assert not (site.root / RECORD).exists()
    site.build()
    assert "wip" not in record(site)


def test_the_preview_shows_the_redirects_of_the_record(make_site):
    site = make_site({"site.yaml": SITE, "content/budget.md": BUDGET})
    site.build()
    site.write({"content/budget.md": BUDGET.replace("Budget deal", "Budget passes")})
    out = site.root / "preview-out"
    preview = Preview(PreviewOptions(site_dir=site.root, output_dir=out, jobs=1))
    assert preview.rebuild().result.ok
    assert (out / "_redirects").read_text(encoding="utf-8") == (
        "/news/2026/11/24/budget-deal/ /news/2026/11/24/budget-passes/ 301\n"
    )


def test_digest_new_writes_an_id_that_follows_a_rename(make_site):
    site = make_site({"site.yaml": SITE})
    assert main(["new", "--site", str(site.root), "Harbour vote"]) == 0
    (path,) = (site.root / "content").glob("*.md")
    text = path.read_text(encoding="utf-8").replace("Write the article here.", "The vote.")
    text = text.replace('standfirst: ""', "standfirst: A vote.")
    path.write_text(text, encoding="utf-8")
    site.build()
    old = next(line for line in record(site).splitlines() if line.startswith("/"))
    assert old.split(" ")[1].startswith("id:")
    path.rename(site.root / "content/harbour.md")
    renamed = site.root / "content/harbour.md"
    renamed.write_text(text.replace("Harbour vote", "Harbour vote passes"), encoding="utf-8")
    run = site.build()
    assert warnings_of(run.err) == []
    old_path = old.split(" ")[0]
    assert redirects(site) == [f"/news{old_path} /news{old_path[:-1]}-passes/ 301"]


def test_the_preview_rebuilds_when_the_record_changes(make_site):
    site = make_site({"site.yaml": SITE, "content/budget.md": BUDGET})
    site.build()
    assert is_relevant(RECORD) and not is_relevant(".published-urls.x1y2")
    out = site.root / "preview-out"
    preview = Preview(PreviewOptions(site_dir=site.root, output_dir=out, jobs=1))
    assert preview.rebuild().result.ok
    site.write({RECORD: record(site) + "/2019/old-budget/ id:b7\n"})  # a git pull
    result = preview.rebuild(ChangeBatch(frozenset({RECORD}))).result
    assert result.ok
    assert sorted(result.changed) == ["2019/old-budget/index.html", "_redirects"]


def test_a_recorded_url_that_is_now_another_page_stays_that_page(make_site):
    site = make_site({"site.yaml": SITE, "content/budget.md": BUDGET})
    site.build()
    site.write({RECORD: record(site) + "/tags/ id:b7\n/2026/11/old/ id:b7\n"})
    run = site.build()
    assert warnings_of(run.err) == []
    assert site.page("tags/").one("h1").text == "Topics"
    assert redirects(site) == [f"/news/2026/11/old/ {NEW_URL} 301"]


def test_an_alias_that_is_another_page_of_the_site_is_an_error(make_site):
    bad = article("Budget deal", "2026-11-24", "Text.", aliases='["/tags/"]')
    site = make_site({"site.yaml": SITE, "content/budget.md": bad})
    run = site.digest("build")
    assert run.code == 1
    assert errors_of(run.err) == [
        "content/budget.md: error: the tags index and content/budget.md would both be written "
        "to tags/index.html (change a slug, a file name or a permalink pattern in site.yaml)"
    ]
    assert not site.output.exists()
