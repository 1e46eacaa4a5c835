"""What a cleaner may consult besides the event: the clock, the units, the references, the
population registry, the key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from streams.cleaning.reject import Reject
from streams.cleaning.times import is_future, parse_date, parse_timestamp
from streams.population.registry import Resident
from streams.pseudonym import Pseudonymiser
from streams.reference.models import CameraRef, FacilityRef, WatchEntry

__all__ = ["CleanContext", "Row"]

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CleanContext:
    """Read-only state for one batch; ``now`` is the processing time (UTC)."""

    now: datetime
    province_code: int
    wards: Mapping[str, int]
    cameras: Mapping[str, CameraRef]
    facilities: Mapping[str, FacilityRef]
    watchlist: Mapping[str, tuple[WatchEntry, ...]]
    residents: Mapping[str, Resident]  # the population registry, by person pseudonym
    pseudonymise: Pseudonymiser

    def timestamp(self, event: Mapping[str, Any], field: str) -> datetime:
        """A timestamp field in UTC; rejects unreadable ones and ones in the future."""
        raw = event[field]
        parsed = parse_timestamp(raw)
        if parsed is None:
            raise Reject("invalid_timestamp", f"{field} {raw!r} is not an RFC 3339 timestamp")
        if is_future(parsed, self.now):
            raise Reject(
                "future_timestamp",
                f"{field} {raw!r} is more than 5 minutes ahead of the platform clock",
            )
        return parsed

    def date(self, event: Mapping[str, Any], field: str) -> date | None:
        """An optional date field; rejects one that is present but unreadable."""
        raw = event.get(field)
        if raw is None:
            return None
        parsed = parse_date(raw)
        if parsed is None:
            raise Reject("invalid_date", f"{field} {raw!r} is not YYYY-MM-DD or DD/MM/YYYY")
        return parsed

    def ward(self, code: str | None) -> str | None:
        """A ward code checked against the current unit list."""
        if code is not None and code not in self.wards:
            raise Reject("unknown_ward", f"ward_code {code!r} is not a current ward code")
        return code
