"""Incremental builds equal clean builds, whatever the sequence of changes.

Hypothesis drives random sequences of changes to a small site: article
edits (body, headline, standfirst, tags, date, slug), creates, deletes,
a date after the build time (scheduled) and an expiry,
renames, drafts, links between articles and to images, lead images, an
article's lang, text with straight quotes and dashes for typography to set,
assets added, edited and deleted, layout edits (the footer, and the tag links
the teasers show, whose rendering the macro cache keeps), site.yaml edits (base_url, the
site's language and typography on or off among them, and its sections:
and nav:), an article's section (by its field or its folder), bylines and
featured flag, author profiles added, edited and removed,
the clock moving forward (and set back), saves that only touch a file, and same-size edits
with the modification time put back; corrections and aliases added and
removed, ids given (the URL record that ``digest build`` keeps follows
slugs, dates and renames; a line of it deleted by hand). After each step, the preview's rebuild
(given the watcher's batch, sometimes with an event too many or one
missing) and ``digest build`` with its state on disk must each leave their
output byte-identical to a clean build into an empty folder, with no stale
file, and report the same problems. Every example runs with some of the
shortcuts (``BuildOptions.shortcuts``), all, or none, and with few or many outputs
changing in place or through a staging folder.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import posixpath
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pipeline
from generator.incremental.shortcuts import SHORTCUTS
from generator.incremental.state import State
from generator.preview import Preview, PreviewOptions
from generator.preview.watch import ChangeBatch
from tests.conftest import article, own_renderer

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
TAGS = ["Politics", "Economy", "Culture", "middle east", "Middle East"]
WORDS = ["harbour", "budget", "ferry", "vote", "museum", "wind", "grid", "court"]
BASES = ["https://example.org/", "https://example.org/news/", "/local/"]
# Text with straight quotes and dashes, for typography to set (or not).
SAYINGS = ['"Yes" -- said', "it's 'done'...", "2026--2027", "plain"]
LANGUAGES = ["en", "de", "fr"]
# sections: and nav: in site.yaml (0: none, as a site without sections)
SECTION_SETS = [
    "",
    "sections:\n  politics: Politics\n  economy: Economy\nnav:\n  - {label: About, url: /about/}\n",
    "sections:\n  economy: {name: Business & Economy, description: Money.}\n  culture: Culture\n",
]
# section: in an article ("polit" is a typo, an error until mended)
SECTIONS = [None, "politics", "economy", "culture", "polit"]
BYLINES = [None, "Ida Lund", "ida  LUND", "Ole Berg", "[Ida Lund, Ole Berg]"]
PROFILES = ["ida-lund", "ole-berg", "nobody"]


class Site:
    """A small site on disk and what its files say."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.articles: dict[int, dict[str, object]] = {}
        self.assets: dict[int, str] = {}
        self.next_id = 0
        self.now = NOW
        self.changed: set[str] = set()
        (root / "content").mkdir(parents=True)
        self.settings: dict[str, object] = {
            "title": "Digest",
            "per_page": 2,
            "base": BASES[0],
            "language": "en",
            "typography": True,
            "sections": 1,
            "search": False,  # on in some examples (an index costs each build ~0.1 s)
        }
        self.config(**self.settings)  # type: ignore[arg-type]
        for k in range(2):
            self.asset(k, "blue")
        self.photo(0, "blue")
        for _ in range(5):
            self.create(
                day=20 + self.next_id % 5, tags=TAGS[self.next_id % 3 : self.next_id % 3 + 2]
            )
        self.changed = set()

    # -- files ---------------------------------------------------------------

    def write(self, rel: str, text: str | None) -> None:
        path = self.root / rel
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        self.changed.add(rel)

    def config(
        self,
        *,
        title: str,
        per_page: int,
        base: str,
        language: str,
        typography: bool,
        sections: int,
        search: bool,
    ) -> None:
        self.write(
            "site.yaml",
            f"title: {title}\nbase_url: {base}\nper_page: {per_page}\n"
            f"language: {language}\ntypography: {str(typography).lower()}\n"
            f"search: {str(search).lower()}\n"
            + "images:\n  widths: [24, 48]\n"
            + SECTION_SETS[sections],
        )

    def profile(self, k: int, role: str | None) -> None:
        """content/authors/<slug>.md: a profile (None: none)."""
        slug = PROFILES[k]
        text = None
        if role is not None:
            name = slug.replace("-", " ").title()
            text = (
                f"---\nname: {name}\nrole: {role}\nlinks: [https://social.example/@{slug}]\n"
                f"---\n\n{name} writes about {role}.\n"
            )
        self.write(f"content/authors/{slug}.md", text)

    def asset(self, k: int, colour: str | None) -> None:
        rel = f"content/img/pic{k}.svg"
        if colour is None:
            self.assets.pop(k, None)
        else:
            self.assets[k] = colour
        svg = f"<svg xmlns='http://www.w3.org/2000/svg'><rect fill='{colour}'/></svg>"
        self.write(rel, None if colour is None else svg)

    def photo(self, k: int, colour: str | None) -> None:
        """A camera JPEG (EXIF, GPS, turned sideways), processed into variants."""
        rel = f"content/img/photo{k}.jpg"
        path = self.root / rel
        if colour is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(photo_bytes(colour))
        self.changed.add(rel)

    def rel(self, n: int) -> str:
        return str(self.articles[n]["rel"])

    def render(self, n: int) -> None:
        a = self.articles[n]
        here = posixpath.dirname(self.rel(n))
        body = str(a["body"])
        link = a.get("link")
        if isinstance(link, int) and link in self.articles:
            target = posixpath.relpath(self.rel(link), here)
            body += f"\n\nAs [we reported]({target})."
        elif isinstance(link, str):  # an image in the body
            body += f"\n\n![A picture]({posixpath.relpath('content/' + link, here)})"
        fields = {
            "tags": "[" + ", ".join(map(str, a["tags"])) + "]",  # type: ignore[call-overload]
            "standfirst": str(a["dek"]),
        }
        if a.get("slug"):
            fields["slug"] = str(a["slug"])
        if a.get("draft"):
            fields["draft"] = "true"
        if a.get("lang"):
            fields["lang"] = str(a["lang"])
        if a.get("image"):
            fields["image"] = posixpath.relpath("content/" + str(a["image"]), here)
        if a.get("correction"):
            day = int(a["day"]) + 1  # type: ignore[call-overload]
            text = json.dumps(a["correction"])
            fields["corrections"] = f"\n  - date: 2026-11-{day:02d}\n    text: {text}"
        if a.get("alias"):
            fields["aliases"] = f'["/old/{a["alias"]}/"]'
        if a.get("id"):
            fields["id"] = str(a["id"])
        if a.get("section"):
            fields["section"] = str(a["section"])
        if a.get("author"):
            fields["author"] = str(a["author"])
        if a.get("featured"):
            fields["featured"] = "true"
        if a.get("focus"):
            fields["image_focus"] = str(a["focus"])
        date = f"2026-11-{int(a['day']):02d}T{8 + n % 10:02d}:00:00+01:00"  # type: ignore[call-overload]
        if a.get("at"):  # scheduled: a time of its own, maybe after the build time
            date = str(a["at"])
        if a.get("expires"):  # hours after its date
            hours = dt.timedelta(hours=int(a["expires"]))  # type: ignore[call-overload]
            fields["expires"] = (dt.datetime.fromisoformat(date) + hours).isoformat()
        self.write(self.rel(n), article(str(a["headline"]), date, body, **fields))

    def create(self, day: int, tags: list[str]) -> None:
        n = self.next_id
        self.next_id += 1
        self.articles[n] = {
            "rel": f"content/s{n}.md",
            "headline": f"Story {n} about {WORDS[n % len(WORDS)]}",
            "day": day,
            "tags": tags,
            "body": f"First paragraph of {n}.\n\nSecond paragraph.",
            "dek": f"Dek {n}.",
            "slug": f"story-{n}",
            "author": BYLINES[1 + n % 3],
        }
        self.render(n)

    def pick(self, index: int) -> int | None:
        keys = sorted(self.articles)
        return keys[index % len(keys)] if keys else None


