"""Publish-ready output: feeds, sitemaps, robots.txt, date archives, news
metadata, sub-path hosting and the built-site checks of ``digest check``."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
import xmlschema

from generator import pipeline
from tests.conftest import CORPUS, REPO, article

SCHEMA = REPO.parent / "shared" / "schemas" / "sitemap.xsd"
ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")

SITE = {
    "site.yaml": (
        "title: Harbour News\n"
        "base_url: https://example.org/news/\n"
        "timezone: Europe/Copenhagen\n"
        "per_page: 2\n"
        "feeds:\n  entries: 3\n"
        "publisher:\n  name: Harbour Media\n  logo: /static/logo.png\n"
    ),
    "content/a.md": article(
        "Ferry & port deal",
        "2026-11-20T10:00:00+01:00",
        "A [map](img/port.svg) and ![the port](img/port.svg).\n\n## Background\n\nMore.",
        tags="[Shipping, Denmark]",
        standfirst="The deal <ends> a long dispute.",
        author="[Ida Lund, Ole Berg]",
        image="img/port.svg",
        image_alt="The port at dawn",
        updated="2026-11-21T08:00:00+01:00",
    ),
    "content/img/port.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "content/b.md": article("Rates on hold", "2026-11-22", "Text.", tags="[Economy, Denmark]"),
    "content/c.md": article(
        "Arctic package",
        "2026-11-24T07:30:00+01:00",
        "See [the deal](a.md#background).",
        tags="[Denmark]",
    ),
    "content/d.md": article("Late edition", "2026-11-24T21:00:00+01:00", "Night.", tags="Denmark"),
}
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def site(make_site):
    s = make_site(SITE)
    result = pipeline.run(pipeline.BuildOptions(site_dir=s.root, output_dir=s.output, now=NOW))
    assert result.ok, [d.format() for d in result.diagnostics]
    return s


def xml(site, rel):
    return ET.fromstring((site.output / rel).read_bytes())


# -- feeds ---------------------------------------------------------------------


def test_atom_feed_follows_the_atom_rules(site):
    root = xml(site, "feed.xml")
    assert root.tag == f"{ATOM}feed"
    # RFC 4287 4.1.1: id, title, updated; an author for entries without one; a self link.
    assert root.find(f"{ATOM}id").text == "https://example.org/news/"
    assert root.find(f"{ATOM}title").text == "Harbour News"
    assert RFC3339.match(root.find(f"{ATOM}updated").text)
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Harbour Media"
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "https://example.org/news/feed.xml"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3  # feeds.entries
    ids = set()
    for entry in entries:
        entry_id = entry.find(f"{ATOM}id").text
        assert entry_id.startswith("urn:uuid:")
        ids.add(entry_id)
        assert entry.find(f"{ATOM}title").text
        assert RFC3339.match(entry.find(f"{ATOM}updated").text)
        assert RFC3339.match(entry.find(f"{ATOM}published").text)
        link = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert link.startswith("https://example.org/news/20")
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        # Links in the body are absolute for feed readers.
        assert 'href="/' not in content.text and 'src="/' not in content.text
    assert len(ids) == 3


def test_feeds_parse_cleanly_and_carry_entry_metadata(site):
    parsed = feedparser.parse((site.output / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    newest = parsed.entries[0]
    assert newest.title == "Late edition"
    assert newest.published == "2026-11-24T21:00:00+01:00"
    tag_feed = feedparser.parse((site.output / "tags/shipping/feed.xml").read_bytes())
    assert not tag_feed.bozo
    [entry] = tag_feed.entries
    assert entry.title == "Ferry & port deal"
    assert [a.name for a in entry.authors] == ["Ida Lund", "Ole Berg"]
    assert [t.term for t in entry.tags] == ["Shipping", "Denmark"]
    assert entry.updated == "2026-11-21T08:00:00+01:00"
    assert entry.summary == "The deal <ends> a long dispute."
    assert 'src="https://example.org/news/img/port.svg"' in entry.content[0].value


def test_json_feed(site):
    feed = json.loads((site.output / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "https://example.org/news/feed.json"
    assert feed["home_page_url"] == "https://example.org/news/"
    items = feed["items"]
    assert [i["title"] for i in items] == ["Late edition", "Arctic package", "Rates on hold"]
    assert all(RFC3339.match(i["date_published"]) for i in items)
    atom_ids = [e.find(f"{ATOM}id").text for e in xml(site, "feed.xml").findall(f"{ATOM}entry")]
    assert [i["id"] for i in items] == atom_ids


def test_entry_ids_survive_edits(site, make_site):
    def ids():
        root = xml(site, "tags/shipping/feed.xml")
        return [e.find(f"{ATOM}id").text for e in root.findall(f"{ATOM}entry")]

    before = ids()
    edited = SITE["content/a.md"].replace("Ferry & port deal", "Ferry deal signed")
    edited = edited.replace("2026-11-20T10:00", "2026-11-19T09:00").replace("More.", "Changed.")
    site.write({"content/a.md": edited})
    site.build()
    assert (site.output / "2026/11/19/ferry-deal-signed/index.html").is_file()
    assert ids() == before


def test_feeds_are_linked_from_pages(site):
    page = site.page("tags/shipping/")
    alternates = {
        (link.attrs["type"], link.attrs["href"]) for link in page.select("link[rel=alternate]")
    }
    assert ("application/atom+xml", "/news/feed.xml") in alternates
    assert ("application/feed+json", "/news/feed.json") in alternates
    assert ("application/atom+xml", "/news/tags/shipping/feed.xml") in alternates


# -- sitemaps and robots.txt ---------------------------------------------------


def test_sitemap_is_valid_against_the_sitemaps_xsd(site):
    if not SCHEMA.is_file():
        pytest.skip("../shared/schemas/sitemap.xsd is not next to the repository")
    schema = xmlschema.XMLSchema(str(SCHEMA))
    schema.validate(str(site.output / "sitemap.xml"))
    root = xml(site, "sitemap.xml")
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    entries = {u.find(f"{ns}loc").text: u.find(f"{ns}lastmod").text for u in root}
    assert entries["https://example.org/news/2026/11/20/ferry-port-deal/"] == (
        "2026-11-21T08:00:00+01:00"
    )
    assert entries["https://example.org/news/"] == "2026-11-24T21:00:00+01:00"
    assert "https://example.org/news/2026/11/24/" in entries  # archives are pages too
    assert not any("404" in loc for loc in entries)
    assert list(entries) == sorted(entries)


def test_news_sitemap_lists_the_last_two_days(site):
    root = xml(site, "news-sitemap.xml")
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    news = "{http://www.google.com/schemas/sitemap-news/0.9}"
    locs = [u.find(f"{ns}loc").text for u in root]
    # NOW is 2026-11-25 12:00 UTC: the 24th and the 23rd count, the 22nd not.
    assert locs == [
        "https://example.org/news/2026/11/24/late-edition/",
        "https://example.org/news/2026/11/24/arctic-package/",
    ]
    first = root[0].find(f"{news}news")
    assert first.find(f"{news}publication/{news}name").text == "Harbour Media"
    assert first.find(f"{news}publication/{news}language").text == "en"
    assert first.find(f"{news}publication_date").text == "2026-11-24T21:00:00+01:00"
    assert first.find(f"{news}title").text == "Late edition"


def test_robots_txt_points_at_the_sitemaps(site):
    text = (site.output / "robots.txt").read_text()
    assert "Sitemap: https://example.org/news/sitemap.xml" in text.splitlines()
    assert "Sitemap: https://example.org/news/news-sitemap.xml" in text.splitlines()


def test_no_feeds_or_sitemaps_without_a_host(make_site):
    site = make_site({"content/a.md": article("A")})
    run = site.build()
    assert "base_url: '/' has no host" in run.err
    assert not (site.output / "feed.xml").exists()
    assert not (site.output / "sitemap.xml").exists()
    assert not site.page("2026/11/24/a/").select("link[rel=canonical]")


# -- archives ------------------------------------------------------------------


def test_cutting_an_article_url_back_never_gives_a_404(site):
    for url in ["2026/11/24/", "2026/11/", "2026/"]:
        assert (site.output / url / "index.html").is_file(), url
    day = site.page("2026/11/24/")
    assert "24 November 2026" in day.one("h1").text
    assert [h.text for h in day.select(".teaser-headline")] == ["Late edition", "Arctic package"]
    month = site.page("2026/11/")
    assert [a.text for a in month.select(".archive-periods a")] == [
        "24 November 2026",
        "22 November 2026",
        "20 November 2026",
    ]
    assert month.one("link[rel=next]").attrs["href"] == "/news/2026/11/page/2/"
    assert site.page("2026/11/page/2/").one("link[rel=prev]").attrs["href"] == "/news/2026/11/"
    year = site.page("2026/")
    assert [a.text for a in year.select(".archive-periods a")] == ["November 2026"]


def test_archives_follow_a_custom_article_pattern(make_site):
    site = make_site(
        {
            "site.yaml": "permalinks:\n  article: /news/{year}/{slug}.html\n",
            "content/a.md": article("One", "2025-03-01"),
        }
    )
    site.build()
    assert (site.output / "news/2025/one.html").is_file()
    assert (site.output / "news/2025/index.html").is_file()
    assert not (site.output / "2025").exists()


# -- news metadata ---------------------------------------------------------------


def test_article_metadata(site):
    page = site.page("2026/11/20/ferry-port-deal/")
    url = "https://example.org/news/2026/11/20/ferry-port-deal/"
    assert page.one("link[rel=canonical]").attrs["href"] == url
    meta = {m.attrs["property"]: m.attrs["content"] for m in page.select("meta[property]")}
    assert meta["og:type"] == "article"
    assert meta["og:title"] == "Ferry & port deal"
    assert meta["og:description"] == "The deal <ends> a long dispute."
    assert meta["og:url"] == url
    assert meta["og:image"] == "https://example.org/news/img/port.svg"
    assert meta["article:published_time"] == "2026-11-20T10:00:00+01:00"
    tags = [m.attrs["content"] for m in page.select("meta[property=article:tag]")]
    assert tags == ["Shipping", "Denmark"]
    names = {m.attrs["name"]: m.attrs["content"] for m in page.select("meta[name]")}
    assert names["twitter:card"] == "summary_large_image"
    script, breadcrumbs = page.select("script[type=application/ld+json]")
    assert json.loads(breadcrumbs.text)["@type"] == "BreadcrumbList"
    ld = json.loads(script.text)
    assert ld["@type"] == "NewsArticle"
    assert ld["headline"] == "Ferry & port deal"
    assert ld["datePublished"] == "2026-11-20T10:00:00+01:00"
    assert ld["dateModified"] == "2026-11-21T08:00:00+01:00"
    assert [a["name"] for a in ld["author"]] == ["Ida Lund", "Ole Berg"]
    assert ld["image"] == ["https://example.org/news/img/port.svg"]
    assert ld["keywords"] == ["Shipping", "Denmark"]
    assert ld["publisher"]["name"] == "Harbour Media"
    assert ld["publisher"]["logo"]["url"] == "https://example.org/news/static/logo.png"


def test_base_url_flag_overrides_site_yaml(make_site):
    site = make_site(SITE)
    site.build("--base-url", "https://mirror.example/")
    page = site.page("2026/11/20/ferry-port-deal/")
    assert page.one("link[rel=canonical]").attrs["href"] == (
        "https://mirror.example/2026/11/20/ferry-port-deal/"
    )
    assert page.one("a.skip-link").attrs["href"] == "#main"
    assert site.digest("build", "--base-url", "ftp://x/").code == 2  # a usage error


# -- digest check on the built site -----------------------------------------------


def test_check_finds_broken_links_duplicate_ids_and_missing_titles(make_site):
    site = make_site(
        {
            **SITE,
            "content/b.md": article(
                "Rates on hold",
                "2026-11-22",
                '<a href="/news/no-such-page/">raw link</a>\n\n<p id="dup">x</p><p id="dup">y</p>\n'
                "\n[anchor](a.md#nowhere)",
            ),
            "layouts/tags.html": "<!doctype html><html lang=en><main>no title</main></html>",
        }
    )
    run = site.digest("check")
    assert run.code == 1
    assert (
        'content/b.md: error: broken link "/news/no-such-page/": nothing is built at '
        "/news/no-such-page/ (on 2026/11/22/rates-on-hold/index.html)"
    ) in run.err
    assert 'content/b.md: error: the id "dup" is used twice' in run.err
    assert 'has no id "nowhere"' in run.err
    assert "layouts/tags.html: error: the page has no <title> (on tags/index.html)" in run.err
    assert not site.output.exists()


def test_check_passes_on_the_example_site(capsys):
    from generator.cli import main

    assert main(["check", "--site", str(REPO)]) == 0, capsys.readouterr().err


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not next to the repository")
def test_corpus_passes_the_link_checks(tmp_path, capsys):
    import shutil

    from generator.cli import main

    site = tmp_path / "corpus"
    shutil.copytree(CORPUS, site / "content")
    (site / "site.yaml").write_text("base_url: https://corpus.example/sub/\n")
    assert main(["check", "--site", str(site)]) == 0, capsys.readouterr().err


# -- hosting under a sub-path ------------------------------------------------------


def test_served_under_a_sub_path_every_link_works(site):
    """Serve output/ at /news/ on a loopback HTTP server and follow every link,
    stylesheet, image and feed from the front page: all 200, none leaves /news/."""
    import urllib.request
    from collections import deque
    from urllib.parse import urljoin, urlsplit

    from generator.preview.server import PreviewServer
    from tests.htmlq import Page

    server = PreviewServer(site.output, port=0, base_path="/news/", live_reload=False)
    server.start()
    try:
        origin = f"http://127.0.0.1:{server.port}"
        queue = deque([origin + "/news/"])
        seen: set[str] = set()
        while queue:
            url = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.status == 200, url
                body = response.read()
                kind = response.headers["Content-Type"]
            if not kind.startswith("text/html"):
                continue
            page = Page(body.decode())
            refs = [e.attrs.get("href") or e.attrs.get("src") for e in page.iter()]
            for ref in filter(None, refs):
                target = urljoin(url, ref.replace("https://example.org", origin))
                parts = urlsplit(target)
                if parts.netloc != urlsplit(origin).netloc:
                    continue
                assert parts.path.startswith("/news/"), f"{url} links out of /news/: {ref}"
                queue.append(target.split("#")[0])
        assert len(seen) > 20
        assert origin + "/news/feed.xml" in seen
        assert origin + "/news/img/port.svg" in seen
    finally:
        server.stop()


def test_summary_feeds_leave_the_body_out(make_site):
    site = make_site({**SITE, "site.yaml": SITE["site.yaml"] + "feeds:\n  content: summary\n"})
    site.build()
    entry = xml(site, "tags/shipping/feed.xml").find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}content") is None
    assert entry.find(f"{ATOM}summary").text == "The deal <ends> a long dispute."
    item = json.loads((site.output / "feed.json").read_text())["items"][0]
    assert "content_html" not in item and item["content_text"]


def test_sitemap_becomes_an_index_past_the_url_limit(make_site, monkeypatch):
    from generator.plan import machine_pages as plan

    monkeypatch.setattr(plan, "MAX_URLS", 5)  # the real limit is 50,000 URLs
    site = make_site(SITE)
    site.build()
    root = xml(site, "sitemap.xml")
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    assert root.tag == f"{ns}sitemapindex"
    parts = [s.find(f"{ns}loc").text for s in root]
    assert parts[0] == "https://example.org/news/sitemap-1.xml"
    urls = []
    for number in range(1, len(parts) + 1):
        part = xml(site, f"sitemap-{number}.xml")
        assert len(part) <= 5
        urls += [u.find(f"{ns}loc").text for u in part]
    assert len(urls) == len(set(urls)) > 10
    if SCHEMA.is_file():
        schema = xmlschema.XMLSchema(str(SCHEMA))
        for number in range(1, len(parts) + 1):
            schema.validate(str(site.output / f"sitemap-{number}.xml"))
