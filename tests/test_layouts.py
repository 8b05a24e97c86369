"""Layouts: the built-in theme, a site's overrides on top of it, layout errors
with file and line, and escaping of front-matter values in every page."""

from __future__ import annotations

import pytest

from generator.load import THEME_DIR
from tests.conftest import article
from tests.htmlq import Page

THEME_STATIC = THEME_DIR / "static"

ARTICLE_A = article(
    "Harbour reopens",
    "2026-11-24",
    "The harbour reopened on Monday.\n\nShips are back.",
    tags="[Denmark, Shipping]",
    standfirst="After two weeks of repairs",
)
ARTICLE_B = article("Budget agreed", "2026-11-23", "Parliament agreed.", tags="[Denmark]")
A_PAGE = "2026/11/24/harbour-reopens/"
B_PAGE = "2026/11/23/budget-agreed/"


def two_articles(**extra: str) -> dict[str, str]:
    return {"content/a.md": ARTICLE_A, "content/b.md": ARTICLE_B, **extra}


def html_pages(site) -> dict[str, Page]:
    return {
        p.relative_to(site.output).as_posix(): Page(p.read_text(encoding="utf-8"))
        for p in sorted(site.output.rglob("*.html"))
    }


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": error: " in line]


# -- the built-in theme ------------------------------------------------------


def test_site_with_only_content_builds_with_the_built_in_theme(make_site):
    site = make_site(two_articles())
    assert not (site.root / "site.yaml").exists()
    assert not (site.root / "layouts").exists()
    site.build()

    for rel in (
        "index.html",
        f"{A_PAGE}index.html",
        f"{B_PAGE}index.html",
        "tags/denmark/index.html",
        "tags/shipping/index.html",
        "tags/index.html",
        "404.html",
        "static/style.css",
    ):
        assert (site.output / rel).is_file(), rel

    page = site.page(A_PAGE)
    assert page.one("h1.headline").text == "Harbour reopens"
    assert page.one("a.skip-link").attrs["href"] == "#main"
    assert "/static/style.css" in [e.attrs["href"] for e in page.select("link[rel=stylesheet]")]
    index = site.page("")
    assert f"/{A_PAGE}" in index.links()
    assert f"/{B_PAGE}" in index.links()
    assert "/tags/denmark/" in site.page("tags/").links()
    assert "Page not found" in site.page("404.html").text


# -- overriding layouts -------------------------------------------------------

OVERRIDE_ARTICLE = """\
<!doctype html>
<title>{{ article.headline }}</title>
<p class="override-marker">SITE-ARTICLE-LAYOUT</p>
<h1>{{ article.headline }}</h1>
"""


def test_site_layout_overrides_only_that_layout(make_site):
    site = make_site(two_articles(**{"layouts/article.html": OVERRIDE_ARTICLE}))
    site.build()

    page = site.page(A_PAGE)
    assert page.one("p.override-marker").text == "SITE-ARTICLE-LAYOUT"
    assert page.one("h1").text == "Harbour reopens"
    assert page.select("a.skip-link") == []  # the theme's base.html is not used

    index = site.page("")
    assert "SITE-ARTICLE-LAYOUT" not in index.source
    assert index.one("a.skip-link").attrs["href"] == "#main"
    assert len(index.select("main#main")) == 1
    assert f"/{A_PAGE}" in index.links()
    tag_page = site.page("tags/denmark/")
    assert "SITE-ARTICLE-LAYOUT" not in tag_page.source
    assert len(tag_page.select("main#main")) == 1


def test_override_can_extend_the_built_in_layout(make_site):
    layout = (
        '{% extends "theme/article.html" %}\n'
        '{% block head %}<meta name="x-test" content="1">{% endblock %}\n'
    )
    site = make_site(two_articles(**{"layouts/article.html": layout}))
    site.build()

    page = site.page(A_PAGE)
    assert page.one("meta[name=x-test]").attrs["content"] == "1"
    assert page.one("h1.headline").text == "Harbour reopens"
    assert page.one("p.standfirst").text == "After two weeks of repairs"
    assert len(page.select("main#main")) == 1
    assert site.page("").select("meta[name=x-test]") == []


def test_overriding_a_partial_changes_every_page(make_site):
    footer = '<footer class="custom-footer">Custom footer of {{ site.title }}</footer>\n'
    site = make_site(
        two_articles(**{"layouts/partials/footer.html": footer, "site.yaml": "title: Ferry News\n"})
    )
    site.build()

    pages = html_pages(site)
    assert {"index.html", "404.html", "tags/index.html", f"{A_PAGE}index.html"} <= set(pages)
    for rel, page in pages.items():
        assert page.one("footer.custom-footer").text == "Custom footer of Ferry News", rel
        assert page.select("footer.site-footer") == [], rel