# Front matter that once broke a promise (issue 12), each an error now: an
# alias inside itself, an alias bomb, a NUL byte, the calendar's end, 60 tags.
HOSTILE = [
    "loop: &l [*l]",
    "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\na1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0,"
    " *a0, *a0]\na2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]\n"
    "a3: [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]",
    "extra: a\x00b",
    "updated: 9999-12-31 23:59",
    "tags: [" + ", ".join(f"t{i}" for i in range(60)) + "]",
]
# Edits that keep every article's place (the preview's quickest path) ...
text_ops = st.one_of(
    st.tuples(st.just("body"), st.integers(0, 20), st.sampled_from(WORDS + SAYINGS)),
    st.tuples(st.just("same-size"), st.integers(0, 20), st.sampled_from(WORDS)),
    st.tuples(st.just("headline"), st.integers(0, 20), st.sampled_from(WORDS + SAYINGS)),
    st.tuples(st.just("dek"), st.integers(0, 20), st.sampled_from(WORDS + SAYINGS)),
    st.tuples(st.just("lang"), st.integers(0, 20), st.sampled_from([None, *LANGUAGES])),
    st.tuples(st.just("link"), st.integers(0, 20), st.integers(-3, 20)),
    st.tuples(st.just("image"), st.integers(0, 20), st.integers(-1, 4)),
    st.tuples(st.just("focus"), st.integers(0, 20), st.sampled_from([None, "0,0", "0.7,0.3"])),
    st.tuples(st.just("touch"), st.integers(0, 20), st.none()),
    st.tuples(st.just("broken"), st.integers(0, 20), st.booleans()),  # False: mended
    st.tuples(st.just("hostile"), st.integers(0, 20), st.sampled_from(HOSTILE)),
    st.tuples(st.just("correction"), st.integers(0, 20), st.sampled_from([None, *SAYINGS])),
)
# ... and the ones that move articles, add them or take them away ...
structure_ops = st.one_of(
    st.tuples(st.just("tags"), st.integers(0, 20), st.lists(st.sampled_from(TAGS), max_size=3)),
    st.tuples(st.just("date"), st.integers(0, 20), st.integers(18, 24)),
    st.tuples(st.just("slug"), st.integers(0, 20), st.sampled_from([None, *WORDS[:3]])),
    st.tuples(st.just("draft"), st.integers(0, 20), st.booleans()),
    st.tuples(st.just("delete"), st.integers(0, 20), st.none()),
    st.tuples(st.just("rename"), st.integers(0, 20), st.none()),
    st.tuples(st.just("create"), st.integers(18, 24), st.lists(st.sampled_from(TAGS), max_size=2)),
    # a date after the build time (hours ahead of it), or an expiry (hours
    # after the article's date; None: none): the clock moving forward
    # ("time") publishes and withdraws them
    st.tuples(st.just("schedule"), st.integers(0, 20), st.integers(1, 72)),
    st.tuples(st.just("expires"), st.integers(0, 20), st.sampled_from([None, 1, 30, 70])),
    st.tuples(st.just("alias"), st.integers(0, 20), st.sampled_from([None, *WORDS[:3]])),
    st.tuples(st.just("id"), st.integers(0, 20), st.booleans()),
    st.tuples(st.just("section"), st.integers(0, 20), st.sampled_from(SECTIONS)),
    st.tuples(
        st.just("folder"), st.integers(0, 20), st.sampled_from(["", "politics/", "culture/"])
    ),
    st.tuples(st.just("author"), st.integers(0, 20), st.sampled_from(BYLINES)),
    st.tuples(st.just("featured"), st.integers(0, 20), st.booleans()),
)
# ... and the ones around the articles.
site_ops = st.one_of(
    st.tuples(st.just("asset"), st.integers(0, 2), st.sampled_from([None, "red", "green"])),
    st.tuples(st.just("photo"), st.integers(0, 1), st.sampled_from([None, "red", "green"])),
    st.tuples(st.just("layout"), st.integers(0, 2), st.sampled_from(WORDS)),
    # a partial the teasers reach (their rendering is kept across layout edits)
    st.tuples(st.just("tag-links"), st.integers(0, 2), st.sampled_from(WORDS)),
    st.tuples(st.just("config"), st.integers(1, 3), st.integers(0, len(BASES) - 1)),
    # the site's language and typography on or off: a reparse of every article
    st.tuples(st.just("typography"), st.sampled_from(LANGUAGES), st.booleans()),
    # the search index on or off (on: made again when an article changes)
    st.tuples(st.just("search"), st.booleans(), st.none()),
    st.tuples(st.just("time"), st.integers(1, 60), st.none()),  # hours
    st.tuples(st.just("forget"), st.integers(0, 20), st.none()),  # a URL let go by hand
    st.tuples(st.just("sections"), st.integers(0, len(SECTION_SETS) - 1), st.none()),
    st.tuples(st.just("profile"), st.integers(0, 2), st.sampled_from([None, "courts", "ports"])),
    st.tuples(st.just("time"), st.integers(-12, -1), st.none()),  # set back, as --now can
)
operations = st.one_of(text_ops, text_ops, structure_ops, site_ops)


