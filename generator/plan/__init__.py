"""Stage 4, plan: the site's structure -> every output as a ``Job``: which
layout, what the layout sees, and which inputs it was made from.

Pure and table-driven: the rows of ``kinds.KINDS``, in order, each expanded
into jobs (a list cut into pages, each list's feeds). The plan reads the
structure, the settings and the build time, never an article's text: the
articles in a context are references (``model.refs``), so an edit that keeps
every article's skeleton keeps the plan.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence

from generator.config import SiteConfig
from generator.diagnostics import Diagnostic, error
from generator.load import AssetFile
from generator.model import Structure, urls
from generator.plan.jobs import (
    CONFIG_KEY,
    TIME_KEY,
    Address,
    ArticlePage,
    CopyJob,
    Job,
    PageInfo,
    Paginator,
    Plan,
    asset_key,
    layout_key,
    make_job,
)
from generator.plan.kinds import KIND, KINDS
from generator.plan.lists import ListPage, paginate
from generator.plan.rows import Kind, Page, Planning

__all__ = [
    "CONFIG_KEY",
    "KIND",
    "KINDS",
    "TIME_KEY",
    "Address",
    "ArticlePage",
    "CopyJob",
    "Job",
    "Kind",
    "PageInfo",
    "Paginator",
    "Plan",
    "asset_key",
    "copy_job",
    "layout_key",
    "needs_all",
    "plan_site",
]


def plan_site(
    config: SiteConfig,
    structure: Structure,
    assets: Sequence[AssetFile],
    now: dt.datetime,
    only: Collection[Address] | None = None,
) -> tuple[Plan, list[Diagnostic]]:
    """Every output of the site, or (``only``) the outputs at these
    addresses. ``now`` decides what depends on the time (which articles the
    news sitemap lists; the structure was made at it too: which articles are
    live); ``Plan.valid_until`` says when that would change (for the whole
    site only: inf for some pages)."""
    if only is not None and needs_all(only):
        only = None  # the sitemap reads every page: plan them all
    planning = Planning(config=config, structure=structure, now=now, kinds=KIND)
    wanted: dict[str, dict[str, set[int]]] = {}
    for kind_name, key, number in only or ():
        wanted.setdefault(kind_name, {}).setdefault(key, set()).add(number)
    # The next moment an article goes live or is withdrawn, and the next a
    # time-decided kind changes: the plan holds until the earliest.
    valid_until = structure.changes_at if only is None else math.inf
    for kind in KINDS:
        if kind.needs_host and not config.absolute_base:
            continue
        if kind.changes_at is not None and only is None:
            valid_until = min(valid_until, kind.changes_at(planning))
        numbers: Mapping[str, set[int] | None] = (
            dict.fromkeys(kind.keys(planning)) if only is None else wanted.get(kind.name, {})
        )
        for key, pages in numbers.items():
            if kind.page is not None:
                planning.jobs.append(_job(kind, (kind.name, key, 1), kind.page(planning, key)))
                continue
            listing = planning.listing(kind.name, key)
            for number, page in paginate(config, listing, planning.teaser, pages):
                planning.jobs.append(_job(kind, (kind.name, key, number), page))
    jobs = tuple(planning.jobs)
    copies = tuple(copy_job(asset) for asset in assets)
    plan = Plan(pages=jobs, copies=copies, valid_until=valid_until)
    return plan, (_collisions(plan) if only is None else [])


def needs_all(addresses: Collection[Address]) -> bool:
    """Planning an output at one of ``addresses`` plans every page (the
    sitemap reads them all)."""
    return any(KIND[kind].needs_all for kind, _, _ in addresses)


def copy_job(asset: AssetFile) -> CopyJob:
    return CopyJob(output=asset.dest, source=asset.rel, path=asset.path, stat=asset.stat)


def _job(kind: Kind, address: Address, page: Page | ListPage) -> Job:
    return make_job(
        output=urls.output_file(page.path),
        address=address,
        layout=kind.layout,
        producer=(page.producer if isinstance(page, Page) else None) or kind.producer,
        context=page.context,
        origin=page.origin,
        lastmod=page.lastmod,
        timed=kind.changes_at is not None,
    )


def _collisions(plan: Plan) -> list[Diagnostic]:
    """Two outputs written to one file are an error, never a silent overwrite."""
    owners: dict[str, str] = {}
    diags: list[Diagnostic] = []
    for output, origin in [(j.output, j.origin) for j in plan.pages] + [
        (c.output, c.source) for c in plan.copies
    ]:
        key = output.casefold()  # case-insensitive hosts and file systems
        if key in owners:
            first = owners[key]
            path = origin if "/" in origin else first
            diags.append(
                error(
                    path,
                    f"{first} and {origin} would both be written to {output}",
                    hint="change a slug, a file name or a permalink pattern in site.yaml",
                )
            )
        else:
            owners[key] = origin
    return diags
