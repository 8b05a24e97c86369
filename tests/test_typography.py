"""Typography: straight quotes, ``--``, ``---`` and ``...`` in article text
become the language's quotation marks, dashes and an ellipsis, in the body,
the headline and the standfirst alike; code, URLs and raw HTML stay as
written; ``typography: false`` turns it off."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.parse.markdown import MarkdownRenderer
from generator.parse.typography import style_for
from tests.conftest import article

NNBSP = "\u202f"
ATOM = "{http://www.w3.org/2005/Atom}"
SENTENCE = "\"Rates stay,\" she said -- it's 'final'... for 2026--2027 --- maybe."
# As YAML text: a headline starting with a quote must be quoted itself.
HEADLINE = "'\"Rates stay\" -- it''s final...'"


def _site(make_site, language: str | None = None, typography: str | None = None, **more: str):
    config = "title: Digest\nbase_url: https://example.org/\n"
    if language:
        config += f"language: {language}\n"
    if typography:
        config += f"typography: {typography}\n"
    files = {
        "site.yaml": config,
        "content/a.md": article(
            HEADLINE,
            "2026-11-20T10:00:00+01:00",
            SENTENCE,
            standfirst="'\"Not now\" -- the bank...'",
            slug="rates",
        ),
        **more,
    }
    site = make_site(files)
    site.build()
    return site


def _body(site, rel: str = "2026/11/20/rates/") -> str:
    page = site.output / rel / "index.html"
    text = page.read_text(encoding="utf-8")
    # The body's HTML ends with a newline, and the layout puts its </div> on the next line.
    return re.search(r'<div class="article-body">\n(.*?)\n\n</div>', text, re.S).group(1)


@pytest.mark.parametrize(
    ("language", "body", "headline", "standfirst"),
    [
        (
            "en",
            "<p>“Rates stay,” she said – it’s ‘final’… for 2026–2027 — maybe.</p>",
            "“Rates stay” – it’s final…",
            "“Not now” – the bank…",
        ),
        (
            "de",
            "<p>„Rates stay,“ she said – it’s ‚final‘… for 2026–2027 — maybe.</p>",
            "„Rates stay“ – it’s final…",
            "„Not now“ – the bank…",
        ),
        (
            "da",
            "<p>»Rates stay,« she said – it’s ›final‹… for 2026–2027 — maybe.</p>",
            "»Rates stay« – it’s final…",
            "»Not now« – the bank…",
        ),
        (
            "fr",
            f"<p>«{NNBSP}Rates stay,{NNBSP}» she said – it’s “final”… for 2026–2027 — maybe.</p>",
            f"«{NNBSP}Rates stay{NNBSP}» – it’s final…",
            f"«{NNBSP}Not now{NNBSP}» – the bank…",
        ),
    ],
)
def test_the_site_language_sets_the_quotes(make_site, language, body, headline, standfirst):
    site = _site(make_site, language)
    assert _body(site) == body
    # The page's own characters: the HTML helper's .text would fold U+202F into a space.
    page = (site.output / "2026/11/20/rates/index.html").read_text(encoding="utf-8")
    assert f'<h1 class="headline">{headline}</h1>' in page
    assert f'<p class="standfirst">{standfirst}</p>' in page
    assert f"<title>{headline} — Digest</title>" in page


def test_an_articles_lang_overrides_the_site_language(make_site):
    german = article(
        "'\"Zinsen\" bleiben'", "2026-11-21", '"Ja", sagt sie...', slug="zinsen", lang="de"
    )
    site = _site(make_site, "en", **{"content/de.md": german})
    assert _body(site, "2026/11/21/zinsen/") == "<p>„Ja“, sagt sie…</p>"
    assert site.page("2026/11/21/zinsen/").one("h1").text == "„Zinsen“ bleiben"
    # The site's own articles keep the site's quotes; the list shows each as set.
    assert site.page("2026/11/20/rates/").one("h1").text == "“Rates stay” – it’s final…"
    teasers = [h.text for h in site.page("").select(".teaser-headline")]
    assert teasers == ["„Zinsen“ bleiben", "“Rates stay” – it’s final…"]


def test_typography_false_leaves_the_text_as_written(make_site):
    site = _site(make_site, "de", typography="false")
    assert _body(site) == (
        "<p>&quot;Rates stay,&quot; she said -- it's 'final'... for 2026--2027 --- maybe.</p>"
    )
    page = site.page("2026/11/20/rates/")
    assert page.one("h1").text == '"Rates stay" -- it\'s final...'
    assert page.one(".standfirst").text == '"Not now" -- the bank...'


def test_code_urls_links_and_raw_html_stay_as_written(make_site):
    body = """\