def photo_bytes(colour: str) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0)}  # GPS
    out = io.BytesIO()
    Image.new("RGB", (60, 40), colour).save(out, "JPEG", exif=exif)
    return out.getvalue()


TAG_LINKS = """{%- macro tag_links(tags) -%}
{%- if tags %}<p class="tags">WORD:{% for tag in tags %} <a href="{{ tag.url }}">{{ tag.name }}</a>
{%- endfor %}</p>{% endif %}
{%- endmacro %}
"""


def apply(site: Site, op: tuple[str, object, object]) -> None:
    kind, a, b = op
    if kind == "create":
        site.create(day=int(a), tags=list(b))  # type: ignore[call-overload]
        return
    if kind == "asset":
        site.asset(int(a), b)  # type: ignore[call-overload, arg-type]
        return
    if kind == "photo":  # added, its bytes replaced, deleted
        site.photo(int(a), b)  # type: ignore[call-overload, arg-type]
        return
    if kind == "layout":
        text = None if a == 0 else f"<footer><p>{b} {a}</p></footer>"
        site.write("layouts/partials/footer.html", text)
        return
    if kind == "tag-links":
        text = None if a == 0 else TAG_LINKS.replace("WORD", f"{b} {a}")
        site.write("layouts/partials/tags.html", text)
        return
    if kind == "config":
        # The title's first letter is the favicon's: it changes with the title.
        site.settings.update(title=f"{a} Digest", per_page=int(a), base=BASES[int(b)])  # type: ignore[call-overload]
        site.config(**site.settings)  # type: ignore[arg-type]
        return
    if kind == "typography":
        site.settings.update(language=a, typography=b)
        site.config(**site.settings)  # type: ignore[arg-type]
        return
    if kind == "search":
        site.settings.update(search=a)
        site.config(**site.settings)  # type: ignore[arg-type]
        return
    if kind == "time":
        site.now += dt.timedelta(hours=int(a))  # type: ignore[call-overload]
        return
    if kind == "forget":  # the editor deletes a line of the URL record
        record = site.root / "published-urls.txt"
        if record.exists():
            lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
            urls = [i for i, line in enumerate(lines) if line.startswith("/")]
            if urls:
                del lines[urls[int(a) % len(urls)]]  # type: ignore[call-overload]
                site.write("published-urls.txt", "".join(lines))
    if kind == "sections":
        site.settings.update(sections=a)
        site.config(**site.settings)  # type: ignore[arg-type]
        return
    if kind == "profile":
        site.profile(int(a), b)  # type: ignore[call-overload, arg-type]
        return
    n = site.pick(int(a))  # type: ignore[call-overload]
    if n is None:
        return
    entry = site.articles[n]
    path = site.root / site.rel(n)
    if kind == "touch":  # the same bytes, saved again
        later = path.stat().st_mtime_ns + 1_000_000_000
        os.utime(path, ns=(later, later))
        site.changed.add(site.rel(n))
        return
    if kind == "broken" and b:  # front matter an editor is still typing: an error
        site.render(n)  # its links are checked all the same
        text = path.read_text(encoding="utf-8").replace("headline: ", "headline: [Unclosed ", 1)
        site.write(site.rel(n), text)
        return
    if kind == "hostile":  # an error until the article is written again
        site.render(n)
        text = path.read_text(encoding="utf-8").replace("---\n", f"---\n{b}\n", 1)
        site.write(site.rel(n), text)
        return
    if kind == "same-size":  # other bytes, the same size, the time put back
        # (when the last build read the file within two seconds of its last
        # change: then its time proves nothing, and the build reads it. Older
        # than that, no build could tell from the time; nor can rsync or git.)
        st_before = path.stat()
        recent = time.time_ns() - st_before.st_mtime_ns < 1_000_000_000
        text = path.read_text(encoding="utf-8")
        new = (
            text.replace("First", "Frist", 1)
            if "First" in text
            else text.replace("Frist", "First", 1)
        )
        path.write_text(new, encoding="utf-8")
        if recent:
            os.utime(path, ns=(st_before.st_atime_ns, st_before.st_mtime_ns))
        entry["body"] = (
            str(entry["body"]).replace("First", "Frist", 1)
            if "First" in str(entry["body"])
            else str(entry["body"]).replace("Frist", "First", 1)
        )
        site.changed.add(site.rel(n))
        return
    if kind == "delete":
        site.write(site.rel(n), None)
        del site.articles[n]
        return
    if kind in ("rename", "folder"):
        old = site.rel(n)
        new = f"content/{b}s{n}.md" if kind == "folder" else f"content/renamed/s{n}-{len(old)}.md"
        if new == old:
            return
        entry["rel"] = new
        site.write(old, None)
    elif kind == "body":
        entry["body"] = f"First paragraph of {n}.\n\nSecond paragraph about {b}."
    elif kind == "headline":
        entry["headline"] = f"Story {n} about {b}"
    elif kind == "dek":
        entry["dek"] = f"Dek {n} on {b}."
    elif kind == "tags":
        entry["tags"] = b
    elif kind == "date":
        entry["day"], entry["at"] = b, None
    elif kind == "schedule":
        entry["at"] = (site.now + dt.timedelta(hours=int(b), minutes=7)).isoformat()  # type: ignore[call-overload]
    elif kind == "expires":
        entry["expires"] = b
    elif kind == "slug":  # None: from the headline
        entry["slug"] = f"story-{n}-{b}" if b else None
    elif kind == "draft":
        entry["draft"] = b
    elif kind == "lang":  # None: the site's language
        entry["lang"] = b
    elif kind == "link":  # -2: none, -1: an image, -3: a photo, else another article (maybe gone)
        entry["link"] = (
            None
            if b == -2
            else "img/pic0.svg"
            if b == -1
            else "img/photo0.jpg"
            if b == -3
            else site.pick(int(b))  # type: ignore[call-overload]
        )
    elif kind == "image":  # an asset or a photo that may not exist
        entry["image"] = (
            None if b == -1 else f"img/photo{int(b) - 3}.jpg" if int(b) >= 3 else f"img/pic{b}.svg"  # type: ignore[call-overload]
        )
    elif kind == "focus":  # the link preview's crop
        entry["focus"] = b
    elif kind == "correction":  # None: taken away
        entry["correction"] = b
    elif kind == "alias":  # None: none; two articles may claim one (an error)
        entry["alias"] = b
    elif kind == "id":  # follows the article across a rename
        entry["id"] = f"id-{n}" if b else None
    elif kind in ("section", "author", "featured"):
        entry[kind] = b
    site.render(n)


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


