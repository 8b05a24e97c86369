"""The fast path of the preview: an edit to existing articles that keeps
their skeleton (URL, date, tags, draft, updated, image) changes only what
shows their text. Instead of planning the whole site again, the outputs that
the dependency map says were made from the edited articles get new contexts:
the old article and teaser objects are swapped for the new ones wherever
they appear. Everything else, including the signatures, stays as it was.

Anything else (a new or deleted article, a changed date or tag, a layout or
settings change, an error) returns None, and the caller builds the normal
way. A randomized test checks both ways against a clean build.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from generator.bodies import BodyStore
from generator.config import SiteConfig
from generator.diagnostics import Diagnostic
from generator.feeds import FeedEntry, entry_id, feed_entry
from generator.frozen import FrozenDict
from generator.model import Article, Site, Teaser, make_article, skeleton
from generator.parse import ParsedArticle
from generator.plan import Job, Plan, article_job, src_key, teaser_key
from generator.sitemap import NewsEntry

_ATOMS = frozenset({str, Markup, int, float, bool, type(None), bytes, dt.date, dt.datetime})


@dataclass(slots=True, kw_only=True)
class LastBuild:
    """What the fast path needs from the last good build."""

    key: object  # the options and settings it was made with
    config: SiteConfig
    site: Site
    jobs: dict[str, Job]  # by output
    parsed: dict[str, ParsedArticle]  # published articles, by source
    articles: dict[str, Article]  # the objects the jobs' contexts hold, by source
    teasers: dict[str, Teaser]
    reverse: dict[str, set[str]]  # input key -> outputs made from it
    diagnostics: list[Diagnostic]  # its warnings that do not come from parsing
    pages: int  # HTML outputs


def remember(
    key: object,
    site: Site,
    plan: Plan,
    parsed: list[ParsedArticle],
    diagnostics: list[Diagnostic],
) -> LastBuild:
    reverse: dict[str, set[str]] = {}
    for job in plan.pages:
        for input_key in job.inputs:
            reverse.setdefault(input_key, set()).add(job.output)
    return LastBuild(
        key=key,
        config=site.config,
        site=site,
        jobs={job.output: job for job in plan.pages},
        parsed={p.source: p for p in parsed},
        articles={a.source: a for a in site.articles},
        teasers={t.source: t for t in site.teasers},
        reverse=reverse,
        diagnostics=[d for d in diagnostics if not d.is_error],
        pages=sum(1 for job in plan.pages if job.output.endswith(".html")),
    )


@dataclass(frozen=True, slots=True)
class EditPlan:
    jobs: list[Job]  # new jobs for the outputs that show an edited article
    teasers: dict[str, Teaser]  # the edited articles' teasers, as the new jobs hold them


def plan_edits(last: LastBuild, edited: list[ParsedArticle], bodies: BodyStore) -> EditPlan | None:
    """New jobs for every output that shows an edited article, or None when
    the edit is not one the fast path can take."""
    config = last.config
    table: dict[int, object] = {}
    derived: dict[str, tuple[Article, Teaser]] = {}
    affected: set[str] = set()
    parts = []
    for p1 in edited:  # first every new teaser, then the articles that show them
        p0 = last.parsed.get(p1.source)
        if p0 is None or skeleton(p0) != skeleton(p1):
            return None
        t1, links, links_to, problems = last.site.index.article_parts(p1)
        if any(d.is_error for d in problems):
            return None
        t0 = last.teasers[p1.source]
        if t1 == t0:
            t1 = t0
        else:
            table[id(t0)] = t1
            affected |= last.reverse.get(teaser_key(p1.source), set())
        parts.append((p1, t1, links, links_to))
    memo: dict[int, tuple[object, object]] = {}
    no_derive: Callable[[Any], Any] = lambda _: None  # noqa: E731
    for p1, t1, links, links_to in parts:
        x0 = last.articles[p1.source]
        neighbours = swap((x0.related, x0.prev, x0.next), table, memo, no_derive)
        related, prev, next_ = neighbours
        x1 = make_article(p1, t1, links, links_to, related=related, prev=prev, next=next_)
        table[id(x0)] = x1
        affected |= last.reverse.get(src_key(p1.source), set())
        derived[p1.source] = (x1, t1)

    entries = {entry_id(config, source): x1 for source, (x1, _) in derived.items()}

    def derive(obj: Any) -> Any:
        """Objects made from an article rather than holding it."""
        if type(obj) is FeedEntry and obj.id in entries:
            return feed_entry(config, entries[obj.id], bodies)
        if type(obj) is NewsEntry and obj.source in derived:
            return dataclasses.replace(obj, title=derived[obj.source][1].headline)
        return None

    memo = {}
    jobs = []
    for output in sorted(affected):
        job = last.jobs[output]
        context = swap(job.context, table, memo, derive)
        if context is job.context:
            continue
        assert isinstance(context, Mapping)
        if job.layout == "article.html":
            jobs.append(article_job(config, context["article"]))
        else:
            jobs.append(dataclasses.replace(job, context=context))
    return EditPlan(jobs=jobs, teasers={source: t for source, (_, t) in derived.items()})


def commit(last: LastBuild, edited: list[ParsedArticle], plan: EditPlan) -> None:
    """Make the new jobs part of the last build, for the next edit."""
    for p in edited:
        last.parsed[p.source] = p
    last.teasers.update(plan.teasers)
    for job in plan.jobs:
        old = last.jobs[job.output]
        if old.inputs != job.inputs:
            for key in old.inputs:
                last.reverse.get(key, set()).discard(job.output)
            for key in job.inputs:
                last.reverse.setdefault(key, set()).add(job.output)
        last.jobs[job.output] = job
        if job.layout == "article.html":
            article = job.context["article"]
            last.articles[article.source] = article


def swap(
    obj: Any,
    table: Mapping[int, object],
    memo: dict[int, tuple[object, object]],
    derive: Callable[[Any], Any],
) -> Any:
    """``obj`` with every object whose id is in ``table`` replaced, rebuilding
    only the containers and dataclasses on the way; the rest is shared.
    ``table`` holds ids of objects kept alive by the caller; ``memo`` keeps the
    objects it saw, so an id is never mistaken for a dead object's."""
    oid = id(obj)
    if oid in table:
        return table[oid]
    hit = memo.get(oid)
    if hit is not None and hit[0] is obj:
        return hit[1]
    cls = type(obj)
    if cls in _ATOMS:
        return obj
    new = derive(obj)
    if new is None:
        new = obj
        if cls is tuple:
            items = tuple(swap(i, table, memo, derive) for i in obj)
            if any(a is not b for a, b in zip(items, obj, strict=True)):
                new = items
        elif cls is dict or cls is FrozenDict:
            values = {k: swap(v, table, memo, derive) for k, v in obj.items()}
            if any(values[k] is not v for k, v in obj.items()):
                new = values if cls is dict else FrozenDict(values)
        elif dataclasses.is_dataclass(obj):
            names = [f.name for f in dataclasses.fields(obj)]
            olds = [getattr(obj, n) for n in names]
            news = [swap(v, table, memo, derive) for v in olds]
            if any(a is not b for a, b in zip(news, olds, strict=True)):
                new = cls(**dict(zip(names, news, strict=True)))
    memo[oid] = (obj, new)
    return new
