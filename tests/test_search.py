"""Search: the index Pagefind makes of the published articles, the search
page and the header's form in real headless Chromium (Playwright driving
Debian's chromium), axe on the search page, a sub-path site, search: false,
warm builds that keep the index, byte-identical builds, the preview's index
made after its builds."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import queue
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.preview import Preview, PreviewOptions
from generator.preview.search import Indexed
from generator.preview.server import PreviewServer
from tests.conftest import CHROME_ARGS, CHROMIUM, SiteDir, article, require
from tests.test_output import assert_same_build, tree

WORD = "zephyrquill"  # in one article's body, and nowhere else

SITE = {
    "site.yaml": "title: Harbour Times\nbase_url: https://example.org/\n",
    "content/ferry.md": article(
        "Ferry returns to the island",
        "2026-11-20",
        f"The old ferry sails again. Its captain, a {WORD} by trade, waved.",
        tags="[Transport, Island]",
        author="Ada Lund",
        standfirst="A summer of repairs ends.",
    ),
    "content/budget.md": article(
        "Council passes the budget",
        "2026-11-21",
        "The harbour gets a new crane. Schools get more teachers.",
        tags="[Politics]",
        author="Bo Sand",
    ),
    "content/market.md": article(
        "Fish market moves indoors",
        "2026-11-22",
        "Traders welcome the roof. The ferry brings more buyers.",
        tags="[Island]",
    ),
    "content/draft.md": article(
        "Unfinished story", "2026-11-23", "A draft about quasarnutmeg.", draft="true"
    ),
}


def fragments(output: Path) -> dict[str, dict[str, object]]:
    """What the index holds of each article: Pagefind's fragments (gzip of
    ``pagefind_dcd`` and JSON), by URL."""
    found = {}
    for path in sorted((output / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
        fragment = json.loads(data)
        found[fragment["url"]] = fragment
    return found


def stamps(output: Path) -> dict[str, tuple[bytes, int]]:
    """Every output file's bytes and modification time."""
    return {
        p.relative_to(output).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(output.rglob("*"))
        if p.is_file()
    }


# -- the index -------------------------------------------------------------------


def test_build_indexes_the_published_articles_with_their_filters(make_site):
    site = make_site(SITE)
    run = site.build()
    assert run.out.startswith("Built 3 articles")
    index = fragments(site.output)
    assert sorted(index) == [
        "/2026/11/20/ferry-returns-to-the-island/",
        "/2026/11/21/council-passes-the-budget/",
        "/2026/11/22/fish-market-moves-indoors/",
    ]  # the draft is not published, so not indexed
    ferry = index["/2026/11/20/ferry-returns-to-the-island/"]
    assert ferry["meta"]["title"] == "Ferry returns to the island"
    assert ferry["meta"]["date"] == "20 November 2026"
    assert ferry["filters"] == {
        "author": ["Ada Lund"],
        "tag": ["Transport", "Island"],
        "year": ["2026"],
    }
    assert ferry["meta"]["datetime"] == "2026-11-20T00:00:00+00:00"
    content = str(ferry["content"])
    assert "A summer of repairs ends." in content  # the standfirst
    assert WORD in content
    # only what the article says: no navigation, lists or footer
    assert "Harbour Times" not in content and "Topics" not in content
    entry = json.loads((site.output / "pagefind" / "pagefind-entry.json").read_bytes())
    assert list(entry["languages"]) == ["en"]


def test_drafts_are_never_indexed_even_when_built(make_site):
    site = make_site(SITE)
    site.build("--drafts")
    assert (site.output / "2026/11/23/unfinished-story/index.html").is_file()
    index = fragments(site.output)
    assert "/2026/11/23/unfinished-story/" not in index
    assert all("quasarnutmeg" not in str(f["content"]) for f in index.values())


def test_a_site_in_another_language_is_indexed_with_its_stemming(make_site):
    site = make_site({**SITE, "site.yaml": "title: Havnetidende\nlanguage: da\n"})
    site.build()
    entry = json.loads((site.output / "pagefind" / "pagefind-entry.json").read_bytes())
    assert [(lang, meta["wasm"]) for lang, meta in entry["languages"].items()] == [("da", "da")]
    assert (site.output / "pagefind" / "wasm.da.pagefind").is_file()


