"""Content as editors really write it: file formats, tags, slugs, dates,
links between files, assets, and real news posts."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from generator.parse.markdown import _markdown_it
from tests.conftest import CORPUS, REPO, article


def test_bom_crlf_and_rule_in_body(make_site):
    crlf = article("Windows file", "2026-11-24", "Before.\n\n---\n\nAfter the rule.")
    site = make_site(
        {
            "content/crlf.md": crlf.replace("\n", "\r\n").encode("utf-8"),
            "content/bom.md": b"\xef\xbb\xbf" + article("With a BOM", "2026-11-23").encode(),
        }
    )
    site.build()
    page = site.page("2026/11/24/windows-file/")
    assert page.one("h1").text == "Windows file"
    body = page.one(".article-body")
    assert body.select("hr"), "a --- line in the body is a horizontal rule"
    assert "After the rule." in body.text
    assert "\r" not in page.source
    assert site.page("2026/11/23/with-a-bom/").one("h1").text == "With a BOM"


def test_editor_droppings_and_hidden_files_are_ignored(make_site):
    good = article("Real article")
    site = make_site(
        {
            "content/real.md": good,
            "content/.real.md.swp": "binary junk \x00",
            "content/real.md~": good.replace("Real", "Backup"),
            "content/.#real.md": "lock",
            "content/#real.md#": "autosave",
            "content/4913": "vim probe",
            "content/.hidden/secret.md": article("Secret"),
            "content/README.md": "# Notes for editors\n",
        }
    )
    run = site.digest("build")
    assert run.code == 0, run.err
    assert run.out.startswith("Built 1 article,")
    files = set(site.files())
    assert not any("swp" in f or "~" in f or "4913" in f or "secret" in f for f in files)
    assert "README.md" not in files


def test_tags_differing_in_case_spacing_punctuation_share_a_page(make_site):
    site = make_site(
        {
            "content/a.md": article("One", "2026-11-20", tags="[Middle East]"),
            "content/b.md": article("Two", "2026-11-21", tags="[middle  east]"),
            "content/c.md": article("Three", "2026-11-22", tags="Middle-East, economy"),
            "content/d.md": article("Four", "2026-11-23", tags="[Middle East, ECONOMY]"),
        }
    )
    site.build()
    tag_dirs = sorted(p.name for p in (site.output / "tags").iterdir() if p.is_dir())
    assert tag_dirs == ["economy", "middle-east"]
    page = site.page("tags/middle-east/")
    assert len(page.select(".teaser-headline")) == 4
    assert "Middle East" in page.one("h1").text  # the most used spelling
    # Each article shows the tag as it wrote it.
    assert [a.text for a in site.page("2026/11/21/two/").select("a[rel=tag]")] == ["middle east"]
    assert [a.text for a in site.page("2026/11/22/three/").select("a[rel=tag]")] == [
        "Middle-East",
        "economy",
    ]


def test_yaml_scalars_that_look_like_other_types_stay_text(make_site):
    site = make_site(
        {"content/a.md": article("1984", "2026-11-24", tags="[no, 2024, yes]", author="True")}
    )
    site.build()
    page = site.page("2026/11/24/1984/")
    assert page.one("h1").text == "1984"
    assert [a.text for a in page.select("a[rel=tag]")] == ["no", "2024", "yes"]
    assert page.one(".byline").text == "By True"


def test_slugs_transliterate_and_slug_field_wins(make_site):
    site = make_site(
        {
            "content/a.md": article("Ærø’s ferry – a new route", "2026-11-24"),
            "content/b.md": article("Any headline", "2026-11-24", slug="my-own-slug"),
            "content/c.md": article('"Ελλάδα και Κίνα: 日本"', "2026-11-24"),
        }
    )
    site.build()
    assert (site.output / "2026/11/24/aeros-ferry-a-new-route/index.html").is_file()
    assert (site.output / "2026/11/24/my-own-slug/index.html").is_file()
    assert (site.output / "2026/11/24/ellada-kai-kina-riben/index.html").is_file()


def test_dates_in_urls_and_pages_use_the_site_timezone(make_site):
    site = make_site(
        {
            "site.yaml": "timezone: America/New_York\n",
            # 02:30 UTC on the 25th is still the 24th in New York.
            "content/a.md": article("Late night", "2026-11-25T02:30:00+00:00"),
            # A naive time is in the site's zone.
            "content/b.md": article("Naive time", "2026-11-20 14:05"),
        }
    )
    site.build()
    page = site.page("2026/11/24/late-night/")
    assert page.one("article time").attrs["datetime"] == "2026-11-24T21:30:00-05:00"
    assert "24 November 2026" in page.one(".article-header").text
    naive = site.page("2026/11/20/naive-time/")
    assert naive.one("article time").attrs["datetime"] == "2026-11-20T14:05:00-05:00"


def test_links_between_articles_and_to_assets(make_site):
    site = make_site(
        {
            "content/2026/old.md": article("Old story", "2026-11-01", "## Details\n\nText."),
            "content/news/new.md": article(
                "New story",
                "2026-11-24",
                "As [reported](../2026/old.md#details), see ![the map](img/map%20v2.svg) "
                "and [the PDF](docs/report.pdf).",
                image="img/map v2.svg",
                image_alt="A map",
            ),
            "content/news/img/map v2.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
            "content/news/docs/report.pdf": b"%PDF-1.4 test",
        }
    )
    site.build()
    page = site.page("2026/11/24/new-story/")
    body = page.one(".article-body")
    assert body.select("a")[0].attrs["href"] == "/2026/11/01/old-story/#details"
    assert body.one("img").attrs["src"] == "/news/img/map%20v2.svg"
    assert body.select("a")[1].attrs["href"] == "/news/docs/report.pdf"
    lead = page.one("figure img")
    assert lead.attrs["src"] == "/news/img/map%20v2.svg"
    assert lead.attrs["alt"] == "A map"
    assert (site.output / "news/img/map v2.svg").is_file()
    assert (site.output / "news/docs/report.pdf").read_bytes() == b"%PDF-1.4 test"
    # The target heading has the id the fragment names.
    assert site.page("2026/11/01/old-story/").select("h2#details")


def test_markdown_features(make_site):
    body = """\
