"""The editor's experience of the command line (issue 17): a mistyped command
or option names the right one, layout errors read like content errors and
name the closest known name, a bad --base-url or --output is a usage error
that touches nothing, the base_url warning says where the value came from
and is said once, and ``digest new`` fills in the front matter."""

from __future__ import annotations

import os
import queue
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli import main
from tests.conftest import article, interrupt, serve

REPO = Path(__file__).resolve().parent.parent
EXIT_USAGE = 2

TWO = {
    "content/a.md": article("Harbour reopens", "2026-11-24", "Ships.", tags="[Denmark]"),
    "content/b.md": article("Budget agreed", "2026-11-23", "Agreed.", tags="[Denmark]"),
}
# In every "base_url has no host" warning.
NO_HOST = "has no host, so feeds, sitemaps and canonical links are left out"


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": error: " in line]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def digest(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- 1. a mistyped command or option names the right one -----------------------------


def test_a_mistyped_command_suggests_the_right_one(capsys):
    code, out, err = digest(capsys, "biuld")
    assert code == EXIT_USAGE
    assert out == ""
    assert err.splitlines() == [
        "usage: digest [-h] [--version] COMMAND ...",
        "digest: error: unknown command 'biuld' (did you mean 'build'?)",
    ]


def test_an_unknown_command_lists_the_commands(capsys):
    code, _, err = digest(capsys, "publish")
    assert code == EXIT_USAGE
    assert err.splitlines()[-1] == (
        "digest: error: unknown command 'publish' (choose from build, serve, check, new)"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["build", "--ouput", "x"], "unknown option '--ouput' (did you mean '--output'?)"),
        (["build", "--base_url=/x/"], "unknown option '--base_url' (did you mean '--base-url'?)"),
        (["check", "--drfats"], "unknown option '--drfats' (did you mean '--drafts'?)"),
        (
            ["new", "Hello", "--auther", "Ann"],
            "unknown option '--auther' (did you mean '--author'?)",
        ),
        (["serve", "--base-url", "/x/"], "unknown option '--base-url' (see digest serve --help)"),
    ],
)
def test_a_mistyped_option_suggests_the_right_one(make_site, capsys, args, expected):
    site = make_site(TWO)
    before = snapshot(site.root)
    command, *rest = args
    code, out, err = digest(capsys, command, "--site", str(site.root), *rest)
    assert code == EXIT_USAGE
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"usage: digest {command} [-h] [--site DIR]"), err
    assert lines[-1] == f"digest: error: {expected}"
    assert snapshot(site.root) == before  # nothing built, nothing made


def test_argparse_usage_errors_keep_their_message_and_exit_2(make_site, capsys):
    site = make_site(TWO)
    code, _, err = digest(capsys, "build", "--site", str(site.root), "--jobs", "many")
    assert code == EXIT_USAGE
    assert err.splitlines()[-1] == "digest: error: argument --jobs: invalid int value: 'many'"
    code, _, err = digest(capsys, "build", "--site", str(site.root), "stray")
    assert code == EXIT_USAGE
    assert err.splitlines()[-1] == "digest: error: unrecognized arguments: stray"
    assert not site.output.exists()


def test_a_mistyped_command_in_a_real_process():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "biuld"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == EXIT_USAGE
    assert proc.stderr.endswith("digest: error: unknown command 'biuld' (did you mean 'build'?)\n")


# -- 2. layout errors read like content errors ---------------------------------------


def test_an_unknown_filter_or_test_names_itself_and_the_closest_one(make_site):
    layout = (
        '{% extends "base.html" %}\n'
        "{% block content %}\n"
        "<h1>{{ article.headline|upperr }}</h1>\n"
        "{% if article.tags %}{{ article.headline|zzqx }}{% endif %}\n"  # only an if reaches it
        "{% if article.tags|length is odder %}odd{% endif %}\n"
        "{% endblock %}\n"
    )
    site = make_site({**TWO, "layouts/article.html": layout})
    run = site.digest("build")
    assert run.code == 1
    assert error_lines(run.err) == [
        "layouts/article.html:3: error: no filter named 'upperr' (did you mean 'upper'?)",
        "layouts/article.html:4: error: no filter named 'zzqx'",
        "layouts/article.html:5: error: no test named 'odder' (did you mean 'odd'?)",
    ], run.err
    assert "syntax error" not in run.err and "Traceback" not in run.err
    assert not site.output.exists()