def test_an_edit_indexes_again_and_the_last_index_files_go(make_site, tmp_path):
    site = make_site(SITE)
    site.build()
    before = set(site.files())
    site.write({"content/budget.md": article("Council passes the budget", "2026-11-21", "Cranes.")})
    site.build()
    after = site.files()
    assert "Cranes." in str(fragments(site.output)["/2026/11/21/council-passes-the-budget/"])
    gone = {f for f in before - set(after) if f.startswith("pagefind/")}
    assert gone  # the edited article's fragment and the metadata naming it
    clean = tmp_path / "clean"
    assert site.digest("build", "--output", str(clean)).code == 0
    assert tree(clean) == after  # the same as a clean build, byte for byte


def test_a_warm_build_keeps_the_index_bytes_and_modification_times(make_site):
    site = make_site(SITE)
    site.build()
    first = stamps(site.output)
    assert any(rel.startswith("pagefind/fragment/") for rel in first)
    site.build()  # nothing changed: the build stops early
    assert stamps(site.output) == first
    site.build("--shortcuts", "none")  # the rule alone: the index's key is the same
    assert stamps(site.output) == first


def test_two_clean_builds_are_byte_identical(make_site, tmp_path):
    # Pagefind writes each filter's values in a random order: many tags and
    # authors make two runs differ unless canonical.py sorts them.
    tags = [f"Tag {n}" for n in range(12)]
    files = {
        f"content/story-{n}.md": article(
            f"Story {n}",
            f"2026-11-{n + 1:02d}",
            f"Text {n}.",
            tags=f"[{tags[n]}, {tags[(n + 5) % 12]}]",
            author=f"Writer {n % 7}",
        )
        for n in range(12)
    }
    site = make_site(files)
    one = assert_same_build(site.root, tmp_path)  # two builds, byte for byte
    assert any(rel.startswith("pagefind/filter/") for rel in one)


def test_search_false_makes_no_index_no_page_and_no_form(make_site):
    site = make_site(SITE)
    site.build()
    assert (site.output / "pagefind").is_dir()
    site.write({"site.yaml": "title: Harbour Times\nsearch: false\n"})
    site.build()
    files = site.files()
    assert [f for f in files if f.startswith(("pagefind/", "search/"))] == []
    assert 'role="search"' not in files["index.html"].decode()
    assert "search" not in files["2026/11/20/ferry-returns-to-the-island/index.html"].decode()


def test_search_setting_must_be_true_or_false(make_site):
    site = make_site({**SITE, "site.yaml": "title: Harbour Times\nsearch: maybe\n"})
    run = site.digest("build")
    assert run.code == 1
    assert "site.yaml:2: error: search: expected true or false, got 'maybe'" in run.err


def test_an_index_that_cannot_be_made_fails_the_build_and_leaves_the_output(make_site, monkeypatch):
    site = make_site(SITE)
    site.build()
    before = stamps(site.output)
    site.write({"content/market.md": article("Fish market moves indoors", "2026-11-22", "Roof.")})
    missing = site.root / "no-such-pagefind"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(missing))
    run = site.digest("build")
    assert run.code == 1
    assert run.err.splitlines()[0] == (
        "site.yaml: error: the search index could not be made: Pagefind did not run: "
        f"[Errno 2] No such file or directory: '{missing}' (install Digest again "
        "(pip install digest brings Pagefind), or turn search off with search: false "
        "in site.yaml)"
    )
    assert stamps(site.output) == before  # a failed build never touches output/


# -- the search page in a browser --------------------------------------------------