Run `git log --oneline "x"` first... or read <https://example.org/a--b> and
https://example.org/c--d?q="e" and [the "guide"](https://example.org/f--g "Its --- title").

<span title="a--b 'c'">Said "yes" -- once</span>

```sh
echo "don't" -- ...
```

    indented "code" -- here

<div class="raw">A "raw" block -- as written...</div>

Keep \\"this\\" and \\-\\- too; (c) 2026, +-5 and 1..10 stay.
"""
    site = _site(make_site, **{"content/b.md": article("Code", "2026-11-21", body, slug="code")})
    assert _body(site, "2026/11/21/code/") == (
        "<p>Run <code>git log --oneline &quot;x&quot;</code> first… or read "
        '<a href="https://example.org/a--b">https://example.org/a--b</a> and\n'
        "https://example.org/c--d?q=&quot;e&quot; and "
        '<a href="https://example.org/f--g" title="Its --- title">the “guide”</a>.</p>\n'
        "<p><span title=\"a--b 'c'\">Said “yes” – once</span></p>\n"
        '<pre tabindex="0"><code class="language-sh"><span class="nb">echo</span>'
        '<span class="w"> </span><span class="s2">"don\'t"</span><span class="w"> </span>--'
        '<span class="w"> </span>...\n</code></pre>\n'
        '<pre tabindex="0"><code>indented &quot;code&quot; -- here\n</code></pre>\n'
        '<div class="raw">A "raw" block -- as written...</div>\n'
        "<p>Keep &quot;this&quot; and -- too; (c) 2026, +-5 and 1..10 stay.</p>"
    )


def test_french_spaces_before_punctuation_are_narrow_and_unbreakable(make_site):
    body = "Attention : il a dit « oui » ! Pourquoi ? Rendez-vous à 10:30; voir http://a.fr/x"
    site = _site(make_site, "fr", **{"content/b.md": article("Fr", "2026-11-21", body, slug="fr")})
    assert _body(site, "2026/11/21/fr/") == (
        f"<p>Attention{NNBSP}: il a dit «{NNBSP}oui{NNBSP}»{NNBSP}! Pourquoi{NNBSP}? "
        "Rendez-vous à 10:30; voir http://a.fr/x</p>"
    )


def test_headline_is_the_same_in_title_meta_json_ld_and_feeds(make_site):
    site = _site(make_site, "en")
    want = "“Rates stay” – it’s final…"
    page = site.page("2026/11/20/rates/")
    meta = {m.attrs["property"]: m.attrs["content"] for m in page.select("meta[property]")}
    script, breadcrumbs = page.select("script[type=application/ld+json]")
    assert json.loads(breadcrumbs.text)["@type"] == "BreadcrumbList"
    ld = json.loads(script.text)
    assert page.one("title").text == f"{want} — Digest"
    assert meta["og:title"] == want
    assert ld["headline"] == want
    atom = ET.fromstring((site.output / "feed.xml").read_bytes())
    assert atom.find(f"{ATOM}entry/{ATOM}title").text == want
    feed = json.loads((site.output / "feed.json").read_text(encoding="utf-8"))
    assert feed["items"][0]["title"] == want
    assert feed["items"][0]["summary"] == "“Not now” – the bank…"


def test_urls_and_heading_ids_do_not_change_with_typography(make_site):
    body = '## 1990--2000: the "boom" years...\n\nText.'
    b = article("'\"Boom\" -- again'", "2026-11-21", body)
    on = _site(make_site, **{"content/b.md": b})
    page = on.page("2026/11/21/boom-again/")
    heading = page.one("h2")
    assert heading.text == "1990–2000: the “boom” years…"
    assert heading.attrs["id"] == "1990--2000-the-boom-years"  # as before typography
    off = _site(make_site, typography="false")
    assert off.page("2026/11/21/boom-again/").one("h2").attrs["id"] == heading.attrs["id"]


def test_toggling_typography_or_the_language_rebuilds_the_pages(make_site):
    site = _site(make_site, "en")
    assert site.page("2026/11/20/rates/").one("h1").text == "“Rates stay” – it’s final…"
    site.write({"site.yaml": "title: Digest\nlanguage: da\n"})
    site.build()
    assert site.page("2026/11/20/rates/").one("h1").text == "»Rates stay« – it’s final…"
    site.write({"site.yaml": "title: Digest\nlanguage: da\ntypography: false\n"})
    site.build()
    assert site.page("2026/11/20/rates/").one("h1").text == '"Rates stay" -- it\'s final...'


def test_typography_must_be_true_or_false(make_site):
    site = make_site({"site.yaml": "typography: maybe\n", "content/a.md": article()})
    run = site.digest("build")
    assert run.code == 1
    assert "site.yaml:1: error: typography: expected true or false, got 'maybe'" in run.err


def test_languages_without_an_entry_get_english_quotes():
    assert style_for("xx").quotes == ("“", "”", "‘", "’")
    assert style_for("de-AT").quotes == ("„", "“", "‚", "‘")
    assert style_for("de-CH-1996").quotes == ("«", "»", "‹", "›")
    assert style_for("pt-BR").quotes == ("“", "”", "‘", "’")
    assert style_for("pt").quotes == ("«", "»", "“", "”")
    assert style_for("FR-ca").spaced


# Sentences without Markdown syntax: words, spaces and the punctuation the
# rules look at. A headline set as plain text must read as the same sentence
# set in a body.
_WORDS = "rates it s 2026 -- --- ... . , ! ? : ; - « » ( ) l' https://a.org/x--y"
_pieces = st.sampled_from([*_WORDS.split(" "), " ", '"', "'"])
_sentences = st.builds(
    lambda first, rest: (first + "".join(rest)).rstrip(),
    st.sampled_from(["Rates", "She", "Le", "Zinsen"]),
    st.lists(_pieces, max_size=14),
)


@settings(max_examples=300, deadline=None)
@given(sentence=_sentences, lang=st.sampled_from(["en", "de", "da", "fr", "sv", "de-CH"]))
def test_plain_text_is_set_as_the_same_sentence_in_a_body(sentence, lang):
    renderer = MarkdownRenderer(typography=True, language=lang)
    _, body = renderer.render(sentence, content_path="a.md", first_line=1)
    paragraph = body.decode()
    assert paragraph.startswith("<p>") and paragraph.endswith("</p>\n")
    assert html.unescape(paragraph[3:-5]) == renderer.typeset(sentence, None)


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.characters(exclude_characters="\"'-.\x00\r"), max_size=40))
def test_plain_text_keeps_every_other_character(text):
    """Markdown syntax, markup, entities, backslashes: characters in a headline."""
    renderer = MarkdownRenderer(typography=True, language="en")
    assert renderer.typeset(text + " --", None) == text + " –"


def test_a_french_summary_keeps_its_narrow_no_break_spaces(make_site):
    body = 'Il dit : "non" !\n\nDeux.'
    site = _site(make_site, "fr", **{"content/b.md": article("Non", "2026-11-21", body)})
    summary = f"Il dit{NNBSP}: «{NNBSP}non{NNBSP}»{NNBSP}!"
    index = (site.output / "index.html").read_text(encoding="utf-8")
    assert f'<p class="teaser-dek">{summary}</p>' in index
    feed = json.loads((site.output / "feed.json").read_text(encoding="utf-8"))
    assert feed["items"][0]["summary"] == summary
