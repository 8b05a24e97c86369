"""Dates in front matter: read as aware datetimes, and when one cannot be,
why (``2026-11-31``: "November 2026 has 30 days, not 31")."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from generator.config import ENGLISH_MONTHS

DATE_HINT = "write it as 2026-11-24, 2026-11-24 09:30 or 2026-11-24T09:30:00+01:00"
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ]|$)")


def to_datetime(value: Any, tz: ZoneInfo) -> dt.datetime | None:
    """A YAML date/datetime or an ISO 8601 string, as an aware datetime.
    Naive values are in the site's time zone."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
        except ValueError:
            try:
                value = dt.date.fromisoformat(text)
            except ValueError:
                return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=tz)
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=tz)
    return None


EARLIEST, LATEST = 1000, 9998  # years: any zone's offset keeps a date inside what datetimes hold


def out_of_range(value: dt.datetime) -> str | None:
    """Why a date cannot be published (year 1 or 9999: shifted to UTC or to
    the site's zone, it would leave the calendar); None if it can."""
    if EARLIEST <= value.year <= LATEST:
        return None
    return f"the year {value.year} is out of range: dates go from {EARLIEST} to {LATEST}"


def impossible_date(text: str) -> str | None:
    """Why a date written as YYYY-MM-DD (maybe with a time) is not one:
    "November 2026 has 30 days, not 31"; None if that is not the problem."""
    match = _YMD.match(text.strip())
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        return f"there is no month {month}; months go from 01 to 12"
    days = calendar.monthrange(year, month)[1]
    if day == 0:
        return "there is no day 0; days start at 01"
    if day > days:
        return f"{ENGLISH_MONTHS[month - 1]} {year} has {days} days, not {day}"
    return None
