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
    """Read-only state for one batch; ``now`` is the processing time (UTC).

    ``received_at`` is the Kafka record timestamp of the message being cleaned (``for_message``).
    "In the future" is judged against it rather than the clock, so a replay a year later decides
    exactly as the first pass did; the topics bound it (``message.timestamp.after.max.ms``).
    """

    now: datetime
    province_code: int
    wards: Mapping[str, int]
    cameras: Mapping[str, CameraRef]
    facilities: Mapping[str, FacilityRef]
    watchlist: Mapping[str, tuple[WatchEntry, ...]]
    residents: Mapping[str, Resident]  # the population registry, by person pseudonym
    pseudonymise: Pseudonymiser
    received_at: datetime | None = None

    def for_message(self, received_at: datetime) -> CleanContext:
        """This context for cleaning one message that reached Kafka at ``received_at``."""
        # Called for every message: the constructor is ten times cheaper than dataclasses.replace.
        return CleanContext(
            now=self.now,
            province_code=self.province_code,
            wards=self.wards,
            cameras=self.cameras,
            facilities=self.facilities,
            watchlist=self.watchlist,
            residents=self.residents,
            pseudonymise=self.pseudonymise,
            received_at=received_at,
        )

    # Messages name the field and the rule, never the value: they land in an analyst-facing
    # table, and the value may be an ID number. The original bytes stay in the dead letter.
    def timestamp(self, event: Mapping[str, Any], field: str) -> datetime:
        """A timestamp field in UTC; rejects unreadable ones and ones in the future."""
        parsed = parse_timestamp(event[field])
        if parsed is None:
            raise Reject(
                "invalid_timestamp",
                f"{field} is not an RFC 3339 timestamp between the years 1900 and 2199",
            )
        if is_future(parsed, self.received_at or self.now):
            raise Reject(
                "future_timestamp",
                f"{field} is more than 5 minutes after the message reached Kafka",
            )
        return parsed

    def date(self, event: Mapping[str, Any], field: str) -> date | None:
        """An optional date field; rejects one that is present but unreadable."""
        raw = event.get(field)
        if raw is None:
            return None
        parsed = parse_date(raw)
        if parsed is None:
            raise Reject(
                "invalid_date",
                f"{field} is not a date (YYYY-MM-DD or DD/MM/YYYY) between 1900 and 2199",
            )
        return parsed

    def ward(self, code: str | None) -> str | None:
        """A ward code checked against the current unit list."""
        if code is not None and code not in self.wards:
            raise Reject("unknown_ward", "ward_code is not a current (post-July-2025) ward code")
        return code
