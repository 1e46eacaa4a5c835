"""Time as whole epoch seconds inside the simulator, rendered as RFC 3339 local time at the edge.

Integers are cheaper to draw, compare and sort than datetimes; the contract wants local
(Asia/Ho_Chi_Minh) timestamps with an explicit offset.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final

from pipelines.simulator.config import ICT

__all__ = [
    "DAY",
    "HOUR",
    "MINUTE",
    "YEAR",
    "iso",
    "iso_date",
    "iso_naive",
    "local",
    "local_midnight",
    "to_s",
]

MINUTE: Final = 60
HOUR: Final = 3600
DAY: Final = 86_400
YEAR: Final = 365.25 * DAY


def local(ts: int) -> datetime:
    """The local (ICT) datetime of an epoch second."""
    return datetime.fromtimestamp(ts, ICT)


def iso(ts: int) -> str:
    """RFC 3339 with the +07:00 offset, e.g. ``2026-11-20T21:14:05+07:00``."""
    return local(ts).isoformat()


def iso_naive(ts: int) -> str:
    """The same local time without an offset, as careless sources send it."""
    return local(ts).replace(tzinfo=None).isoformat()


def iso_date(day: date) -> str:
    return day.isoformat()


def local_midnight(ts: int) -> int:
    """The epoch second of the local midnight that starts the day of ``ts``."""
    moment = local(ts)
    return int(datetime(moment.year, moment.month, moment.day, tzinfo=ICT).timestamp())


def to_s(day: date, seconds_into_day: int = 0) -> int:
    """The epoch second of a local date plus an offset into that day."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=ICT)
    return int((midnight + timedelta(seconds=seconds_into_day)).timestamp())