MANY = {
    f"content/a{i:02}.md": article(f"Story {i}", f"2026-11-{i + 1:02}", "Text.") for i in range(12)
}


def test_a_missing_extends_is_reported_once_at_its_tag(make_site):
    layout = '{% extends "bse.html" %}\n{% block content %}{{ article.headline }}{% endblock %}\n'
    site = make_site({**MANY, "layouts/article.html": layout})
    for command in ("build", "check"):
        run = site.digest(command)
        assert run.code == 1, command
        assert error_lines(run.err) == [
            "layouts/article.html:1: error: layout 'bse.html' not found (extends) "
            "(did you mean 'base.html'?)"
        ], run.err
    assert not site.output.exists()


def test_a_missing_include_is_reported_at_its_line_in_an_unused_layout(make_site):
    partial = "<p>one</p>\n\n{% include 'partials/nowhere.html' %}\n"
    ignored = "{% include 'partials/maybe.html' ignore missing %}\n"
    site = make_site(
        {**TWO, "layouts/partials/box.html": partial, "layouts/partials/opt.html": ignored}
    )
    run = site.digest("build")
    assert run.code == 1
    assert error_lines(run.err) == [
        "layouts/partials/box.html:3: error: layout 'partials/nowhere.html' not found "
        "(include) (add it to layouts/ or fix the name)"
    ], run.err


def test_an_unknown_variable_suggests_the_closest_known_one(make_site):
    layout = (
        '{% extends "base.html" %}\n'
        "{% block content %}\n"
        "<h1>{{ artcle.headline }}</h1>\n"
        "{% endblock %}\n"
    )
    site = make_site({**TWO, "layouts/article.html": layout})
    run = site.digest("build")
    assert run.code == 1
    assert error_lines(run.err) == [
        "layouts/article.html:3: error: no variable named 'artcle' "
        "(while rendering content/a.md and 1 more page) (did you mean 'article'?)"
    ], run.err


def test_a_misspelt_loop_variable_or_field_suggests_the_right_one(make_site):
    loop = "<ul>\n{% for tag in article.tags %}\n<li>{{ tga.name }}</li>\n{% endfor %}\n</ul>\n"
    field = "<h1>{{ article.headlin }}</h1>\n"
    site = make_site({**TWO, "layouts/article.html": loop})
    run = site.digest("build")
    assert error_lines(run.err) == [
        "layouts/article.html:3: error: no variable named 'tga' "
        "(while rendering content/a.md and 1 more page) (did you mean 'tag'?)"
    ], run.err
    site.write({"layouts/article.html": field})
    run = site.digest("build")
    assert error_lines(run.err) == [
        "layouts/article.html:1: error: undefined variable: Article has no attribute 'headlin' "
        "(while rendering content/a.md and 1 more page) (did you mean 'headline'?)"
    ], run.err


# -- 3. --base-url must be a URL or an absolute path ---------------------------------


@pytest.mark.parametrize(
    "value", ["foo", "example.com/news/", "ftp://example.com/", "https://", ""]
)
def test_a_base_url_that_is_not_a_url_or_a_path_is_a_usage_error(make_site, value):
    site = make_site(TWO)
    run = site.digest("build", "--base-url", value)
    assert run.code == EXIT_USAGE
    assert run.err == (
        f"digest: error: --base-url {value!r} is not a URL or an absolute path "
        "(write https://example.com/news/ or /news/)\n"
    )
    assert not site.output.exists()
    assert not (site.root / ".digest").exists()


@pytest.mark.parametrize("value", ["/news/", "https://example.com/news/", "http://localhost:8000"])
def test_a_url_or_an_absolute_path_is_taken(make_site, value):
    site = make_site(TWO)
    site.build("--base-url", value)
    assert (site.output / "index.html").is_file()


