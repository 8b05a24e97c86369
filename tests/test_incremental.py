"""Incremental builds equal clean builds, whatever the sequence of changes.

Hypothesis drives random sequences of article edits (body, headline,
standfirst, tags, date), creates, deletes, renames, layout edits and
site.yaml edits on a small site. After each step the preview's incremental
build (with the watcher's list of changed paths, so the fast path runs where
it can), and ``digest build`` with its saved state, must each leave their
output byte-identical to a clean build into an empty folder, with no stale
file.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import build
from tests.conftest import article

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
TAGS = ["Politics", "Economy", "Culture", "middle east", "Middle East"]
WORDS = ["harbour", "budget", "ferry", "vote", "museum", "wind", "grid", "court"]


def _source(n: int, headline: str, day: int, tags: list[str], body: str, dek: str) -> str:
    tag_list = "[" + ", ".join(tags) + "]"
    return article(
        headline, f"2026-11-{day:02d}T{8 + n % 10:02d}:00:00+01:00", body,
        tags=tag_list, standfirst=dek, slug=f"story-{n}",
    )  # fmt: skip


class Site:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.articles: dict[int, dict[str, object]] = {}
        self.next_id = 0
        self.files: dict[str, str | None] = {}
        (root / "content").mkdir(parents=True)
        self.write("site.yaml", "title: Digest\nbase_url: https://example.org/\nper_page: 2\n")
        for _ in range(5):
            self.create(
                day=20 + self.next_id % 5, tags=TAGS[self.next_id % 3 : self.next_id % 3 + 2]
            )
        self.changed: set[str] = set()

    def write(self, rel: str, text: str | None) -> None:
        path = self.root / rel
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        self.changed = getattr(self, "changed", set()) | {rel}

    def rel(self, n: int) -> str:
        return str(self.articles[n]["rel"])

    def render(self, n: int) -> None:
        a = self.articles[n]
        self.write(
            self.rel(n),
            _source(n, str(a["headline"]), int(a["day"]), list(a["tags"]), str(a["body"]),
                    str(a["dek"])),
        )  # fmt: skip

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
        }
        self.render(n)

    def pick(self, index: int) -> int | None:
        keys = sorted(self.articles)
        return keys[index % len(keys)] if keys else None


operations = st.one_of(
    st.tuples(st.just("body"), st.integers(0, 20), st.sampled_from(WORDS)),
    st.tuples(st.just("headline"), st.integers(0, 20), st.sampled_from(WORDS)),
    st.tuples(st.just("dek"), st.integers(0, 20), st.sampled_from(WORDS)),
    st.tuples(st.just("tags"), st.integers(0, 20), st.lists(st.sampled_from(TAGS), max_size=3)),
    st.tuples(st.just("date"), st.integers(0, 20), st.integers(18, 24)),
    st.tuples(st.just("create"), st.integers(18, 24), st.lists(st.sampled_from(TAGS), max_size=2)),
    st.tuples(st.just("delete"), st.integers(0, 20), st.none()),
    st.tuples(st.just("rename"), st.integers(0, 20), st.none()),
    st.tuples(st.just("layout"), st.integers(0, 2), st.sampled_from(WORDS)),
    st.tuples(st.just("config"), st.integers(1, 3), st.sampled_from(WORDS)),
)


def apply(site: Site, op: tuple[str, object, object]) -> None:
    kind, a, b = op
    if kind == "create":
        site.create(day=int(a), tags=list(b))  # type: ignore[arg-type]
        return
    if kind == "layout":
        if a == 0:
            site.write("layouts/partials/footer.html", None)
        else:
            site.write("layouts/partials/footer.html", f"<footer><p>{b} {a}</p></footer>")
        return
    if kind == "config":
        site.write(
            "site.yaml", f"title: Digest {b}\nbase_url: https://example.org/\nper_page: {a}\n"
        )
        return
    n = site.pick(int(a))  # type: ignore[arg-type]
    if n is None:
        return
    entry = site.articles[n]
    if kind == "delete":
        site.write(site.rel(n), None)
        del site.articles[n]
        return
    if kind == "rename":
        old = site.rel(n)
        entry["rel"] = f"content/renamed/s{n}-{len(old)}.md"
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
        entry["day"] = b
    site.render(n)


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(st.lists(operations, min_size=1, max_size=3), min_size=1, max_size=6),
    # Per step: whether a build with more than a tenth of its outputs to
    # change writes them into a staging folder (as a big site does for more
    # than 200), or replaces them in place.
    staged=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_incremental_builds_equal_clean_builds(steps, staged):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        site = Site(root / "site")
        output = root / "site" / "output"
        cache = build.BuildCache()
        first = build.run(
            build.BuildOptions(site_dir=site.root, output_dir=output, incremental=True, now=NOW),
            cache=cache,
        )
        assert first.ok, [d.format() for d in first.diagnostics]
        stateful = root / "stateful"  # digest build, a new process each time: the state on disk
        assert build.run(build.BuildOptions(site_dir=site.root, output_dir=stateful, now=NOW)).ok
        for number, batch in enumerate(steps):
            site.changed = set()
            for op in batch:
                apply(site, op)
            limit = 0 if staged[number] else build.IN_PLACE_LIMIT
            options = build.BuildOptions(
                site_dir=site.root,
                output_dir=output,
                incremental=True,
                changed=frozenset(site.changed),
                now=NOW,
                in_place_limit=limit,
            )
            result = build.run(options, cache=cache)
            again = build.run(
                build.BuildOptions(
                    site_dir=site.root, output_dir=stateful, now=NOW, in_place_limit=limit
                )
            )
            clean_dir = root / f"clean-{number}"
            clean = build.run(build.BuildOptions(site_dir=site.root, output_dir=clean_dir, now=NOW))
            want_diags = [d.format() for d in clean.diagnostics]
            assert [d.format() for d in result.diagnostics] == want_diags
            assert [d.format() for d in again.diagnostics] == want_diags
            if not clean.ok:
                continue  # e.g. two stories on one URL: both refuse to write
            assert result.ok and again.ok
            want = tree(clean_dir)
            for got in (tree(output), tree(stateful)):
                assert sorted(got) == sorted(want), (batch, set(got) ^ set(want))
                assert [rel for rel in want if got[rel] != want[rel]] == [], batch


def test_fast_path_renders_only_what_shows_the_edit(tmp_path):
    site = Site(tmp_path / "site")
    output = site.root / "output"
    cache = build.BuildCache()
    options = build.BuildOptions(site_dir=site.root, output_dir=output, incremental=True, now=NOW)
    assert build.run(options, cache=cache).ok
    site.changed = set()
    apply(site, ("body", 0, "ferry"))
    result = build.run(
        build.BuildOptions(site_dir=site.root, output_dir=output, incremental=True,
                           changed=frozenset(site.changed), now=NOW),
        cache=cache,
    )  # fmt: skip
    assert result.ok
    pages = [c for c in result.changed if c.endswith(".html")]
    assert pages == ["2026/11/20/story-0/index.html"]
    # The feeds carry full bodies; nothing else changed.
    assert all(c == pages[0] or c.endswith("feed.xml") or c == "feed.json" for c in result.changed)
