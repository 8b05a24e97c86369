"""corrections: on the article (a dated box), in its JSON-LD, in the dates
the feeds and the sitemap give, on /corrections/ with its own feed; and the
errors of a bad correction, each at its line, with nothing written."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import article

SITE = "title: Test\nbase_url: https://example.org/news/\n"
CORRECTED = article(
    "Budget deal",
    "2026-11-24 09:00",
    "Text of the budget story.",
    corrections=(
        "\n  - date: 2026-11-25 10:00"
        "\n    text: 'An earlier version said **5%**; it is <b>4%</b>.'"
        "\n  - date: 2026-11-26"
        "\n    text: The minister's name is *Ann* Berg."
    ),
)
OTHER = article("Ferry strike", "2026-11-23", "Ferries stop.")
PAGE = "2026/11/24/budget-deal/"


def json_ld(page_text: str) -> dict[str, object]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page_text, re.S)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


@pytest.fixture
def corrected(make_site):
    site = make_site({"site.yaml": SITE, "content/budget.md": CORRECTED, "content/ferry.md": OTHER})
    site.build()
    return site


def test_the_article_shows_its_corrections_in_a_dated_box(corrected):
    page = corrected.page(PAGE)
    box = page.one("section.corrections")
    assert box.attrs["id"] == "corrections"
    assert box.attrs["aria-labelledby"] == "corrections-heading"
    assert page.one("#corrections-heading").text == "Corrections"
    times = [t.attrs["datetime"] for t in box.select("time")]
    assert times == ["2026-11-26T00:00:00+00:00", "2026-11-25T10:00:00+00:00"]  # newest first
    html = (corrected.output / PAGE / "index.html").read_text(encoding="utf-8")
    # Markdown is rendered inline; raw HTML is shown as text, never run.
    assert "The minister's name is <em>Ann</em> Berg." in html
    assert "said <strong>5%</strong>; it is &lt;b&gt;4%&lt;/b&gt;." in html


def test_json_ld_has_each_correction_and_the_newest_moves_date_modified(corrected):
    data = json_ld((corrected.output / PAGE / "index.html").read_text(encoding="utf-8"))
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "The minister's name is Ann Berg.",
            "datePublished": "2026-11-26T00:00:00+00:00",
        },
        {
            "@type": "CorrectionComment",
            "text": "An earlier version said 5%; it is <b>4%</b>.",
            "datePublished": "2026-11-25T10:00:00+00:00",
        },
    ]
    assert data["datePublished"] == "2026-11-24T09:00:00+00:00"
    assert data["dateModified"] == "2026-11-26T00:00:00+00:00"
    other = json_ld((corrected.output / "2026/11/23/ferry-strike/index.html").read_text())
    assert "correction" not in other


def test_the_newest_correction_moves_the_feeds_and_the_sitemap(corrected):
    atom = (corrected.output / "feed.xml").read_text(encoding="utf-8")
    assert "<updated>2026-11-26T00:00:00+00:00</updated>" in atom.split("<entry>")[0]
    first_entry = atom.split("<entry>")[1]
    assert "<title>Budget deal</title>" in first_entry
    assert "<updated>2026-11-26T00:00:00+00:00</updated>" in first_entry
    feed = json.loads((corrected.output / "feed.json").read_text(encoding="utf-8"))
    budget = next(i for i in feed["items"] if i["title"] == "Budget deal")
    assert budget["date_modified"] == "2026-11-26T00:00:00+00:00"
    sitemap = (corrected.output / "sitemap.xml").read_text(encoding="utf-8")
    assert (
        f"<url><loc>https://example.org/news/{PAGE}</loc>"
        "<lastmod>2026-11-26T00:00:00+00:00</lastmod></url>"
    ) in sitemap


def test_updated_keeps_working_and_wins_when_later(make_site):
    text = CORRECTED.replace(
        "date: 2026-11-24 09:00", "date: 2026-11-24 09:00\nupdated: 2026-11-28"
    )
    site = make_site({"site.yaml": SITE, "content/budget.md": text})
    site.build()
    data = json_ld((site.output / PAGE / "index.html").read_text(encoding="utf-8"))
    assert data["dateModified"] == "2026-11-28T00:00:00+00:00"
    assert "<lastmod>2026-11-28T00:00:00+00:00</lastmod>" in (
        site.output / "sitemap.xml"
    ).read_text(encoding="utf-8")


def test_the_corrections_page_lists_every_correction_newest_first(make_site):
    later = article(
        "Harbour vote",
        "2026-11-20",
        "Vote.",
        corrections="\n  - date: 2026-11-25 12:00\n    text: The vote was 7-2.",
    )
    site = make_site({"site.yaml": SITE, "content/budget.md": CORRECTED, "content/v.md": later})
    site.build()
    page = site.page("corrections/")
    items = page.select("ul.corrections-page li")
    assert [i.one("a").attrs["href"] for i in items] == [
        "/news/2026/11/24/budget-deal/#corrections",
        "/news/2026/11/20/harbour-vote/#corrections",
        "/news/2026/11/24/budget-deal/#corrections",
    ]
    assert [i.one("time").attrs["datetime"] for i in items] == [
        "2026-11-26T00:00:00+00:00",
        "2026-11-25T12:00:00+00:00",
        "2026-11-25T10:00:00+00:00",
    ]
    assert [i.one("a").text for i in items] == ["Budget deal", "Harbour vote", "Budget deal"]
    assert page.one("h1").text == "Corrections"
    feeds = [link.attrs["href"] for link in page.select('link[type="application/atom+xml"]')]
    assert "/news/corrections/feed.xml" in feeds


def test_the_corrections_feed_has_an_entry_per_correction(corrected):
    atom = (corrected.output / "corrections/feed.xml").read_text(encoding="utf-8")
    head, *entries = atom.split("<entry>")
    assert '<link rel="self" type="application/atom+xml" ' in head
    assert 'href="https://example.org/news/corrections/feed.xml"/>' in head
    assert "<updated>2026-11-26T00:00:00+00:00</updated>" in head
    assert len(entries) == 2
    assert "<title>Correction: Budget deal</title>" in entries[0]
    assert (
        '<link rel="alternate" type="text/html" '
        'href="https://example.org/news/2026/11/24/budget-deal/#corrections"/>'
    ) in entries[0]
    assert (
        '<content type="html">The minister&#39;s name is &lt;em&gt;Ann&lt;/em&gt; Berg.'
        in (entries[0])
    )
    ids = [re.search(r"<id>(.*?)</id>", e).group(1) for e in entries]  # type: ignore[union-attr]
    assert len(set(ids)) == 2 and all(i.startswith("urn:uuid:") for i in ids)


def test_no_corrections_no_page_and_no_feed_without_a_host(make_site):
    site = make_site({"site.yaml": SITE, "content/ferry.md": OTHER})
    site.build()
    assert not (site.output / "corrections").exists()
    local = make_site({"site.yaml": "base_url: /", "content/budget.md": CORRECTED})
    local.build()
    assert (local.output / "corrections/index.html").is_file()
    assert not (local.output / "corrections/feed.xml").exists()


HINT = "(write each correction as '- date: 2026-11-25' with 'text: ...' on the next line)"


@pytest.mark.parametrize(
    ("corrections", "expected"),
    [
        pytest.param(
            "\n  - date: 2026-11-25",
            "content/bad.md:5: error: corrections: item 1 has no text "
            "(add 'text: ...' saying what was corrected)",
            id="no-text",
        ),
        pytest.param(
            "\n  - text: A name was wrong.",
            "content/bad.md:5: error: corrections: item 1 has no date "
            "(add 'date: 2026-11-25' to it)",
            id="no-date",
        ),
        pytest.param(
            "\n  - date: 2026-11-25\n    text: Fine.\n  - date: yesterday\n    text: A name.",
            "content/bad.md:7: error: corrections: item 2: cannot read 'yesterday' as a date "
            "(write it as 2026-11-24, 2026-11-24 09:30 or 2026-11-24T09:30:00+01:00)",
            id="not-a-date",
        ),
        pytest.param(
            "\n  - date: 2026-11-31\n    text: A name.",
            "content/bad.md:5: error: corrections: item 1: November 2026 has 30 days, not 31 "
            "(write it as 2026-11-24, 2026-11-24 09:30 or 2026-11-24T09:30:00+01:00)",
            id="impossible-date",
        ),
        pytest.param(
            "\n  - The name was wrong.",
            f"content/bad.md:5: error: corrections: item 1 is text, not a correction {HINT}",
            id="not-a-mapping",
        ),
        pytest.param(
            " The name was wrong.",
            f"content/bad.md:4: error: corrections: expected a list of corrections, got text "
            f"{HINT}",
            id="not-a-list",
        ),
    ],
)
def test_a_bad_correction_is_an_error_at_its_line_and_nothing_is_written(
    make_site, corrections, expected
):
    bad = article("Bad", "2026-11-24", "Text.", corrections=corrections)
    site = make_site({"site.yaml": SITE, "content/bad.md": bad, "content/ferry.md": OTHER})
    run = site.digest("build")
    assert run.code == 1
    assert [line for line in run.err.splitlines() if ": error: " in line] == [expected]
    assert not site.output.exists()
    assert not (site.root / "published-urls.txt").exists()


def test_an_unknown_key_in_a_correction_is_a_warning_with_the_fix(make_site):
    text = article(
        "Budget", "2026-11-24", "Text.", corrections="\n  - date: 2026-11-25\n    txt: A name."
    )
    site = make_site({"site.yaml": SITE, "content/budget.md": text})
    run = site.digest("build")
    assert run.code == 1
    assert [line for line in run.err.splitlines() if "content/budget.md" in line] == [
        "content/budget.md:5: warning: corrections: item 1 has an unknown key 'txt' "
        "(did you mean 'text'?)",
        "content/budget.md:5: error: corrections: item 1 has no text "
        "(add 'text: ...' saying what was corrected)",
    ]
