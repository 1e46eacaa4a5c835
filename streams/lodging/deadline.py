"""The lodging notification deadline (Luật Cư trú 2020, Thông tư 55/2021/TT-BCA).

A stay must be notified before 23:00 local time on the day it starts; a guest arriving after
23:00 must be notified before 08:00 the next day.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from streams.cleaning.times import LOCAL_TZ

__all__ = ["notification_deadline"]

_LATE_ARRIVAL = time(23, 0)
_NEXT_MORNING = time(8, 0)


def notification_deadline(stay_starts_at: datetime) -> datetime:
    """The last instant (UTC) at which a stay starting at ``stay_starts_at`` may be notified."""
    local = stay_starts_at.astimezone(LOCAL_TZ)
    if local.time() < _LATE_ARRIVAL:
        deadline = datetime.combine(local.date(), _LATE_ARRIVAL, LOCAL_TZ)
    else:
        deadline = datetime.combine(local.date() + timedelta(days=1), _NEXT_MORNING, LOCAL_TZ)
    return deadline.astimezone(UTC)