| Year | Budget |
|------|-------:|
| 2025 | 1.4 |

~~wrong~~ right.[^1]

```python
def f(x):
    return x * 2
```

[^1]: A footnote.
"""
    site = make_site({"content/a.md": article("Features", body=body)})
    site.build()
    body_el = site.page("2026/11/24/features/").one(".article-body")
    assert [th.text for th in body_el.select("th")] == ["Year", "Budget"]
    assert body_el.one("s").text == "wrong"
    assert body_el.select("section.footnotes")
    code = body_el.one("pre code.language-python")
    assert code.select("span"), "fenced code is highlighted"
    assert "return x * 2" in code.text


def test_example_site_builds_cleanly(tmp_path, capsys):
    from generator.cli import main

    code = main(["build", "--site", str(REPO), "--output", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err == "", "the example site has no warnings"
    assert "Built 12 articles" in captured.out
    # The draft is not published.
    assert "Nuuk’s new runway" not in (tmp_path / "out" / "index.html").read_text()
    assert not list((tmp_path / "out").glob("2026/11/23/nuuk*"))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not next to the repository")
def test_real_news_corpus_builds_without_errors(tmp_path, capsys):
    from generator.cli import main

    site = tmp_path / "corpus-site"
    shutil.copytree(CORPUS, site / "content")
    code = main(["build", "--site", str(site)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "error" not in captured.err
    posts = len(list(CORPUS.glob("*.md"))) - 1  # README.md
    assert f"Built {posts} articles" in captured.out


_OURS, _THEIRS = _markdown_it({}), MarkdownIt()
_URL_PARTS = [*"abcXYZ019;/?:@&=+$,-_.!~*'()#[] %", "%41", "%e2", "é", "http://", "https://"]
_URL_PARTS += ["mailto:", "//", "[::1]", "xn--", "www.", ":80", "HTTP://", "../", "#x", "ü"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_URL_PARTS), max_size=16).map("".join))
def test_link_normalising_shortcut_agrees_with_markdown_it(url):
    """Plain URLs skip markdown-it's normalizeLink; every link still comes
    out exactly as markdown-it would write it."""
    assert _OURS.normalizeLink(url) == _THEIRS.normalizeLink(url)