# -- 4. --output never points at the site's own files --------------------------------


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("site.yaml", "is the site's settings file; choose another"),
        ("content/a.md", "is inside the site's articles (content/); choose another"),
        ("content", "is the site's articles (content/); choose another"),
        ("layouts", "is the site's layouts (layouts/); choose another"),
        ("layouts/static", "is inside the site's layouts (layouts/); choose another"),
        (".", "contains the site itself; choose another"),
        ("notes.txt", "is a file; choose a folder"),
    ],
)
def test_output_on_a_file_of_the_site_is_refused(make_site, target, message):
    site = make_site(
        {
            **TWO,
            "site.yaml": "title: Harbour\n",
            "layouts/static/logo.svg": "<svg/>",
            "notes.txt": "my notes\n",
        }
    )
    before = snapshot(site.root)
    output = site.root / target
    for command in ("build", "serve"):
        run = site.digest(
            command, "--output", str(output), *(["--port", "0"] * (command == "serve"))
        )
        assert run.code == EXIT_USAGE, (command, run.err)
        assert run.err == f"digest: error: the output folder {output} {message}\n"
        assert snapshot(site.root) == before


def test_output_below_a_file_is_refused(make_site, tmp_path):
    site = make_site(TWO)
    (tmp_path / "report.pdf").write_bytes(b"%PDF")
    output = tmp_path / "report.pdf" / "site"
    run = site.digest("build", "--output", str(output))
    assert run.code == EXIT_USAGE
    assert run.err == (
        f"digest: error: the output folder {output} is inside a file "
        f"({tmp_path / 'report.pdf'}); choose a folder\n"
    )
    assert (tmp_path / "report.pdf").read_bytes() == b"%PDF"


# -- 5. the base_url warning: where it came from, said once ---------------------------


def warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": warning: " in line]


def test_the_no_host_warning_names_site_yaml_and_its_line(make_site):
    site = make_site({**TWO, "site.yaml": "title: Harbour\nbase_url: /news/\n"})
    run = site.build()
    assert warnings(run.err) == [
        f"site.yaml:2: warning: base_url: '/news/' {NO_HOST} "
        "(set it to the full address, e.g. https://example.org/news/)"
    ]


def test_the_no_host_warning_names_the_base_url_option(make_site):
    site = make_site({**TWO, "site.yaml": "base_url: /news/\n"})
    run = site.build("--base-url", "/mirror/")
    assert warnings(run.err) == [
        f"--base-url: warning: '/mirror/' {NO_HOST} "
        "(give the full address, e.g. --base-url https://example.org/news/)"
    ]
    assert warnings(site.build("--base-url", "https://example.org/").err) == []


def test_the_no_host_warning_says_the_default_is_used(make_site):
    site = make_site(TWO)
    run = site.build()
    expected = [
        f"site.yaml: warning: base_url: '/' {NO_HOST}; site.yaml does not set it, and '/' is "
        "the default (add base_url: https://example.org/news/ to site.yaml)"
    ]
    assert warnings(run.err) == expected
    assert warnings(site.build().err) == expected  # a build with nothing to do says it too


