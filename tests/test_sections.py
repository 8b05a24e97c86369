"""Sections: declared in site.yaml, chosen by an article's section: field or
its top folder; their pages, feeds and navigation; the kicker, JSON-LD and
the Google News sitemap that carry an article's section; the errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from tests.conftest import article

SECTIONS_YAML = (
    "title: Harbour Times\n"
    "base_url: https://example.org/\n"
    "per_page: 2\n"
    "sections:\n"
    "  politics: Politics\n"
    '  economy: {name: "Business & Economy", description: "Markets, jobs and money."}\n'
    "  culture: Culture\n"
    "nav:\n"
    "  - {label: About us, url: /about/}\n"
    "  - {label: Archive, url: https://archive.example.org/}\n"
)

SITE = {
    "site.yaml": SECTIONS_YAML,
    "content/vote.md": article(
        "Parliament votes", "2026-11-24T10:00:00+01:00", "Text.", section="politics"
    ),
    "content/rates.md": article("Rates on hold", "2026-11-23", "Text.", section="economy"),
    "content/jobs.md": article("Jobs at a high", "2026-11-22", "Text.", section="Economy"),
    "content/market.md": article("Markets calm", "2026-11-21", "Text.", section="economy"),
    "content/culture/hamlet.md": article("A new Hamlet", "2026-11-20", "Text."),
    "content/2026/loose.md": article("No desk", "2026-11-19", "Text."),
}


def test_each_section_has_a_page_with_its_articles_newest_first(make_site):
    site = make_site(SITE)
    site.build()
    economy = site.page("economy/")
    assert economy.one("h1").text == "Business & Economy"
    assert economy.one(".list-description").text == "Markets, jobs and money."
    assert economy.one("title").text == "Business & Economy — Harbour Times"
    assert [h.text for h in economy.select(".teaser-headline")] == [
        "Rates on hold",
        "Jobs at a high",
    ]
    assert [h.text for h in site.page("economy/page/2/").select(".teaser-headline")] == [
        "Markets calm"
    ]
    # by its top folder under content/
    assert [h.text for h in site.page("culture/").select(".teaser-headline")] == ["A new Hamlet"]
    assert [h.text for h in site.page("politics/").select(".teaser-headline")] == [
        "Parliament votes"
    ]
    # in no section: no kicker (it has no tags either)
    assert site.page("2026/11/19/no-desk/").select(".article-header .kicker") == []


def test_section_pages_have_atom_and_json_feeds(make_site):
    site = make_site(SITE)
    site.build()
    page = site.page("economy/")
    alternates = {
        link.attrs["type"]: link.attrs["href"]
        for link in page.select("link[rel=alternate]")
        if "Business" in link.attrs.get("title", "")
    }
    assert alternates == {
        "application/atom+xml": "/economy/feed.xml",
        "application/feed+json": "/economy/feed.json",
    }
    atom = ET.fromstring((site.output / "economy" / "feed.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.find("a:title", ns).text == "Harbour Times: Business & Economy"
    titles = [e.find("a:title", ns).text for e in atom.findall("a:entry", ns)]
    assert titles == ["Rates on hold", "Jobs at a high", "Markets calm"]
    feed = json.loads((site.output / "economy" / "feed.json").read_bytes())
    assert [item["title"] for item in feed["items"]] == titles


def test_the_navigation_lists_the_sections_in_order_and_the_nav_links(make_site):
    site = make_site(SITE)
    site.build()
    for rel in ("", "economy/", "2026/11/24/parliament-votes/", "tags/", "404.html"):
        nav = site.page(rel).one("nav.site-nav")
        links = [(a.text, a.attrs["href"]) for a in nav.select("a")]
        assert links == [
            ("Home", "/"),
            ("Politics", "/politics/"),
            ("Business & Economy", "/economy/"),
            ("Culture", "/culture/"),
            ("About us", "/about/"),
            ("Archive", "https://archive.example.org/"),
            ("Topics", "/tags/"),
        ], rel
    current = site.page("economy/").select("nav.site-nav a[aria-current=page]")
    assert [a.text for a in current] == ["Business & Economy"]


def test_nav_paths_go_under_the_base_urls_path(make_site):
    site = make_site(
        {
            **SITE,
            "site.yaml": SECTIONS_YAML.replace("https://example.org/", "https://example.org/n/"),
        }
    )
    site.build()
    hrefs = [a.attrs["href"] for a in site.page("").select("nav.site-nav a")]
    assert hrefs[1] == "/n/politics/"
    assert "/n/about/" in hrefs and "https://archive.example.org/" in hrefs


def test_the_article_kicker_links_to_its_section(make_site):
    site = make_site(SITE)
    site.build()
    kicker = site.page("2026/11/23/rates-on-hold/").one(".article-header .kicker a")
    assert (kicker.text, kicker.attrs["href"]) == ("Business & Economy", "/economy/")


def test_json_ld_has_article_section_and_breadcrumbs(make_site):
    site = make_site(SITE)
    site.build()
    page = site.page("2026/11/23/rates-on-hold/")
    news, crumbs = (json.loads(s.text) for s in page.select("script[type=application/ld+json]"))
    assert news["articleSection"] == "Business & Economy"
    assert crumbs == {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": 1,
                "name": "Harbour Times",
                "item": "https://example.org/",
            },
            {
                "@type": "ListItem",
                "position": 2,
                "name": "Business & Economy",
                "item": "https://example.org/economy/",
            },
            {
                "@type": "ListItem",
                "position": 3,
                "name": "Rates on hold",
                "item": "https://example.org/2026/11/23/rates-on-hold/",
            },
        ],
    }
    loose = site.page("2026/11/19/no-desk/")
    news, crumbs = (json.loads(s.text) for s in loose.select("script[type=application/ld+json]"))
    assert "articleSection" not in news
    assert [c["name"] for c in crumbs["itemListElement"]] == ["Harbour Times", "No desk"]


def test_the_news_sitemap_carries_the_section(make_site, monkeypatch):
    # the build time decides which articles are in it: the day of the newest
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795521600")  # 2026-11-24 12:00 UTC
    site = make_site(SITE)
    site.build()
    root = ET.fromstring((site.output / "news-sitemap.xml").read_bytes())
    ns = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "n": "http://www.google.com/schemas/sitemap-news/0.9",
    }
    keywords = {}
    for url in root.findall("s:url", ns):
        news = url.find("n:news", ns)
        # the schema's order: keywords come after the title
        children = [child.tag.split("}")[1] for child in news]
        assert children[:3] == ["publication", "publication_date", "title"]
        found = news.find("n:keywords", ns)
        keywords[url.find("s:loc", ns).text] = None if found is None else found.text
    assert keywords == {
        "https://example.org/2026/11/24/parliament-votes/": "Politics",
        "https://example.org/2026/11/23/rates-on-hold/": "Business & Economy",
    }


def test_an_unknown_section_is_an_error_with_its_line_and_the_closest_key(make_site):
    site = make_site(
        {**SITE, "content/typo.md": article("Typo", "2026-11-18", "Text.", section="politcs")}
    )
    run = site.digest("build")
    assert run.code == 1
    assert (
        "content/typo.md:4: error: section: 'politcs' is not a section of this site "
        "(did you mean 'politics'?)"
    ) in run.err
    assert not site.output.exists()


def test_an_unknown_section_far_from_any_key_lists_them(make_site):
    site = make_site(
        {**SITE, "content/typo.md": article("Typo", "2026-11-18", "Text.", section="weather")}
    )
    run = site.digest("build")
    assert run.code == 1
    assert (
        "content/typo.md:4: error: section: 'weather' is not a section of this site "
        "(the sections are 'politics', 'economy', 'culture')"
    ) in run.err


def test_a_site_without_sections_works_as_before(make_site):
    site = make_site(
        {
            "site.yaml": "title: Plain\n",
            "content/politics/a.md": article("A story", "2026-11-18", "Text."),
            # free text, as digest new --section writes it: no error, no page
            "content/b.md": article("B story", "2026-11-17", "Text.", section="Business"),
        }
    )
    run = site.build()
    assert "error" not in run.err
    assert not (site.output / "politics").exists()
    nav = site.page("").one("nav.site-nav")
    assert [a.text for a in nav.select("a")] == ["Home", "Topics"]
    page = site.page("2026/11/18/a-story/")
    news, _crumbs = (json.loads(s.text) for s in page.select("script[type=application/ld+json]"))
    assert "articleSection" not in news
    assert page.select(".article-header .kicker") == []


def test_bad_sections_and_nav_settings_are_errors(make_site):
    site = make_site(
        {
            "site.yaml": "sections:\n  Politics Desk: Politics\n  tags: Tags\n  culture: [x]\n"
            "  economy: {description: Money}\nnav:\n  - {label: About}\n  - {label: X, url: 'ftp://x'}\n",
            "content/a.md": article("A", "2026-11-18", "Text."),
        }
    )
    run = site.digest("build")
    assert run.code == 1
    errors = [line for line in run.err.splitlines() if ": error: " in line]
    assert errors == [
        "site.yaml:1: error: sections.Politics Desk: 'Politics Desk' cannot be a section key "
        "(a key is lower-case letters, digits and - (it is the section's URL), and not only "
        "digits)",
        "site.yaml:1: error: sections.culture: expected a name, got a list "
        '(write sections as "politics: Politics", one a line)',
        "site.yaml:1: error: sections.economy: has no name "
        '(write "economy: {name: ..., description: ...}")',
        "site.yaml:1: error: sections.tags: 'tags' is taken by another kind of page "
        "(choose another key)",
        "site.yaml:6: error: nav: link 1 needs a label and a url "
        '(write nav as a list of "- {label: About, url: /about/}")',
        "site.yaml:6: error: nav: link 2: 'ftp://x' is not an http(s) URL or a path "
        '(write nav as a list of "- {label: About, url: /about/}")',
    ]


def test_the_section_url_pattern_is_a_setting(make_site):
    site = make_site(
        {
            **SITE,
            "site.yaml": SECTIONS_YAML + "permalinks:\n  section: /desk/{key}/\n",
        }
    )
    site.build()
    assert site.page("desk/economy/").one("h1").text == "Business & Economy"
    kicker = site.page("2026/11/23/rates-on-hold/").one(".article-header .kicker a")
    assert kicker.attrs["href"] == "/desk/economy/"
    run = site.write({"site.yaml": SECTIONS_YAML + "permalinks:\n  section: /desk/\n"}).digest(
        "build"
    )
    assert run.code == 1
    assert (
        "site.yaml:11: error: permalinks.section: the pattern must contain {key} "
        "(or two pages would share one URL)"
    ) in run.err
