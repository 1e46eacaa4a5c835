"""Dates and timestamps: RFC 3339 in, UTC out; offset-less times are Asia/Ho_Chi_Minh local time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

__all__ = [
    "EARLIEST",
    "FUTURE_TOLERANCE",
    "LATEST",
    "LOCAL_TZ",
    "is_future",
    "local_date",
    "parse_date",
    "parse_timestamp",
]

LOCAL_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")
# Clocks on cameras and phones drift; beyond this a timestamp is an error, not drift.
FUTURE_TOLERANCE: Final = timedelta(minutes=5)
# The calendar the platform reads: nobody alive was born before 1900, and nothing the sources
# report lies beyond 2199. Outside it a date is a fault of the source, and instants near the ends
# of Python's calendar (year 1 with a positive offset) cannot even be converted to UTC.
EARLIEST: Final = datetime(1900, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(2200, 1, 1, tzinfo=UTC)

_ISO_DATE: Final = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_VN_DATE: Final = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TIMESTAMP: Final = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?$"
)


# Pure and called for every event, on values that repeat (a camera's second, a birth date).
_CACHED: Final = 16384


@lru_cache(maxsize=_CACHED)
def parse_date(raw: str) -> date | None:
    """A date from YYYY-MM-DD or DD/MM/YYYY; None when neither, no such day or out of range."""
    text = raw.strip()
    if match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _VN_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    try:
        parsed = date(year, month, day)
    except ValueError:
        return None
    return parsed if EARLIEST.date() <= parsed < LATEST.date() else None


@lru_cache(maxsize=_CACHED)
def parse_timestamp(raw: str) -> datetime | None:
    """A UTC instant from RFC 3339 (offset-less: local time); None outside the calendar read."""
    text = raw.strip()
    if not _TIMESTAMP.match(text):
        return None
    # Python 3.11 reads at most 6 fractional digits; RFC 3339 allows more (nanosecond sources).
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=LOCAL_TZ)
        instant = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return instant if EARLIEST <= instant < LATEST else None


def is_future(instant: datetime, now: datetime) -> bool:
    """Whether an instant lies beyond the clock-drift tolerance after ``now``."""
    return instant - now > FUTURE_TOLERANCE


def local_date(instant: datetime) -> date:
    """The Asia/Ho_Chi_Minh calendar date of an instant: the bucket for daily and yearly figures."""
    return instant.astimezone(LOCAL_TZ).date()