hints = st.sampled_from(["exact", "exact", "extra", "missing"])


@settings(
    max_examples=40,  # 20-40 s on 2 cores (layouts compile once a process: render/compiled.py)
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(
        st.tuples(st.lists(operations, min_size=1, max_size=3), hints, st.booleans()),
        min_size=1,
        max_size=6,
    ),
    shortcuts=st.sets(st.sampled_from(sorted(SHORTCUTS))).map(frozenset),
    staged=st.booleans(),
)
def test_incremental_builds_equal_clean_builds(steps, shortcuts, staged):
    """Per step: its changes, what the watcher reports of them, and whether
    ``digest build`` writes through a staging folder (as a big site does
    past 200 changed outputs) or in place; ``staged`` says the same for the
    preview, for a whole example."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        site = Site(root / "site")
        output = root / "site" / "output"
        stateful = root / "stateful"  # digest build, a new process each time: the state on disk
        options = PreviewOptions(
            site_dir=site.root,
            output_dir=output,
            jobs=1,
            shortcuts=shortcuts,
            clock=lambda: site.now,
            in_place_limit=0 if staged else pipeline.IN_PLACE_LIMIT,
        )
        preview = Preview(options)
        assert preview.rebuild().result.ok
        first = pipeline.run(_options(site, stateful, shortcuts))
        assert first.ok, [d.format() for d in first.diagnostics]
        for number, (batch, hint, staged_build) in enumerate(steps):
            site.changed = set()
            for op in batch:
                apply(site, op)
            paths = set(site.changed)
            if hint == "extra":
                paths |= {
                    "content/never-there.md",
                    site.rel(site.pick(number) or 0) if site.articles else "site.yaml",
                }
            elif hint == "missing" and paths:
                paths.discard(sorted(paths)[0])
            limit = 0 if staged_build else pipeline.IN_PLACE_LIMIT
            result = preview.rebuild(ChangeBatch(frozenset(paths))).result
            assert preview.search_settled(120)  # the preview's index trails its builds
            again = pipeline.run(_options(site, stateful, shortcuts, in_place_limit=limit))
            clean_dir = root / f"clean-{number}"
            with own_renderer():
                clean = pipeline.run(_options(site, clean_dir, frozenset()), state=State())
            want_diags = [d.format() for d in clean.diagnostics]
            assert [d.format() for d in result.diagnostics] == want_diags, batch
            assert [d.format() for d in again.diagnostics] == want_diags, batch
            if not clean.ok:
                continue  # e.g. two stories on one URL: both refuse to write
            assert result.ok and again.ok
            want = tree(clean_dir)
            for got in (tree(output), tree(stateful)):
                assert sorted(got) == sorted(want), (batch, set(got) ^ set(want))
                assert [rel for rel in want if got[rel] != want[rel]] == [], batch


def _options(
    site: Site, output: Path, shortcuts: frozenset[str], **more: object
) -> pipeline.BuildOptions:
    return pipeline.BuildOptions(
        site_dir=site.root,
        output_dir=output,
        now=site.now,
        shortcuts=shortcuts,
        **more,  # type: ignore[arg-type]
    )


def test_an_edit_in_the_preview_renders_only_what_shows_it(tmp_path):
    site = Site(tmp_path / "site")
    output = site.root / "output"
    preview = Preview(PreviewOptions(site_dir=site.root, output_dir=output, jobs=1,
                                     clock=lambda: NOW))  # fmt: skip
    assert preview.rebuild().result.ok
    site.changed = set()
    apply(site, ("body", 0, "ferry"))
    result = preview.rebuild(ChangeBatch(frozenset(site.changed))).result
    assert result.ok
    pages = [c for c in result.changed if c.endswith(".html")]
    assert pages == ["2026/11/20/story-0/index.html"]
    # The feeds carry full bodies; nothing else changed.
    assert all(c == pages[0] or c.endswith("feed.xml") or c == "feed.json" for c in result.changed)
    assert result.rendered <= 6  # the page and the feeds that show the article
