"""The build time, and what the build says is waiting.

The build time is ``SOURCE_DATE_EPOCH`` when it is set, else the clock
(``build_time``): an input like a file. ``--now`` is read here (a usage
error when it is not a time: the build never starts), and the articles
scheduled after the build time are said in one short line:
``2 scheduled: "Budget ..." at 2026-11-25 06:00 (in 13 h)``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from generator.parse.dates import out_of_range, to_datetime

NOW_HINT = "write it as 2026-11-25T06:00, 2026-11-25 06:00+01:00 or 2026-11-25"
HEADLINE_SHOWN = 40  # characters of a headline the line shows


def read_now(text: str, tz: ZoneInfo) -> dt.datetime | str:
    """``--now``'s value as an aware time (without a zone: in the site's),
    or what is wrong with it."""
    when = to_datetime(text, tz)
    if when is None:
        return f"--now {text!r} is not a date and time ({NOW_HINT})"
    too_far = out_of_range(when)
    if too_far is not None:
        return f"--now {text!r}: {too_far}"
    return when


def scheduled_line(
    count: int, first: Sequence[tuple[str, dt.datetime]], now: dt.datetime, future: bool
) -> str | None:
    """The articles scheduled after ``now`` in one line: the first few by
    headline, time (as ``first`` gives it: the site's zone) and how long
    until then; None when there are none."""
    if not count:
        return None
    shown = [
        f'"{_short(headline)}" at {when:%Y-%m-%d %H:%M} ({_until(when, now)})'
        for headline, when in first
    ]
    more = f", and {count - len(first)} more" if count > len(first) else ""
    included = " (included: --future)" if future else ""
    return f"{count} scheduled{included}: {', '.join(shown)}{more}"


def _short(headline: str) -> str:
    if len(headline) <= HEADLINE_SHOWN:
        return headline
    cut = headline[: HEADLINE_SHOWN - 4]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip() + " ..."


def _until(when: dt.datetime, now: dt.datetime) -> str:
    """How long from ``now`` until ``when``: "in 13 h", "in 5 min", "in 3 d"."""
    minutes = max(1, math.ceil((when - now).total_seconds() / 60))
    if minutes < 60:
        return f"in {minutes} min"
    hours = minutes // 60
    return f"in {hours} h" if hours < 48 else f"in {hours // 24} d"


def build_time() -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` (reproducible builds) when set, else now."""
    return fixed_time() or dt.datetime.now(dt.UTC)


def fixed_time() -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` as a time, when it is set: the build time does
    not move on."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return None
