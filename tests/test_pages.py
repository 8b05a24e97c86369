"""The pages a reader sees: article, index, tag pages, tags index; their text
and their links."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import related
from tests.conftest import article
from tests.htmlq import Page

SITE = {
    "site.yaml": "title: Test Digest\ntimezone: Europe/Copenhagen\nper_page: 2\n",
    "content/a.md": article(
        "Defence budget grows",
        "2026-11-20T10:00:00+01:00",
        "First paragraph about **defence**.\n\nSecond paragraph.",
        tags="[Defence, Denmark]",
        standfirst="The largest rise in a generation.",
        author="[Mette Holm, Jonas Berg]",
        updated="2026-11-21T08:00:00+01:00",
    ),
    "content/b.md": article(
        "Rates on hold",
        "2026-11-22",
        "The central bank waits.",
        tags="[Economy, Denmark]",
        author="Ida Lund",
    ),
    "content/c.md": article(
        "Arctic package passes",
        "2026-11-24T07:30:00+01:00",
        "Parliament votes.",
        tags="[Defence, Greenland, Denmark]",
        slug="arctic-package",
    ),
    "content/d.md": article("Culture night", "2026-11-23", "Museums open late.", tags="Culture"),
}


@pytest.fixture
def site(make_site):
    s = make_site(SITE)
    s.build()
    return s


def test_article_page_shows_the_article(site):
    page = site.page("2026/11/20/defence-budget-grows/")
    assert page.one("h1").text == "Defence budget grows"
    assert page.one("title").text == "Defence budget grows — Test Digest"
    assert "The largest rise in a generation." in page.one(".standfirst").text
    assert page.one(".byline").text == "By Mette Holm and Jonas Berg"
    times = [t.attrs["datetime"] for t in page.select("article time")]
    assert times[:2] == ["2026-11-20T10:00:00+01:00", "2026-11-21T08:00:00+01:00"]
    assert "20 November 2026" in page.one(".article-header").text
    body = page.one(".article-body")
    assert body.one("strong").text == "defence"
    assert [a.text for a in page.select("a[rel=tag]")] == ["Defence", "Denmark"]
    assert page.select("a[rel=tag]")[0].attrs["href"] == "/tags/defence/"
    assert page.one("html").attrs["lang"] == "en"


def test_related_and_neighbours(site):
    page = site.page("2026/11/20/defence-budget-grows/")
    related = [a.attrs["href"] for a in page.select(".related h3 a")]
    # c shares two tags (Defence, Denmark); b one (Denmark); d none.
    assert related == ["/2026/11/24/arctic-package/", "/2026/11/22/rates-on-hold/"]
    # a is the oldest: no older article, the next newer one is b.
    assert page.select("a[rel=prev]") == []
    assert page.one("a[rel=next]").attrs["href"] == "/2026/11/22/rates-on-hold/"


def _related_by_definition(index, tags, by_tag, limit):
    """Every article within the window of a shared tag, ranked by how many
    tags it shares, then how close it is, then its place: all of them."""
    shared = Counter()
    for tag in tags:
        members = by_tag[tag]
        pos = members.index(index)
        lo, hi = max(0, pos - related.WINDOW), pos + related.WINDOW + 1
        shared.update(o for o in members[lo:hi] if o != index)
    ranked = sorted(shared, key=lambda o: (-shared[o], abs(o - index), o))
    return ranked[:limit]


@settings(max_examples=200, deadline=None)
@given(
    tag_sets=st.lists(
        st.sets(st.sampled_from("abcdef"), min_size=0, max_size=4), min_size=1, max_size=300
    ),
    limit=st.integers(min_value=0, max_value=8),
)
def test_related_ranking_matches_its_definition(tag_sets, limit):
    by_tag: dict[str, list[int]] = {}
    for position, tags in enumerate(tag_sets):
        for tag in sorted(tags):
            by_tag.setdefault(tag, []).append(position)
    for position, tags in enumerate(tag_sets):
        got = related.rank(position, sorted(tags), by_tag, limit)
        assert got == _related_by_definition(position, sorted(tags), by_tag, limit)


def test_index_is_newest_first_and_paginated(site):
    first = site.page("")
    assert first.one("title").text == "Test Digest"
    assert [h.text for h in first.select(".teaser-headline")] == [
        "Arctic package passes",
        "Culture night",
    ]
    assert first.one(".pagination a[rel=next]").attrs["href"] == "/page/2/"
    second = site.page("page/2/")
    assert [h.text for h in second.select(".teaser-headline")] == [
        "Rates on hold",
        "Defence budget grows",
    ]
    assert second.one(".pagination a[rel=prev]").attrs["href"] == "/"
    assert second.one("a[aria-current=page]").text.endswith("2")
    assert not (site.output / "page" / "3").exists()


def test_tag_pages_and_tags_index(site):
    denmark = site.page("tags/denmark/")
    assert "Denmark" in denmark.one("h1").text
    assert [h.text for h in denmark.select(".teaser-headline")] == [
        "Arctic package passes",
        "Rates on hold",
    ]
    assert [h.text for h in site.page("tags/denmark/page/2/").select(".teaser-headline")] == [
        "Defence budget grows"
    ]
    index = site.page("tags/")
    entries = {a.text: a.attrs["href"] for a in index.select(".topic-list a")}
    assert entries == {
        "Culture": "/tags/culture/",
        "Defence": "/tags/defence/",
        "Denmark": "/tags/denmark/",
        "Economy": "/tags/economy/",
        "Greenland": "/tags/greenland/",
    }
    counts = [c.text for c in index.select(".topic-count")]
    assert counts == ["1 article", "2 articles", "3 articles", "1 article", "1 article"]


def test_every_internal_link_resolves(site):
    for path, data in site.files().items():
        if not path.endswith(".html"):
            continue
        page = Page(data.decode())
        for href in page.links() + [e.attrs["href"] for e in page.select("link[href]")]:
            if href.startswith(("http", "#", "mailto:")):
                continue
            target = site.output / href.lstrip("/").split("#")[0]
            if href.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), f"{path}: broken link {href}"


def test_404_page_in_the_site_look(site):
    page = site.page("404.html")
    assert page.select("main#main")
    assert page.one("a.skip-link").attrs["href"] == "#main"


def test_empty_site_builds(make_site):
    site = make_site({})
    run = site.digest("build")
    assert run.code == 0, run.err
    assert "No articles yet" in site.page("").text


def test_sub_path_base_url_prefixes_every_link(make_site):
    site = make_site({**SITE, "site.yaml": "base_url: https://example.org/news/\nper_page: 2\n"})
    site.build()
    page = site.page("2026/11/20/defence-budget-grows/")
    hrefs = page.links() + [e.attrs["href"] for e in page.select("link[href]")]
    internal = [h for h in hrefs if not h.startswith(("#", "https://"))]
    absolute = [h for h in hrefs if h.startswith("https://")]
    assert internal and all(h.startswith("/news/") for h in internal), internal
    assert absolute and all(h.startswith("https://example.org/news/") for h in absolute)


def test_a_long_list_shows_the_ends_and_the_pages_near_this_one(make_site):
    site = make_site(
        {
            "site.yaml": "title: Long\nper_page: 1\n",
            **{
                f"content/a{n:02d}.md": article(f"Story {n}", f"2026-10-{n:02d}")
                for n in range(1, 13)
            },
        }
    )
    site.build()

    def bar(rel: str) -> list[str]:
        page = site.page(rel)
        return [li.text.removeprefix("Page") for li in page.select(".pagination li")]

    assert bar("page/6/") == ["← Newer", "1", "…", "4", "5", "6", "7", "8", "…", "12", "Older →"]
    assert bar("") == ["1", "2", "3", "…", "12", "Older →"]
    assert bar("page/12/") == ["← Newer", "1", "…", "10", "11", "12"]
    assert site.page("page/6/").one("a[aria-current=page]").attrs["href"] == "/page/6/"
    # A layout can still list every page.
    site.write(
        {
            "layouts/index.html": "{% for p in paginator.pages %}{{ p.number }}={{ p.url }} "
            "{% endfor %}"
        }
    )
    site.build()
    every = (site.output / "page/3/index.html").read_text(encoding="utf-8").split()
    assert every[:3] == ["1=/", "2=/page/2/", "3=/page/3/"] and every[-1] == "12=/page/12/"
