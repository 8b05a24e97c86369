"""Front matter as editors write it: unquoted text with ': ' in it is read as
the whole line (with a warning that shows the quoted form), impossible dates
say why, every problem of a file is reported at once, and text left from
``digest new`` never goes out by accident."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import yaml

from generator import yamldoc
from generator.cli import main
from tests.conftest import article, png

SITE_YAML = "title: Harbour Times\nbase_url: https://example.org/\n"
GOOD = article("Fine", "2026-11-20")
DATE_HINT = "write it as 2026-11-24, 2026-11-24 09:30 or 2026-11-24T09:30:00+01:00"
QUOTES_HINT = "values containing ': ' or starting with a quote, [ or # need quotes"
# What PyYAML says about a second ': ' on a line: libyaml and the pure-Python
# parser word it differently.
MAPPING_VALUES = "invalid YAML: mapping values are not allowed " + (
    "in this context" if yaml.__with_libyaml__ else "here"
)
NEEDS_QUOTES = "text with ': ' in it needs quotes; read as the whole line"

BUDGET = (
    "---\n"
    "headline: Budget: the numbers behind the deal\n"
    "date: 2026-11-24\n"
    "standfirst: Three parties, one question: who pays?\n"
    'image_credit: Photo: Jane "JD" Doe \\ AP\n'
    "---\n"
    "\n"
    "The deal is done.\n"
)


def lines_of(err: str, kind: str) -> list[str]:
    return [line for line in err.splitlines() if f": {kind}: " in line]


# -- text with ': ' in it ---------------------------------------------------------


def test_unquoted_text_with_a_colon_is_read_whole_with_a_warning(make_site):
    site = make_site({"site.yaml": SITE_YAML, "content/budget.md": BUDGET})
    run = site.build()
    assert lines_of(run.err, "warning") == [
        f"content/budget.md:2: warning: headline: {NEEDS_QUOTES} "
        '(write it as: headline: "Budget: the numbers behind the deal")',
        f"content/budget.md:4: warning: standfirst: {NEEDS_QUOTES} "
        '(write it as: standfirst: "Three parties, one question: who pays?")',
        f"content/budget.md:5: warning: image_credit: {NEEDS_QUOTES} "
        '(write it as: image_credit: "Photo: Jane \\"JD\\" Doe \\\\ AP")',
    ]
    html = (site.output / "2026/11/24/budget-the-numbers-behind-the-deal/index.html").read_text()
    assert '<h1 class="headline">Budget: the numbers behind the deal</h1>' in html
    assert "Three parties, one question: who pays?" in html
    feed = ET.parse(site.output / "feed.xml").getroot()
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    titles = [t.text for t in feed.findall("atom:entry/atom:title", ns)]
    assert titles == ["Budget: the numbers behind the deal"]


def test_the_suggested_fix_reads_as_the_same_text(make_site):
    """The quoted form in the hint is correct YAML for exactly what was read."""
    site = make_site({"site.yaml": SITE_YAML, "content/budget.md": BUDGET})
    run = site.build()
    fixes = [line.split("(write it as: ", 1)[1][:-1] for line in lines_of(run.err, "warning")]
    assert yaml.safe_load("\n".join(fixes)) == {
        "headline": "Budget: the numbers behind the deal",
        "standfirst": "Three parties, one question: who pays?",
        "image_credit": 'Photo: Jane "JD" Doe \\ AP',
    }
    fixed = BUDGET
    for fix in fixes:
        key = fix.split(":", 1)[0]
        start = fixed.index(f"\n{key}: ") + 1
        fixed = fixed[:start] + fix + fixed[fixed.index("\n", start) :]
    site.write({"content/budget.md": fixed})
    again = site.build()
    assert lines_of(again.err, "warning") == []
    assert (
        "Budget: the numbers behind the deal</h1>"
        in (site.output / "2026/11/24/budget-the-numbers-behind-the-deal/index.html").read_text()
    )


def test_lines_keep_their_numbers_after_a_repair(make_site):
    source = "---\nheadline: Budget: the numbers\ntags: [a]\ndate: 2026-11-31\n---\nText.\n"
    site = make_site({"site.yaml": SITE_YAML, "content/good.md": GOOD, "content/bad.md": source})
    run = site.digest("build")
    assert run.code == 1
    assert lines_of(run.err, "error") == [
        f"content/bad.md:4: error: date: November 2026 has 30 days, not 31 ({DATE_HINT})",
    ]
    assert lines_of(run.err, "warning") == [
        f"content/bad.md:2: warning: headline: {NEEDS_QUOTES} "
        '(write it as: headline: "Budget: the numbers")',
    ]


@pytest.mark.parametrize(
    ("front", "line"),
    [
        pytest.param("headline: Hi\ndate: 2026-11-24\ntags: politics: budget", 4, id="tags"),
        pytest.param("headline: Hi\ndate: 2026-11-24: 09", 3, id="date"),
        pytest.param("headline: Hi\ndraft: no: yes\ndate: 2026-11-24", 3, id="draft"),
        pytest.param('headline: "Budget": the numbers\ndate: 2026-11-24', 2, id="quoted"),
        pytest.param("headline: -5%: the cut\ndate: 2026-11-24", 2, id="dash"),
        pytest.param("headline: Budget\n  more: words\ndate: 2026-11-24", 3, id="indented"),
        pytest.param("headline: Budget: the\n  numbers\ndate: 2026-11-24", 2, id="two-lines"),
        pytest.param("headline: Hi\ndate: 2026-11-24\nextra:\n  note: a: b", 5, id="nested"),
    ],
)
def test_other_yaml_it_cannot_read_stays_an_error(make_site, front, line):
    site = make_site(
        {
            "site.yaml": SITE_YAML,
            "content/good.md": GOOD,
            "content/bad.md": f"---\n{front}\n---\nText.\n",
        }
    )
    run = site.digest("build")
    assert run.code == 1
    assert lines_of(run.err, "error") == [
        f"content/bad.md:{line}: error: {MAPPING_VALUES} ({QUOTES_HINT})"
    ]
    assert lines_of(run.err, "warning") == []
    assert not site.output.exists()


def test_an_unclosed_bracket_stays_an_error_after_a_repair(make_site):
    source = "---\nheadline: Budget: the numbers\ndate: 2026-11-24\ntags: [a, b\n---\nText.\n"
    site = make_site({"site.yaml": SITE_YAML, "content/good.md": GOOD, "content/bad.md": source})
    run = site.digest("build")
    assert run.code == 1
    flow = (
        "did not find expected ',' or ']'"
        if yaml.__with_libyaml__
        else "expected ',' or ']', but got '<stream end>'"
    )
    assert lines_of(run.err, "error") == [
        f"content/bad.md:4: error: invalid YAML: while parsing a flow sequence: {flow} "
        f"({QUOTES_HINT})"
    ]
    assert lines_of(run.err, "warning") == [
        f"content/bad.md:2: warning: headline: {NEEDS_QUOTES} "
        '(write it as: headline: "Budget: the numbers")',
    ]


def test_repairs_stop_after_twenty_lines(make_site):
    extra = "".join(f"note{i}: Note: {i}\n" for i in range(21))
    source = f"---\nheadline: Hi\ndate: 2026-11-24\n{extra}---\nText.\n"
    site = make_site({"site.yaml": SITE_YAML, "content/good.md": GOOD, "content/bad.md": source})
    run = site.digest("build")
    assert run.code == 1
    assert len(lines_of(run.err, "warning")) == yamldoc.MAX_REPAIRS == 20
    assert lines_of(run.err, "error") == [
        f"content/bad.md:24: error: {MAPPING_VALUES} ({QUOTES_HINT})"
    ]


@pytest.mark.parametrize("loader", [yaml.SafeLoader, getattr(yaml, "CSafeLoader", None)])
def test_both_yaml_parsers_errors_are_recognised(loader):
    """libyaml says "... in this context", the pure-Python parser "... here":
    the repair knows both."""
    if loader is None:
        pytest.skip("PyYAML was built without libyaml")
    text = "date: 2026-11-24\nheadline: Budget: the numbers"
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        yaml.load(text, Loader=loader)
    problem = caught.value.problem
    assert problem in (
        "mapping values are not allowed here",
        "mapping values are not allowed in this context",
    )
    assert caught.value.problem_mark is not None
    assert caught.value.problem_mark.line == 1
    repair = yamldoc._repair(text, caught.value, lambda key: key == "headline")
    assert repair == yamldoc.Repair("headline", 1, 'headline: "Budget: the numbers"')


def test_site_yaml_title_with_a_colon_is_read_whole(make_site):
    site = make_site(
        {
            "site.yaml": "title: Harbour Times: the news\nbase_url: https://example.org/\n",
            "content/a.md": GOOD,
        }
    )
    run = site.build()
    assert lines_of(run.err, "warning") == [
        f"site.yaml:1: warning: title: {NEEDS_QUOTES} "
        '(write it as: title: "Harbour Times: the news")',
    ]
    assert site.page("").one("title").text == "Harbour Times: the news"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("timezone: Europe: Copenhagen\n", MAPPING_VALUES, id="not-text"),
        pytest.param("title: [Harbour\n", "invalid YAML: while parsing a flow", id="flow"),
    ],
)
def test_site_yaml_errors_get_the_quoting_hint(make_site, text, message):
    site = make_site({"site.yaml": text, "content/a.md": GOOD})
    run = site.digest("build")
    assert run.code == 1
    (line,) = lines_of(run.err, "error")
    assert line.startswith(f"site.yaml:1: error: {message}")
    assert line.endswith(f" ({QUOTES_HINT})")


# -- impossible dates -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "2026-11-31", "November 2026 has 30 days, not 31"),
        ("date", "2026-11-31 09:30", "November 2026 has 30 days, not 31"),
        ("date", "2026-11-31T09:30:00+01:00", "November 2026 has 30 days, not 31"),
        ("date", "2027-02-29", "February 2027 has 28 days, not 29"),
        ("date", "2026-13-01", "there is no month 13; months go from 01 to 12"),
        ("date", "2026-00-10", "there is no month 0; months go from 01 to 12"),
        ("date", "2026-11-00", "there is no day 0; days start at 01"),
        ("date", "'2026-04-31'", "April 2026 has 30 days, not 31"),
        ("updated", "2026-11-31 09:30", "November 2026 has 30 days, not 31"),
    ],
)
def test_an_impossible_date_says_why(make_site, field, value, message):
    dates = f"date: {value}\n" if field == "date" else f"date: 2026-11-24\nupdated: {value}\n"
    source = f"---\nheadline: Hi\n{dates}---\nText.\n"
    site = make_site({"site.yaml": SITE_YAML, "content/good.md": GOOD, "content/bad.md": source})
    run = site.digest("build")
    assert run.code == 1
    line = 3 if field == "date" else 4
    assert lines_of(run.err, "error") == [
        f"content/bad.md:{line}: error: {field}: {message} ({DATE_HINT})"
    ]


def test_february_29_of_a_leap_year_is_a_date(make_site):
    site = make_site({"content/a.md": article("Leap day", "2028-02-29")})
    site.build("--now", "2028-03-01")  # published by then
    assert (site.output / "2028/02/29/leap-day/index.html").is_file()


# -- every problem at once --------------------------------------------------------


BROKEN_LINKS = "See [the plan](nope.md), [the vote](good.md) and ![a map](img/map.png).\n"


@pytest.mark.parametrize(
    ("front", "problem"),
    [
        pytest.param(
            "headline: [Budget\ndate: 2026-11-24",
            "content/bad.md:2: error: invalid YAML: while parsing a flow sequence: "
            + (
                "did not find expected ',' or ']'"
                if yaml.__with_libyaml__
                else "expected ',' or ']', but got '<stream end>'"
            )
            + f" ({QUOTES_HINT})",
            id="yaml",
        ),
        pytest.param(
            "headline: Budget\ndate: 2026-11-31",
            f"content/bad.md:3: error: date: November 2026 has 30 days, not 31 ({DATE_HINT})",
            id="field",
        ),
    ],
)
def test_a_front_matter_error_does_not_hide_broken_links(make_site, front, problem):
    source = f"---\n{front}\n---\n\nIntro.\n\n{BROKEN_LINKS}"
    site = make_site({"site.yaml": SITE_YAML, "content/good.md": GOOD, "content/bad.md": source})
    run = site.digest("build")
    assert run.code == 1
    expected = [
        problem,
        "content/bad.md:8: error: image 'img/map.png': content/img/map.png does not exist "
        "(put the file under content/ or fix the path)",
        "content/bad.md:8: error: link 'nope.md': content/nope.md does not exist "
        "(check the file name, or build with --drafts)",
    ]
    assert lines_of(run.err, "error") == expected
    assert "Build failed: 3 errors;" in run.err
    # The same from the parse cache, and under digest check.
    assert lines_of(site.digest("build").err, "error") == expected
    check = site.digest("check")
    assert check.code == 1
    assert lines_of(check.err, "error") == expected
    # Fixing what the links point at leaves the front matter's error alone.
    site.write({"content/nope.md": article("The plan", "2026-11-21"), "content/img/map.png": png()})
    assert lines_of(site.digest("build").err, "error") == [problem]


def test_a_broken_lead_image_of_a_file_with_errors_is_reported(make_site):
    source = "---\nheadline: Hi\ndate: someday\nimage: pics/lead.jpg\n---\nText.\n"
    site = make_site({"site.yaml": SITE_YAML, "content/good.md": GOOD, "content/bad.md": source})
    run = site.digest("build")
    assert lines_of(run.err, "error") == [
        f"content/bad.md:3: error: date: cannot read 'someday' as a date ({DATE_HINT})",
        "content/bad.md:4: error: image 'pics/lead.jpg': content/pics/lead.jpg does not exist "
        "(put the file under content/ or fix the path)",
    ]


def test_a_draft_left_out_is_not_checked_further(make_site):
    """A draft left out is not checked further: its problems only warn."""
    source = "---\nheadline: Hi\ndate: someday\ndraft: true\n---\nSee [x](nope.md).\n"
    site = make_site({"site.yaml": SITE_YAML, "content/good.md": GOOD, "content/wip.md": source})
    run = site.build()
    assert lines_of(run.err, "error") == []
    assert lines_of(run.err, "warning") == [
        "content/wip.md:3: warning: date: cannot read 'someday' as a date "
        f"(in a draft, not published) ({DATE_HINT})",
    ]


# -- text left from digest new ----------------------------------------------------


def new_article(site, *args: str) -> str:
    code = main(["new", "--site", str(site.root), *args])
    assert code == 0
    (path,) = (site.root / "content").glob("2*.md")
    return path.relative_to(site.root).as_posix()


def test_text_left_from_digest_new_warns_on_build_and_fails_check(make_site):
    site = make_site({"site.yaml": SITE_YAML, "content/good.md": GOOD})
    rel = new_article(site, "Budget: the numbers")
    placeholders = [
        f"{rel}:5: {{}}: standfirst: is empty (write the standfirst, or delete the line)",
        f"{rel}:10: {{}}: the text 'Write the article here.' from 'digest new' is still here "
        "(write the article in its place)",
    ]
    build = site.digest("build")
    assert build.code == 0
    assert lines_of(build.err, "warning") == [p.format("warning") for p in placeholders]
    assert build.out.startswith("Built 2 articles")

    check = site.digest("check")
    assert check.code == 1
    assert lines_of(check.err, "error") == [p.format("error") for p in placeholders]
    assert check.err.endswith("2 errors, 0 warnings\n")

    # Written, the article passes the check.
    path = site.root / rel
    text = path.read_text(encoding="utf-8")
    text = text.replace('standfirst: ""', "standfirst: Who pays what.")
    path.write_text(text.replace("Write the article here.", "The deal is done."))
    assert site.digest("check").code == 0


def test_a_new_draft_does_not_fail_check(make_site):
    site = make_site({"site.yaml": SITE_YAML, "content/good.md": GOOD})
    rel = new_article(site, "Budget: the numbers", "--draft")
    check = site.digest("check")
    assert check.code == 0, check.err
    assert lines_of(check.err, "warning") == [
        f"{rel}:5: warning: standfirst: is empty (in a draft, not published) "
        "(write the standfirst, or delete the line)",
        f"{rel}:11: warning: the text 'Write the article here.' from 'digest new' is still "
        "here (in a draft, not published) (write the article in its place)",
    ]
