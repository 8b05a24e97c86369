"""The built-in theme's front page: the lead story (featured: true, else the
newest) large with its image, a block per section, then the latest."""

from __future__ import annotations

from tests.conftest import article

SITE = {
    "site.yaml": "title: Harbour Times\nper_page: 4\nsections:\n  politics: Politics\n"
    "  economy: Economy\n  culture: Culture\n",
    "content/img/vote.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "content/img/rates.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "content/politics/vote.md": article(
        "Parliament votes", "2026-11-24", "Text.", image="../img/vote.svg", image_alt="A vote"
    ),
    "content/politics/budget.md": article("Budget passes", "2026-11-23", "Text."),
    "content/economy/rates.md": article(
        "Rates on hold", "2026-11-22", "Text.", image="../img/rates.svg"
    ),
    "content/economy/jobs.md": article("Jobs at a high", "2026-11-21", "Text."),
    "content/economy/ports.md": article("Ports busy", "2026-11-20", "Text."),
    "content/loose.md": article("No desk", "2026-11-19", "Text."),
}


def headlines(element):
    return [h.text for h in element.select(".teaser-headline")]


def test_the_front_page_leads_with_the_newest_story_and_its_image(make_site):
    site = make_site(SITE)
    site.build()
    front = site.page("")
    lead = front.one(".front-lead .teaser-lead")
    assert headlines(lead) == ["Parliament votes"]
    assert lead.one("img.teaser-image").attrs["src"] == "/img/vote.svg"
    assert lead.one(".kicker a").attrs["href"] == "/politics/"
    assert front.one("h1").text == "Harbour Times"


def test_a_featured_story_leads_instead(make_site):
    site = make_site(
        {
            **SITE,
            "content/economy/rates.md": article(
                "Rates on hold", "2026-11-22", "Text.", image="../img/rates.svg", featured="true"
            ),
        }
    )
    site.build()
    front = site.page("")
    assert headlines(front.one(".front-lead")) == ["Rates on hold"]
    # the lead is not repeated in its section's block or in the latest
    economy = front.select(".front-section")[1]
    assert headlines(economy) == ["Jobs at a high", "Ports busy"]
    assert "Rates on hold" not in headlines(front.one(".front-latest"))


def test_a_block_per_section_with_its_newest_the_first_with_its_image(make_site):
    site = make_site(SITE)
    site.build()
    front = site.page("")
    blocks = front.select(".front-section")
    titles = [(b.one("h2 a").text, b.one("h2 a").attrs["href"]) for b in blocks]
    # a section with nothing to show besides the lead has no block
    assert titles == [("Politics", "/politics/"), ("Economy", "/economy/")]
    assert headlines(blocks[0]) == ["Budget passes"]
    assert headlines(blocks[1]) == ["Rates on hold", "Jobs at a high", "Ports busy"]
    first, *rest = blocks[1].select("article.teaser")
    assert first.one("img.teaser-image").attrs["src"] == "/img/rates.svg"
    assert all(t.select("img") == [] for t in rest)


def test_then_the_latest_stories_across_the_site(make_site):
    site = make_site(SITE)
    site.build()
    latest = site.page("").one(".front-latest")
    assert latest.one("h2").text == "Latest"
    assert headlines(latest) == ["Budget passes", "Rates on hold", "Jobs at a high"]
    assert latest.one(".pagination a[rel=next]").attrs["href"] == "/page/2/"
    # teasers show the images articles have
    assert latest.select("img.teaser-image")[0].attrs["src"] == "/img/rates.svg"
    page2 = site.page("page/2/")
    assert page2.select(".front-lead") == [] and page2.select(".front-section") == []
    assert headlines(page2) == ["Ports busy", "No desk"]


def test_without_sections_the_front_page_is_the_lead_and_the_latest(make_site):
    site = make_site({**SITE, "site.yaml": "title: Harbour Times\nper_page: 4\n"})
    site.build()
    front = site.page("")
    assert headlines(front.one(".front-lead")) == ["Parliament votes"]
    assert front.select(".front-section") == []
    assert headlines(front.one(".front-latest")) == [
        "Budget passes",
        "Rates on hold",
        "Jobs at a high",
    ]


def test_an_empty_site_still_has_a_front_page(make_site):
    site = make_site({"site.yaml": "title: Empty\n"})
    site.build()
    front = site.page("")
    assert front.one(".empty").text == "No articles yet."


def test_the_theme_needs_no_javascript(make_site):
    site = make_site(SITE)
    site.build()
    for rel in ("", "politics/", "2026/11/24/parliament-votes/"):
        page = site.page(rel)
        scripts = page.select("script")
        assert all(s.attrs.get("type") == "application/ld+json" for s in scripts), rel