@contextlib.contextmanager
def served(site: SiteDir, base_path: str = "/") -> Iterator[str]:
    server = PreviewServer(site.output, port=0, base_path=base_path, live_reload=False)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def browser() -> Iterator[object]:
    require(CHROMIUM, "Debian's chromium is needed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def search_from_header(browser, home: str, words: str, problems: list[str]):  # type: ignore[no-untyped-def]
    """Type ``words`` into the header's search form on the home page and
    wait for the search page's answer; the page, on it."""
    page = browser.new_page()
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on("requestfailed", lambda r: problems.append(f"failed {r.url}"))
    page.on("pageerror", lambda e: problems.append(f"error {e}"))
    # Until the network is quiet: the browser asks for the icon after the
    # load event, and the form's navigation would cancel that request (a
    # "failed" favicon.svg on a busy machine, not a problem of the site).
    page.goto(home, wait_until="networkidle", timeout=15_000)
    box = page.get_by_role("search").get_by_label("Search the articles")
    box.fill(words)
    box.press("Enter")
    page.wait_for_url("**/search/?q=*", timeout=15_000)
    page.wait_for_function(
        "() => /results? for|No results/"
        ".test(document.getElementById('search-status').textContent)",
        timeout=15_000,
    )
    return page


def test_the_header_form_finds_the_article_with_the_word(make_site, browser):
    site = make_site(SITE)
    site.build()
    problems: list[str] = []
    with served(site) as url:
        page = search_from_header(browser, url, WORD, problems)
        assert page.inner_text("#search-status") == f"1 result for “{WORD}”."
        links = page.locator("#search-results a")
        assert links.all_inner_texts() == ["Ferry returns to the island"]
        assert links.first.get_attribute("href") == "/2026/11/20/ferry-returns-to-the-island/"
        assert page.locator("#search-results time").inner_text() == "20 November 2026"
        assert page.locator("#search-results mark").all_inner_texts() == [WORD]
        # the filters a reader can tick: each a labelled checkbox
        assert page.get_by_role("checkbox", name="Ada Lund (1)").is_visible()
        assert page.get_by_role("group", name="Topic").is_visible()

        page = search_from_header(browser, url, "xylophonewombat", problems)
        assert page.inner_text("#search-status") == "No results for “xylophonewombat”."
        assert page.locator("#search-results li").count() == 0
    assert problems == []


def test_ticking_a_filter_narrows_the_results(make_site, browser):
    site = make_site(SITE)
    site.build()
    problems: list[str] = []
    with served(site) as url:
        page = search_from_header(browser, url, "ferry", problems)
        assert page.inner_text("#search-status") == "2 results for “ferry”."
        page.get_by_role("checkbox", name="Transport (1)").check()
        page.wait_for_function(
            "() => document.getElementById('search-status').textContent.startsWith('1 result')"
        )
        assert page.locator("#search-results a").all_inner_texts() == [
            "Ferry returns to the island"
        ]
        assert "tag=Transport" in page.url  # the address keeps the filter
    assert problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_the_search_page(make_site, browser, scheme):
    from axe_playwright_python.sync_playwright import Axe

    site = make_site(SITE)
    site.build()
    problems: list[str] = []
    with served(site) as url:
        page = search_from_header(browser, url, "ferry", problems)
        page.emulate_media(color_scheme=scheme)
        results = Axe().run(page)
        for violation in results.response["violations"]:
            targets = [n["target"] for n in violation["nodes"]][:3]
            problems.append(f"{violation['id']}: {violation['help']} {targets}")
    assert problems == []


def test_search_works_under_a_sub_path(make_site, browser):
    site = make_site(
        {**SITE, "site.yaml": "title: Harbour Times\nbase_url: https://example.org/news/\n"}
    )
    site.build()
    assert 'action="/news/search/"' in (site.output / "index.html").read_text(encoding="utf-8")
    problems: list[str] = []
    with served(site, "/news/") as url:
        assert url.endswith("/news/")
        page = search_from_header(browser, url, WORD, problems)
        href = page.locator("#search-results a").first.get_attribute("href")
        assert href == "/news/2026/11/20/ferry-returns-to-the-island/"
        page.locator("#search-results a").first.click()
        page.wait_for_url("**/news/2026/11/20/ferry-returns-to-the-island/")
        assert page.title().startswith("Ferry returns to the island")
    assert problems == []


# -- the preview ---------------------------------------------------------------------


def test_the_preview_makes_the_index_after_its_builds(make_site):
    site = make_site(SITE)
    indexed: queue.Queue[Indexed] = queue.Queue()
    options = PreviewOptions(site_dir=site.root, output_dir=site.output, port=0, jobs=1)
    preview = Preview(options, indexed=indexed.put)
    preview.start()
    try:
        first = indexed.get(timeout=60)
        assert first.problems == [] and first.articles == 3
        assert WORD in str(fragments(site.output))
        started = time.monotonic()
        site.write({"content/market.md": article("Fish market", "2026-11-22", "Glassonion.")})
        done = indexed.get(timeout=60)  # the watcher's rebuild, then its index
        assert done.problems == [] and done.changed
        assert time.monotonic() - started < 60
        assert preview.search_settled(60)
        assert "glassonion" in str(fragments(site.output)).lower()
        assert not any(
            "Traders welcome" in str(f["content"]) for f in fragments(site.output).values()
        )
    finally:
        preview.stop()
    assert os.listdir(site.output / "pagefind")


def test_hostile_text_is_shown_as_text_in_results(make_site, browser):
    hostile = "<img src=x onerror=alert(1)> & co"
    site = make_site(
        {
            "content/a.md": article(
                f'"{hostile}"', "2026-11-24", "Text with &lt;img src=x onerror=alert(2)&gt;."
            )
        }
    )
    site.build()
    problems: list[str] = []
    with served(site) as url:
        page = search_from_header(browser, url, "text", problems)
        page.on("dialog", lambda d: problems.append(f"dialog {d.message}"))
        assert page.locator("#search-results a").all_inner_texts() == [hostile]
        assert "<img src=x onerror=alert(2)>." in page.inner_text(".search-excerpt")
        assert page.locator("#search-results img").count() == 0
    assert problems == []


def test_a_content_file_in_the_index_folder_is_an_error(make_site):
    site = make_site({**SITE, "content/pagefind/pagefind.js": "// mine"})
    run = site.digest("build")
    assert run.code == 1
    assert run.err.splitlines()[0] == (
        "content/pagefind/pagefind.js: error: this file would be written to "
        "pagefind/pagefind.js, in the search index's folder (move it out of "
        "content/pagefind/, or turn search off with search: false in site.yaml)"
    )
    site.write({"site.yaml": "title: Harbour Times\nsearch: false\n"})
    site.build()
    assert (site.output / "pagefind" / "pagefind.js").read_text(encoding="utf-8") == "// mine"


# -- articles in other languages -------------------------------------------------------

# An English site with one article in German. "möglichen" is a form of the
# German article's "Möglichkeit" that only German stemming matches: with the
# article stemmed as English (as it was, the whole index in the site's
# language), Pagefind 1.5 finds nothing for it.
GERMAN = "content/presse.md"
GERMAN_URL = "/2026/11/23/freiheit-der-presse/"
MIXED = {
    **SITE,
    GERMAN: article(
        "Freiheit der Presse",
        "2026-11-23",
        "Die Möglichkeit der Herzlichkeit. Der Market am Hafen, der Market in der City.",
        tags="[Island]",
        author="Cem Ak",
        lang="de",
    ),
}


def test_an_article_with_its_own_lang_is_indexed_in_that_language(make_site):
    site = make_site(MIXED)
    site.build()
    entry = json.loads((site.output / "pagefind" / "pagefind-entry.json").read_bytes())
    assert [
        (lang, meta["wasm"], meta["page_count"]) for lang, meta in entry["languages"].items()
    ] == [
        ("de", "de", 1),
        ("en", "en", 3),
    ]
    assert (site.output / "pagefind" / "wasm.de.pagefind").is_file()
    languages = {}  # each article's index: Pagefind's prefix of its fragment's name
    for path in (site.output / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
        languages[json.loads(data)["url"]] = path.name.split("_")[0]
    assert languages == {
        "/2026/11/20/ferry-returns-to-the-island/": "en",
        "/2026/11/21/council-passes-the-budget/": "en",
        "/2026/11/22/fish-market-moves-indoors/": "en",
        GERMAN_URL: "de",
    }


def search_page(browser, url: str, query: str, problems: list[str]):  # type: ignore[no-untyped-def]
    """The search page opened at ``url`` + ``search/?`` + ``query``, once it answered."""
    page = browser.new_page()
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on("requestfailed", lambda r: problems.append(f"failed {r.url}"))
    page.on("pageerror", lambda e: problems.append(f"error {e}"))
    page.on("console", lambda m: problems.append(f"console {m.text}") if m.type != "log" else None)
    page.goto(f"{url}search/?{query}", timeout=15_000)
    page.wait_for_function(
        "() => /results? for|No results/"
        ".test(document.getElementById('search-status').textContent)",
        timeout=15_000,
    )
    return page


@pytest.mark.parametrize("base", ["/", "/news/"])
def test_the_search_page_finds_a_german_article_by_a_german_word_form(make_site, browser, base):
    site = make_site(
        {**MIXED, "site.yaml": f"title: Harbour Times\nbase_url: https://example.org{base}\n"}
    )
    site.build()
    prefix = base.rstrip("/")
    problems: list[str] = []
    hosts: set[str] = set()
    with served(site, base) as url:
        page = search_page(browser, url, "q=m%C3%B6glichen", problems)
        page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
        assert page.inner_text("#search-status") == "1 result for “möglichen”."
        link = page.locator("#search-results a")
        assert link.all_inner_texts() == ["Freiheit der Presse"]
        assert link.first.get_attribute("href") == prefix + GERMAN_URL
        assert page.locator("#search-results time").inner_text() == "23 November 2026"
        assert page.locator("#search-results mark").all_inner_texts() == ["Möglichkeit"]

        # English articles are found as before, with the German one where it
        # has the word; newest first puts them in date order across the two
        # languages' indexes (by score, the older English one is first)
        page = search_page(browser, url, "q=market", problems)
        assert page.locator("#search-results a").all_inner_texts() == [
            "Fish market moves indoors",
            "Freiheit der Presse",
        ]
        page = search_page(browser, url, "q=market&sort=date", problems)
        assert page.inner_text("#search-status") == "2 results for “market”."
        assert page.locator("#search-results a").all_inner_texts() == [
            "Freiheit der Presse",
            "Fish market moves indoors",
        ]
        # the filters count both languages' articles, and narrow them
        assert page.get_by_role("checkbox", name="Island (2)").is_visible()
        page.get_by_role("checkbox", name="Cem Ak (1)").check()
        page.wait_for_function(
            "() => document.getElementById('search-status').textContent.startsWith('1 result')"
        )
        assert page.locator("#search-results a").all_inner_texts() == ["Freiheit der Presse"]

        # What Pagefind cannot do: a merged index is searched with the page's
        # stemmer, so "city" (English stem "citi") misses the German "City",
        # which the German stemmer keeps as it is
        page = search_page(browser, url, "q=city", problems)
        assert page.inner_text("#search-status") == "No results for “city”."
    assert problems == []
    assert hosts <= {url.split("/")[2]}  # nothing from other hosts


def test_two_clean_builds_with_two_languages_are_byte_identical(make_site, tmp_path):
    files = {
        f"content/story-{n}.md": article(
            f"Story {n}",
            f"2026-11-{n + 1:02d}",
            f"Text {n}." if n % 2 else f"Die Geschichte {n}.",
            tags=f"[Tag {n % 5}, Tag {(n + 2) % 5}]",
            author=f"Writer {n % 4}",
            **({} if n % 2 else {"lang": "de"}),
        )
        for n in range(12)
    }
    site = make_site(files)
    one = assert_same_build(site.root, tmp_path)  # two builds, byte for byte
    for language in ("de", "en"):
        assert any(rel.startswith(f"pagefind/filter/{language}_") for rel in one)
        assert any(rel.startswith(f"pagefind/pagefind.{language}_") for rel in one)


def test_changing_an_articles_lang_indexes_it_again_in_the_new_language(make_site):
    site = make_site(MIXED)
    site.build()
    site.write({GERMAN: MIXED[GERMAN].replace("lang: de", "lang: da")})
    site.build()
    entry = json.loads((site.output / "pagefind" / "pagefind-entry.json").read_bytes())
    assert sorted(entry["languages"]) == ["da", "en"]
    assert not list((site.output / "pagefind").glob("*.de_*"))