class Lines:
    """A process's output, line by line, waited for with a deadline."""

    def __init__(self, stream) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._lines.put(line)

    def wait_for(self, prefix: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self._lines.get(timeout=max(0.01, deadline - time.monotonic()))
            if line.startswith(prefix):
                return line


def test_serve_says_the_no_host_warning_once_however_many_rebuilds(make_site):
    site = make_site(TWO)
    proc = serve(site.root)
    try:
        out = Lines(proc.stdout)
        out.wait_for("Serving ")
        for n in range(3):
            site.write({"content/a.md": article("Harbour reopens", "2026-11-24", f"Edit {n}.")})
            out.wait_for("Rebuilt: ")
        _, err = interrupt(proc, timeout=15, stdout_read_elsewhere=True)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert [line for line in err.splitlines() if NO_HOST in line] == [
        f"site.yaml: warning: base_url: '/' {NO_HOST}; site.yaml does not set it, and '/' is "
        "the default (add base_url: https://example.org/news/ to site.yaml)"
    ], err


# -- 6. digest new fills in the front matter -----------------------------------------


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_new_fills_in_every_field_and_prints_the_path(make_site):
    site = make_site({})
    standfirst = 'Ministers say: "it is done" # really'
    run = site.digest(
        "new",
        "Ferry deal: signed",
        "--author",
        "Ann O'Neil",
        "--standfirst",
        standfirst,
        "--section",
        "Business: Shipping",
        "--tags",
        "Ferries, Denmark",
        "--draft",
    )
    assert run.code == 0, run.err
    [path] = (site.root / "content").glob("*.md")
    assert run.out == f"{path}\n"
    front = front_matter(path)
    assert re.fullmatch(r"\d{8}-[0-9a-f]{6}", front["id"])
    assert {k: v for k, v in front.items() if k not in ("date", "id")} == {
        "headline": "Ferry deal: signed",
        "author": "Ann O'Neil",
        "standfirst": standfirst,
        "section": "Business: Shipping",
        "tags": ["Ferries", "Denmark"],
        "draft": True,
    }

    built = site.digest("build", "--drafts")
    assert built.code == 0, built.err
    # The front matter is clean; the body is still new's placeholder.
    assert [w.split(": warning: ", 1)[1] for w in warnings(built.err) if NO_HOST not in w] == [
        "the text 'Write the article here.' from 'digest new' is still here "
        "(write the article in its place)"
    ]
    page = site.page(f"{path.name[:10].replace('-', '/')}/ferry-deal-signed/")
    # As written, with typographic quotes (the front matter keeps the straight ones).
    assert page.one("p.standfirst").text == "Ministers say: \u201cit is done\u201d # really"
    assert page.one("span.byline-names").text == "Ann O'Neil"


def test_new_opens_the_article_in_the_editor_with_edit(make_site, tmp_path, monkeypatch):
    site = make_site({})
    record = tmp_path / "opened"
    monkeypatch.setenv("EDITOR", f"sh -c 'printf %s \"$0\" > {shlex.quote(str(record))}'")
    run = site.digest("new", "Opened at once", "--edit")
    assert run.code == 0, run.err
    [path] = (site.root / "content").glob("*.md")
    assert run.out == f"{path}\n"
    assert record.read_text() == str(path)

    record.unlink()
    assert site.digest("new", "Not opened").code == 0  # without --edit
    assert not record.exists()


def test_new_with_edit_and_no_editor_says_so(make_site, monkeypatch):
    site = make_site({})
    monkeypatch.delenv("EDITOR", raising=False)
    run = site.digest("new", "No editor here", "--edit")
    assert run.code == 0
    assert run.err == "digest: $EDITOR is not set, so the article was not opened\n"
    assert len(list((site.root / "content").glob("*.md"))) == 1


def test_new_reports_an_editor_that_fails(make_site, monkeypatch):
    site = make_site({})
    monkeypatch.setenv("EDITOR", "false")
    run = site.digest("new", "Editor fails", "--edit")
    assert run.code == 1
    assert run.err == "digest: error: the editor 'false' exited with 1\n"
    assert len(list((site.root / "content").glob("*.md"))) == 1  # the article stays


@settings(max_examples=150, deadline=None)
@given(
    author=st.text(max_size=30),
    standfirst=st.text(max_size=60),
    section=st.text(max_size=20),
    tag=st.text(max_size=20).filter(lambda t: "," not in t),
)
def test_new_writes_valid_yaml_whatever_the_text(author, standfirst, section, tag):
    with tempfile.TemporaryDirectory(prefix="cli-new-") as tmp:
        site = Path(tmp)
        # --name=value: argparse takes a value that starts with "-" for an option
        argv = ["new", "--site", tmp, "Any text at all", f"--author={author}"]
        argv += [f"--standfirst={standfirst}", f"--section={section}", f"--tags={tag}"]
        assert main(argv) == 0
        [path] = (site / "content").glob("*.md")
        front = front_matter(path)

    def one_line(text: str) -> str:
        return " ".join(text.split()).encode("utf-8", "replace").decode("utf-8")

    assert front["headline"] == "Any text at all"
    assert front["author"] == one_line(author)
    assert front["standfirst"] == one_line(standfirst)
    assert front.get("section", "") == one_line(section)
    assert front["tags"] == ([one_line(tag)] if tag.strip() else [])
