"""Bad input: every problem in one run, as path:line: message (fix), exit 1,
and nothing written."""

from __future__ import annotations

import pytest

from tests.conftest import article

GOOD = article("Fine", "2026-11-20")


def errors_of(run_err: str) -> list[str]:
    return [line for line in run_err.splitlines() if ": error: " in line]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "---\nheadline: Hi\ntags: a: b\ndate: 2026-11-24\n---\nText\n",
            "content/bad.md:3: error: invalid YAML",
            id="yaml-syntax-with-line",
        ),
        pytest.param(
            "---\ndate: 2026-11-24\ntags: [a]\n---\nText\n",
            "content/bad.md:1: error: headline: missing (add 'headline: ...'",
            id="missing-headline",
        ),
        pytest.param(
            "---\nheadline: '  '\ndate: 2026-11-24\n---\nText\n",
            "content/bad.md:2: error: headline: is empty",
            id="empty-headline",
        ),
        pytest.param(
            "---\nheadline: Hi\ndate: 24/11/2026\n---\nText\n",
            "content/bad.md:3: error: date: cannot read '24/11/2026' as a date (write it as",
            id="unparseable-date",
        ),
        pytest.param(
            "---\nheadline: Hi\ndate: 2026-13-45\n---\nText\n",
            "content/bad.md:3: error: date: there is no month 13; months go from 01 to 12 (write",
            id="impossible-date",
        ),
        pytest.param(
            "---\nheadline: Hi\n---\nText\n",
            "content/bad.md:1: error: date: missing",
            id="missing-date",
        ),
        pytest.param(
            "---\nheadline: Hi\ndate: 2026-11-24\ntags:\n  politics: yes\n---\nText\n",
            "content/bad.md:4: error: tags: expected a list of tags, got a mapping",
            id="tags-mapping",
        ),
        pytest.param(
            "---\nheadline: Hi\ndate: 2026-11-24\ntags: [a, [b, c]]\n---\nText\n",
            "content/bad.md:4: error: tags: item 2 is a list, not a tag name",
            id="tags-nested-list",
        ),
        pytest.param(
            "headline: Hi\ndate: 2026-11-24\n\nText\n",
            "content/bad.md:1: error: no front matter (start the file with a line '---'",
            id="no-front-matter",
        ),
        pytest.param(
            "---\nheadline: Hi\ndate: 2026-11-24\n\nText without a closing line\n",
            "content/bad.md:1: error: the front matter opened on line 1 is never closed",
            id="unclosed-front-matter",
        ),
        pytest.param(
            "---\nheadline: Hi\ndate: 2026-11-24\ndraft: maybe\n---\nText\n",
            "content/bad.md:4: error: draft: expected true or false, got 'maybe'",
            id="draft-not-bool",
        ),
        pytest.param(
            "---\nheadline: Hi\ndate: 2026-11-24\nimage: 'javascript:alert(1)'\n---\nText\n",
            "content/bad.md:4: error: image: 'javascript:alert(1)' is not an http(s) URL",
            id="image-script-url",
        ),
    ],
)
def test_each_error_names_file_line_and_fix(make_site, source, expected):
    site = make_site({"content/good.md": GOOD, "content/bad.md": source})
    run = site.digest("build")
    assert run.code == 1
    assert any(line.startswith(expected) for line in errors_of(run.err)), run.err
    assert "Traceback" not in run.err
    assert not site.output.exists()


def test_file_that_is_not_utf8_names_the_line(make_site):
    data = "---\nheadline: Hi\ndate: 2026-11-24\n---\n\nCaf\xe9 au lait\n".encode("latin-1")
    site = make_site({"content/latin.md": data})
    run = site.digest("build")
    assert run.code == 1
    assert "content/latin.md:6: error: the file is not UTF-8 text (save it with UTF-8" in run.err


def test_all_errors_of_all_files_in_one_run(make_site):
    site = make_site(
        {
            "content/a.md": "---\nheadline: A\ndate: nope\n---\n",
            "content/b.md": "---\ndate: 2026-11-24\n---\n",
            "content/sub/c.md": "no front matter\n",
            "content/d.md": GOOD,
        }
    )
    run = site.digest("check")
    assert run.code == 1
    lines = errors_of(run.err)
    assert [line.split(":")[0] for line in lines] == [
        "content/a.md",
        "content/b.md",
        "content/sub/c.md",
    ]
    assert "3 errors" in run.err


def test_two_articles_on_one_url_name_both_files(make_site):
    site = make_site(
        {
            "content/one.md": article("Same headline", "2026-11-24"),
            "content/two.md": article("Same  Headline!", "2026-11-24"),
        }
    )
    run = site.digest("build")
    assert run.code == 1
    assert (
        "content/one.md:2: error: the URL /2026/11/24/same-headline/ is also the URL of "
        "content/two.md (give one of them a different 'slug:')" in run.err
    )
    assert "content/two.md:2: error: the URL /2026/11/24/same-headline/ is also the URL of "
    assert "content/one.md" in run.err


def test_broken_relative_link_is_an_error_with_its_line(make_site):
    body = "Intro.\n\nSee [the other](missing.md) and ![map](img/map.png).\n"
    site = make_site({"content/a.md": article("A", body=body)})
    run = site.digest("build")
    assert run.code == 1
    assert "content/a.md:8: error: link 'missing.md': content/missing.md does not exist" in run.err
    assert "content/a.md:8: error: image 'img/map.png': content/img/map.png does not exist" in (
        run.err
    )


def test_errors_in_a_draft_are_warnings_unless_drafts_are_built(make_site):
    site = make_site(
        {
            "content/good.md": GOOD,
            "content/wip.md": "---\nheadline: Work in progress\ndate: soon\ndraft: true\n---\n",
        }
    )
    run = site.digest("build")
    assert run.code == 0, run.err
    assert "content/wip.md:3: warning: date: cannot read 'soon'" in run.err
    assert "(in a draft, not published)" in run.err
    assert site.digest("build", "--drafts").code == 1


def test_unknown_field_close_to_a_known_one_is_a_warning(make_site):
    site = make_site({"content/a.md": article("A", headlin="typo", tag="x")})
    run = site.digest("build")
    assert run.code == 0
    assert "content/a.md:4: warning: unknown field 'headlin' (did you mean 'headline'?)" in run.err
    assert "content/a.md:5: warning: unknown field 'tag' (did you mean 'tags'?)" in run.err


def test_bad_site_yaml_is_reported_with_its_line(make_site):
    site = make_site(
        {
            "content/a.md": GOOD,
            "site.yaml": "title: News\nper_page: lots\ntimezone: Mars/Olympus\ntitel: x\n",
        }
    )
    run = site.digest("build")
    assert run.code == 1
    assert "site.yaml:2: error: per_page: expected a whole number of at least 1" in run.err
    assert "site.yaml:3: error: timezone: unknown time zone 'Mars/Olympus'" in run.err
    assert "site.yaml:4: warning: unknown setting 'titel' (did you mean 'title'?)" in run.err


def test_usage_errors_exit_2(make_site, tmp_path):
    site = make_site({"content/a.md": GOOD})
    assert site.digest("build", "--no-such-flag").code == 2
    from generator.cli import main

    assert main(["build", "--site", str(tmp_path / "missing")]) == 2
    assert main([]) == 2
