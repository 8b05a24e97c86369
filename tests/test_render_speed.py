"""The render stage's shortcuts (generator/render/environment.py, the macro
cache) write the very bytes Jinja's own environment writes, and a layout
edited between two builds in one process shows."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import pickle
from pathlib import Path

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

from generator import pipeline
from generator.frozen import quick_init, quick_pickle
from generator.incremental.state import State
from generator.plan import plan_site
from generator.render.environment import LayoutEnvironment, escape_output
from generator.render.layouts import MacroCache
from tests.conftest import article

EXAMPLE_NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)


class Html:
    def __html__(self) -> str:
        return "<b>bold</b>"


class Text:
    def __str__(self) -> str:
        return "a < b & \"c\" 'd'"


@given(st.text())
def test_escape_output_writes_the_text_markupsafe_escape_writes(text):
    assert escape_output(text) == str(escape(text))
    assert escape_output(Markup(text)) == str(escape(Markup(text)))


@pytest.mark.parametrize(
    "value", [0, -12, 3.5, True, None, Html(), Text(), Markup("<i>x</i>"), b"x<"]
)
def test_escape_output_of_other_values(value):
    assert escape_output(value) == str(escape(value))


@dataclasses.dataclass(frozen=True)
class Item:
    name: str
    n: int


LAYOUTS = {
    "base.html": (
        "<title>{% block title %}{{ site }}{% endblock %}</title>"
        "{% set head %}{% block head %}<meta x='{{ quote }}'>{% endblock %}{% endset %}"
        "{{ head }}{{ head|striptags }}|{% block body %}{% endblock %}|{{ self.title() }}"
        '{% include "part.html" %}'
    ),
    "part.html": "<p>{{ quote }}{{ items|length }}{{ local is defined }}</p>",
    "macros.html": (
        "{% macro card(i, level=2) %}<h{{ level }}>{{ i.name }} {{ i.n }}</h{{ level }}>"
        "{{ caller() if caller else '' }}{% endmacro %}"
        "{% macro plain(x) %}{{ x }}{% endmacro %}"
    ),
    "child.html": (
        '{% extends "base.html" %}'
        '{% from "macros.html" import card, plain %}'
        '{% import "macros.html" as m with context %}'
        "{% block title %}{{ super() }} & {{ quote ~ html }}{% endblock %}"
        "{% block body %}"
        "{% for i in items %}{{ card(i) }}{{ cached(card, i, level=3) }}"
        "{% call card(i) %}<em>{{ i.name }}</em>{% endcall %}{% else %}none{% endfor %}"
        "{% filter upper %}{{ quote }}<x>{% endfilter %}"
        "{% autoescape false %}{{ quote }}{% endautoescape %}"
        "{{ plain(quote) }}{{ m.plain(html) }}{{ quote|safe }}{{ quote|e }}"
        "{{ quote|forceescape }}{{ html }}{{ obj }}{{ text }}{{ n }}{{ f }}{{ none }}"
        "{{ flag }}{{ items[0] }}{{ [quote, 1] }}{{ {'k': quote} }}{{ '%s!'|format(quote) }}"
        "{{ (quote ~ '<')|length }}{{ quote|replace('<', '[') }}{{ html|replace('<', '[') }}"
        "{% set local = quote|upper %}{{ local }}{% include 'part.html' %}"
        "{% endblock %}"
    ),
    "feed.xml": "<t>{{ quote }}{{ html }}{{ n }}</t>",
    "notes.txt": "{{ quote }} {{ html }}",
}


def render_all(env: jinja2.Environment) -> dict[str, str]:
    env.globals["site"] = "Site & <Co>"
    env.globals["cached"] = MacroCache()
    variables = {
        "quote": '"it\'s" <a> & b',
        "html": Markup("<b>x</b>"),
        "obj": Html(),
        "text": Text(),
        "n": 42,
        "f": 2.5,
        "flag": False,
        "items": [Item("A & B", 1), Item("<C>", 2)],
    }
    return {
        name: env.get_template(name).render(variables)
        for name in ("child.html", "feed.xml", "notes.txt", "part.html")
    }


def test_layouts_write_what_jinjas_own_environment_writes():
    options = {
        "loader": jinja2.DictLoader(LAYOUTS),
        "autoescape": jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        "keep_trailing_newline": True,
    }
    ours = render_all(LayoutEnvironment(**options, auto_reload=False, cache_size=-1))
    theirs = render_all(jinja2.Environment(**options))
    assert ours == theirs
    assert "&#34;it&#39;s&#34; &lt;a&gt; &amp; b" in ours["child.html"]  # escaped, once
    assert "<b>x</b>" in ours["child.html"]
    assert ours["notes.txt"] == '"it\'s" <a> & b <b>x</b>'


def test_the_macro_cache_tells_objects_apart_by_value_not_by_a_reused_id():
    """Its quick lookup is by the arguments' identity; it holds them, so an
    argument gone is never mistaken for a new one that got its id."""
    env = LayoutEnvironment(cache_size=-1)
    card = env.from_string("{% macro card(i) %}{{ i.n }}{% endmacro %}").module.card
    cache = MacroCache()
    for n in range(300):
        assert cache(card, Item("x", n)) == str(n)  # each Item dies after its call
    assert cache(card, Item("x", 7)) == "7"  # by value: equal arguments, the same output


def test_a_partial_and_a_macro_edited_between_builds_in_one_process_show(make_site):
    """A renderer is kept between builds in one process (the preview's): its
    loaded layouts and cached macros are for one set of layouts."""
    teaser = (
        "{% macro teaser(t, level=2, lead=false, compact=false, image=true, kicker=false, "
        "sizes=none) %}<p class='t'>{{ marker }} {{ t.headline }}</p>{% endmacro %}"
        "{% macro teaser_list(p, lead=false, skip=none, level=2) %}"
        "{% for t in p.items %}{{ cached(teaser, t) }}{% endfor %}{% endmacro %}"
    )
    site = make_site(
        {
            "content/a.md": article("Harbour reopens", "2026-11-24", tags="[Port]"),
            "content/b.md": article("Budget agreed", "2026-11-23", tags="[Port]"),
            "layouts/partials/footer.html": "<footer>First footer</footer>",
            "layouts/partials/teaser.html": teaser.replace("{{ marker }}", "one"),
        }
    )
    site.build("--jobs", "1")
    assert "First footer" in site.page("2026/11/24/harbour-reopens/").source
    assert site.page("tags/port/").select("p.t")[0].text == "one Harbour reopens"

    site.write(
        {
            "layouts/partials/footer.html": "<footer>Second footer</footer>",
            "layouts/partials/teaser.html": teaser.replace("{{ marker }}", "two"),
        }
    )
    site.build("--jobs", "1")
    for page in ("2026/11/24/harbour-reopens/", "index.html", "tags/port/"):
        assert "Second footer" in site.page(page).source
        assert "First footer" not in site.page(page).source
    assert [p.text for p in site.page("tags/port/").select("p.t")] == [
        "two Harbour reopens",
        "two Budget agreed",
    ]


def test_quickly_pickled_records_come_back_equal(tmp_path):
    """The records that cross between processes (``frozen.quick_pickle``):
    every item, job and its context of the example site (sections, authors,
    corrections, related articles) comes back from a pickle equal, of the
    same class, with the same text to fingerprint."""
    root = Path(__file__).resolve().parent.parent
    state = State()
    options = pipeline.BuildOptions(
        site_dir=root, output_dir=tmp_path / "out", write=False, now=EXAMPLE_NOW
    )
    result = pipeline.run(options, state=state)
    assert result.ok and result.site is not None
    site = result.site
    values: list[object] = [site.articles[s] for s in site.structure.placed]
    values += [site.teasers[s] for s in site.structure.placed]
    values += [entry.article for entry in state.parsed.values() if entry.article is not None]
    planned, _ = plan_site(site.config, site.structure, (), EXAMPLE_NOW)
    values += planned.pages
    quick = {type(v) for v in values if _is_quick(type(v))}
    assert {"Article", "Teaser", "ParsedArticle", "Job"} <= {c.__name__ for c in quick}
    back = pickle.loads(pickle.dumps(values, pickle.HIGHEST_PROTOCOL))
    assert back == values
    assert [type(v) for v in back] == [type(v) for v in values]
    assert repr(back) == repr(values)
    assert copy.copy(values[0]) == values[0]


def _is_quick(cls: type) -> bool:
    return getattr(cls.__dict__.get("__setstate__"), "__qualname__", "").startswith("quick_pickle")


def test_quick_pickle_refuses_a_dataclass_it_cannot_read_back():
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        value: int

    with pytest.raises(TypeError, match="NoSlots"):
        quick_pickle(NoSlots)


def _factory() -> tuple[int, ...]:
    return (1, 2)


def _shapes() -> list[type]:
    """The same two classes (made new for each call): a positional field,
    then keyword-only fields with a default and a default factory."""

    @dataclasses.dataclass(frozen=True, slots=True)
    class Base:
        first: str

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Shape(Base):
        size: int
        tags: tuple[int, ...] = ()
        extra: tuple[int, ...] = dataclasses.field(default_factory=_factory)

    return [Base, Shape]


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("a",), {"size": 1}),
        (("a",), {"size": 1, "tags": (3,), "extra": (4,)}),
        ((), {"first": "b", "size": 2, "extra": ()}),
        (("a",), {}),  # missing: the same TypeError
        (("a", 1), {}),  # keyword-only given by position
        (("a",), {"size": 1, "colour": "red"}),  # no such field
    ],
)
def test_quick_init_makes_what_the_dataclass_init_makes(args, kwargs):
    """``frozen.quick_init``: the same object (fields, repr, frozenness) or
    the same TypeError as the decorator's own ``__init__``."""
    _, plain = _shapes()
    _, quick = _shapes()
    quick_init(quick)

    def made(cls: type) -> object:
        try:
            return cls(*args, **kwargs)
        except TypeError as exc:
            return type(exc)

    want, got = made(plain), made(quick)
    if want is TypeError:
        assert got is TypeError
        return
    assert repr(got) == repr(want)
    assert dataclasses.astuple(got) == dataclasses.astuple(want)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.size = 5  # type: ignore[attr-defined]


def test_quick_init_is_on_the_records_made_by_the_thousand():
    from generator.model.items import Article, Teaser
    from generator.model.structure import Placed, Skeleton
    from generator.plan.jobs import Job

    for cls in (Skeleton, Placed, Teaser, Article, Job):
        assert any(name.startswith("_set_") for name in cls.__init__.__globals__), cls


def test_quick_init_refuses_what_it_cannot_make():
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        value: int

    @dataclasses.dataclass(slots=True)
    class NotFrozen:
        value: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class After:
        value: int

        def __post_init__(self) -> None:
            pass

    for cls in (NoSlots, NotFrozen, After):
        with pytest.raises(TypeError, match=cls.__name__):
            quick_init(cls)