def test_a_layout_edited_between_builds_of_one_process_is_read_again(make_site):
    """Compiled layouts are kept for the process by their text: an edit
    that keeps the size is read again, and an error brought in and taken
    out again is told, then gone."""
    marked = OVERRIDE_ARTICLE.replace("SITE-ARTICLE-LAYOUT", "FIRST-VERSION-OF-IT")
    site = make_site(two_articles(**{"layouts/article.html": marked}))
    site.build()
    assert site.page(A_PAGE).one("p.override-marker").text == "FIRST-VERSION-OF-IT"
    layout = site.root / "layouts" / "article.html"
    layout.write_text(marked.replace("FIRST", "OTHER"), encoding="utf-8")  # same size
    site.build()
    assert site.page(A_PAGE).one("p.override-marker").text == "OTHER-VERSION-OF-IT"
    layout.write_text(marked + "{% endif %}\n", encoding="utf-8")
    run = site.digest("build")
    assert run.code == 1
    assert error_lines(run.err)[0].startswith("layouts/article.html:"), run.err
    layout.write_text(marked, encoding="utf-8")
    assert site.digest("build").code == 0
    assert site.page(A_PAGE).one("p.override-marker").text == "FIRST-VERSION-OF-IT"


def test_site_static_file_overrides_the_theme_file_of_that_name(make_site):
    css = b"/* the site's own style */\nbody { color: rebeccapurple; }\n"
    site = make_site(two_articles(**{"layouts/static/style.css": css}))
    site.build()

    assert (site.output / "static/style.css").read_bytes() == css
    theme_highlight = THEME_STATIC / "highlight.css"
    assert theme_highlight.is_file(), "the built-in theme has no static/highlight.css"
    assert (site.output / "static/highlight.css").read_bytes() == theme_highlight.read_bytes()


# -- layout errors ------------------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "line"),
    [
        pytest.param(
            '{% extends "base.html" %}\n{% block content %}\n{% if %}\n{% endblock %}\n',
            3,
            id="empty-if",
        ),
        pytest.param(
            "<!doctype html>\n<h1>{{ article.headline }}</h1>\n<p>\n{% endif %}\n",
            4,
            id="endif-without-if",
        ),
    ],
)
def test_layout_syntax_error_names_file_and_line(make_site, layout, line):
    site = make_site(two_articles(**{"layouts/article.html": layout}))
    run = site.digest("build")
    assert run.code == 1
    errors = error_lines(run.err)
    assert errors, run.err
    assert errors[0].startswith(f"layouts/article.html:{line}: error: layout syntax error:"), (
        run.err
    )
    assert "Traceback" not in run.err
    assert not site.output.exists()


def test_syntax_error_in_a_layout_no_page_uses_is_reported(make_site):
    unused = "<p>never used</p>\n{% endif %}\n"
    site = make_site(two_articles(**{"layouts/unused.html": unused}))
    run = site.digest("build")
    assert run.code == 1
    errors = error_lines(run.err)
    assert len(errors) == 1, run.err
    assert errors[0].startswith("layouts/unused.html:2: error: layout syntax error:")
    assert not site.output.exists()


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param(
            "<!doctype html>\n<h1>{{ article.headline }}</h1>\n<p>{{ article.subtitle }}</p>\n",
            id="plain",
        ),
        pytest.param(
            '{% extends "base.html" %}\n{% block content %}\n'
            "<p>{{ article.subtitle }}</p>\n{% endblock %}\n",
            id="in-a-block",
        ),
    ],
)
def test_undefined_variable_names_layout_line_and_article(make_site, layout):
    site = make_site(
        {"content/harbour.md": ARTICLE_A, "layouts/article.html": layout, "content/b.md": ARTICLE_B}
    )
    run = site.digest("build")
    assert run.code == 1
    errors = error_lines(run.err)
    # One error for the layout, naming the first page it broke and how many more.
    assert errors == [
        "layouts/article.html:3: error: undefined variable: Article has no attribute "
        "'subtitle' (while rendering content/b.md and 1 more page)"
    ], run.err
    assert "Traceback" not in run.err
    assert not site.output.exists()


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"layouts/article.html": "<p>\n{% if %}\n"},
            "layouts/article.html:2: error: layout syntax error:",
            id="syntax",
        ),
        pytest.param(
            {"layouts/unused.html": "\n\n{% endfor %}\n"},
            "layouts/unused.html:3: error: layout syntax error:",
            id="syntax-unused",
        ),
        pytest.param(
            {"layouts/article.html": "<h1>{{ article.headline }}</h1>\n\n{{ article.subtitle }}\n"},
            "layouts/article.html:3: error: undefined variable:",
            id="undefined",
        ),
    ],
)
def test_check_reports_layout_errors_and_writes_nothing(make_site, files, expected):
    site = make_site({"content/a.md": ARTICLE_A, **files})
    check = site.digest("check")
    assert check.code == 1
    assert any(line.startswith(expected) for line in error_lines(check.err)), check.err
    assert "Traceback" not in check.err
    assert not site.output.exists()
    assert not (site.root / ".digest").exists()

    build = site.digest("build")
    assert build.code == 1
    assert error_lines(build.err) == error_lines(check.err)


