"""Authors: a page per byline name, the authors index, profiles in
content/authors/, byline links, and the JSON-LD Person and ProfilePage."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from tests.conftest import article

PROFILE = """---
name: Ida Lund
role: Economics correspondent
photo: ida.svg
links:
  - https://social.example/@ida
  - https://staff.example/ida-lund
---

Ida Lund covers **the central bank** and the [housing market](https://example.com/).
"""

SITE = {
    "site.yaml": "title: Harbour Times\nbase_url: https://example.org/\nper_page: 2\n",
    "content/a.md": article("Rates on hold", "2026-11-24", "Text.", author="Ida Lund"),
    "content/b.md": article("Jobs at a high", "2026-11-23", "Text.", author="ida  LUND"),
    "content/c.md": article("Markets calm", "2026-11-22", "Text.", author="[Ida Lund, Ole Berg]"),
    "content/d.md": article("Ports busy", "2026-11-21", "Text.", author="Ole Berg"),
    "content/e.md": article("No byline", "2026-11-20", "Text."),
    "content/authors/ida-lund.md": PROFILE,
    "content/authors/ida.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
}


def test_every_byline_name_has_a_page_shared_by_its_spellings(make_site):
    site = make_site(SITE)
    site.build()
    ida = site.page("authors/ida-lund/")
    assert ida.one("h1").text == "Ida Lund"
    assert [h.text for h in ida.select(".teaser-headline")] == ["Rates on hold", "Jobs at a high"]
    second = site.page("authors/ida-lund/page/2/")
    assert [h.text for h in second.select(".teaser-headline")] == ["Markets calm"]
    ole = site.page("authors/ole-berg/")
    assert ole.one("h1").text == "Ole Berg"
    assert [h.text for h in ole.select(".teaser-headline")] == ["Markets calm", "Ports busy"]
    assert sorted(p.name for p in (site.output / "authors").iterdir()) == [
        "ida-lund",
        "ida.svg",
        "index.html",
        "ole-berg",
    ]


def test_the_authors_index_lists_everyone_with_counts(make_site):
    site = make_site(SITE)
    site.build()
    index = site.page("authors/")
    rows = [
        (li.one("a").text, li.one("a").attrs["href"], li.one(".topic-count").text)
        for li in index.select(".author-list li")
    ]
    assert rows == [
        ("Ida Lund", "/authors/ida-lund/", "3 articles"),
        ("Ole Berg", "/authors/ole-berg/", "2 articles"),
    ]


def test_a_byline_naming_one_person_twice_counts_the_article_once(make_site):
    site = make_site(
        {
            **SITE,
            "content/d.md": article(
                "Two desks", "2026-11-25", "Text.", author="[Ida Lund, ida lund]"
            ),
        }
    )
    site.build()
    index = site.page("authors/")
    counts = {
        li.one("a").text: li.one(".topic-count").text for li in index.select(".author-list li")
    }
    assert counts["Ida Lund"] == "4 articles"
    links = site.page("authors/ida-lund/").links()
    assert len([link for link in links if "two-desks" in link]) == 1, links


def test_the_author_page_shows_the_profile(make_site):
    site = make_site(SITE)
    site.build()
    page = site.page("authors/ida-lund/")
    assert page.one(".author-role").text == "Economics correspondent"
    assert page.one(".author-photo").attrs["src"] == "/authors/ida.svg"
    bio = page.one(".author-bio")
    assert bio.one("strong").text == "the central bank"
    assert bio.one("a").attrs["href"] == "https://example.com/"
    assert [a.attrs["href"] for a in page.select(".author-links a")] == [
        "https://social.example/@ida",
        "https://staff.example/ida-lund",
    ]
    # a byline without a profile still has its page, without one
    ole = site.page("authors/ole-berg/")
    assert ole.select(".author-bio") == [] and ole.select(".author-photo") == []


def test_profiles_are_not_articles(make_site):
    site = make_site(SITE)
    run = site.build()
    assert "Built 5 articles" in run.out
    headlines = [h.text for h in site.page("").select(".teaser-headline")]
    assert "Ida Lund" not in headlines


def test_author_pages_have_an_atom_feed(make_site):
    site = make_site(SITE)
    site.build()
    page = site.page("authors/ida-lund/")
    feeds = [
        link.attrs["href"]
        for link in page.select("link[rel=alternate][type=application/atom+xml]")
        if "Ida" in link.attrs["title"]
    ]
    assert feeds == ["/authors/ida-lund/feed.xml"]
    atom = ET.fromstring((site.output / "authors/ida-lund/feed.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.find("a:title", ns).text == "Harbour Times: Ida Lund"
    titles = [e.find("a:title", ns).text for e in atom.findall("a:entry", ns)]
    assert titles == ["Rates on hold", "Jobs at a high", "Markets calm"]


def test_bylines_link_to_author_pages(make_site):
    site = make_site(SITE)
    site.build()
    byline = site.page("2026/11/22/markets-calm/").one(".byline")
    assert byline.text == "By Ida Lund and Ole Berg"
    assert [(a.text, a.attrs["href"]) for a in byline.select("a")] == [
        ("Ida Lund", "/authors/ida-lund/"),
        ("Ole Berg", "/authors/ole-berg/"),
    ]
    # as written in each article, linking to the shared page
    other = site.page("2026/11/23/jobs-at-a-high/").one(".byline a")
    assert (other.text, other.attrs["href"]) == ("ida LUND", "/authors/ida-lund/")
    teaser = site.page("").select(".meta-byline a")
    assert teaser[0].attrs["href"] == "/authors/ida-lund/"


def test_json_ld_author_is_a_person_with_url_and_same_as(make_site):
    site = make_site(SITE)
    site.build()
    page = site.page("2026/11/22/markets-calm/")
    news = json.loads(page.select("script[type=application/ld+json]")[0].text)
    assert news["author"] == [
        {
            "@type": "Person",
            "name": "Ida Lund",
            "url": "https://example.org/authors/ida-lund/",
            "sameAs": ["https://social.example/@ida", "https://staff.example/ida-lund"],
        },
        {"@type": "Person", "name": "Ole Berg", "url": "https://example.org/authors/ole-berg/"},
    ]


def test_the_author_page_has_a_profile_page_json_ld(make_site):
    site = make_site(SITE)
    site.build()
    [script] = site.page("authors/ida-lund/").select("script[type=application/ld+json]")
    assert json.loads(script.text) == {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": "https://example.org/authors/ida-lund/",
        "mainEntity": {
            "@type": "Person",
            "name": "Ida Lund",
            "url": "https://example.org/authors/ida-lund/",
            "sameAs": ["https://social.example/@ida", "https://staff.example/ida-lund"],
            "jobTitle": "Economics correspondent",
            "image": "https://example.org/authors/ida.svg",
        },
    }


def test_a_profile_no_article_uses_is_a_warning(make_site):
    site = make_site({**SITE, "content/authors/jo-nes.md": "---\nname: Jo Nes\n---\n\nA bio.\n"})
    run = site.build()
    assert (
        "content/authors/jo-nes.md: warning: no published article has the byline 'Jo Nes', so "
        "its profile is not shown (bylines use this profile when their slug is 'jo-nes' (the "
        "file's name); rename the file, or delete it)"
    ) in run.err
    assert not (site.output / "authors" / "jo-nes").exists()


def test_profile_errors_name_the_file_and_line(make_site):
    site = make_site(
        {
            **SITE,
            "content/authors/ida-lund.md": "---\nrole: Reporter\nphoto: missing.png\n"
            "links: [ftp://x]\n---\n",
            "content/authors/ole-berg.md": "---\nname: Ole Berg\nphoto: missing.png\n---\n",
        }
    )
    run = site.digest("build")
    assert run.code == 1
    errors = [line for line in run.err.splitlines() if ": error: " in line]
    assert errors == [
        "content/authors/ida-lund.md:1: error: name: missing (add 'name: ...' to the front matter)",
        "content/authors/ida-lund.md:4: error: links: 'ftp://x' is not an http(s) URL "
        "(give the full address)",
        "content/authors/ole-berg.md:3: error: photo: 'missing.png': "
        "content/authors/missing.png does not exist (put the picture in content/authors/ "
        "or give its URL)",
    ]
    assert not site.output.exists()


def test_a_site_without_bylines_has_no_author_pages(make_site):
    site = make_site({"content/a.md": article("A story", "2026-11-18", "Text.")})
    site.build()
    assert not (site.output / "authors").exists()