# -- escaping -----------------------------------------------------------------

HOSTILE = "---\n" + "\n".join(
    [
        'headline: "<script>alert(1)</script> & co"',
        "date: 2026-11-24",
        'standfirst: "A <b>bold</b> claim"',
        'author: "<i>Ann</i>"',
        'tags: ["<x>", News]',
        "---",
        "",
        "Plain text.",
        "",
    ]
)
HOSTILE_HEADLINE = "<script>alert(1)</script> & co"
ESCAPED_HEADLINE = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"


def test_front_matter_values_are_escaped_in_every_page(make_site):
    site = make_site({"content/hostile.md": HOSTILE})
    site.build()
    article_page = site.page("2026/11/24/script-alert-1-script-co/")
    index = site.page("")
    tag_page = site.page("tags/x/")
    tags_index = site.page("tags/")

    for name, page in {
        "article": article_page,
        "index": index,
        "tag": tag_page,
        "tags index": tags_index,
    }.items():
        assert "<script>" not in page.source, name
        # The only script is the JSON-LD block, whose JSON escapes < > &.
        for script in page.select("script"):
            assert script.attrs.get("type") == "application/ld+json", name
            assert "<" not in script.text and "\\u003cscript\\u003e" in script.text, name
        assert page.select("b") == [], name
        assert page.select("i") == [], name
        assert page.select("x") == [], name
        assert "&lt;x&gt;" in page.source, name

    for page in (article_page, index, tag_page):
        assert ESCAPED_HEADLINE in page.source
        assert "A &lt;b&gt;bold&lt;/b&gt; claim" in page.source
        assert "&lt;i&gt;Ann&lt;/i&gt;" in page.source

    assert article_page.one("title").text.startswith(HOSTILE_HEADLINE)
    assert article_page.one("h1.headline").text == HOSTILE_HEADLINE
    assert article_page.one("p.standfirst").text == "A <b>bold</b> claim"
    assert article_page.one("span.byline-names").text == "<i>Ann</i>"
    assert article_page.one("meta[name=description]").attrs["content"] == "A <b>bold</b> claim"
    assert index.one("h2.teaser-headline").text == HOSTILE_HEADLINE
    assert tag_page.one("h1.list-title").text == "Articles tagged “<x>”"
    assert tag_page.one("title").text.startswith("<x>")
    assert "<x>" in [a.text for a in tags_index.select("ul.topic-list a")]


BODY_WITH_HTML = article(
    "Notes",
    "2026-11-24",
    'First paragraph.\n\n<aside class="note">hi</aside>\n\nLast paragraph.',
)


def test_raw_html_in_markdown_passes_through_by_default(make_site):
    site = make_site({"content/notes.md": BODY_WITH_HTML})
    site.build()
    page = site.page("2026/11/24/notes/")
    assert page.one("div.article-body aside.note").text == "hi"


def test_raw_html_in_markdown_is_escaped_when_turned_off(make_site):
    site = make_site(
        {"content/notes.md": BODY_WITH_HTML, "site.yaml": "markdown:\n  html: false\n"}
    )
    site.build()
    page = site.page("2026/11/24/notes/")
    assert page.select("aside.note") == []
    assert "&lt;aside" in page.source
    # Shown as text (and, being text now, typeset: its quotes are curly).
    assert "<aside class=\u201cnote\u201d>hi</aside>" in page.one("div.article-body").text


def test_cached_macro_output_is_reused_by_value_and_misuse_is_a_layout_error(make_site):
    """cached(macro, args...) gives what the macro gives; a changed argument
    renders again; anything but a macro first is a clear layout error."""
    layout = (
        "{% macro card(t, n=1) %}<p>{{ t.headline }} #{{ n }}</p>{% endmacro %}"
        "{% for t in paginator.items %}{{ cached(card, t) }}{{ cached(card, t, n=2) }}"
        "{% endfor %}"
    )
    site = make_site(
        {"content/harbour.md": ARTICLE_A, "content/b.md": ARTICLE_B, "layouts/index.html": layout}
    )
    site.build()
    page = (site.output / "index.html").read_text(encoding="utf-8")
    headlines = [t.text for t in Page(page).select("p")]
    assert len(headlines) == 4 and headlines[0].endswith("#1") and headlines[1].endswith("#2")
    assert headlines[0].removesuffix(" #1") == headlines[1].removesuffix(" #2")
    assert headlines[0] != headlines[2]  # another teaser, another rendering

    site.write({"layouts/index.html": "{{ cached('card', 1) }}"})
    run = site.digest("build")
    assert run.code == 1
    assert error_lines(run.err) == [
        "layouts/index.html:1: error: TypeError: cached() takes a macro first, not str "
        "(while rendering the index)"
    ], run.err
