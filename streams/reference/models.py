"""Reference entities as the stream processors hold them in memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["CameraRef", "FacilityRef", "WatchEntry"]


@dataclass(frozen=True, slots=True)
class CameraRef:
    camera_id: str
    ward_code: str
    owner: str
    is_connected: bool


@dataclass(frozen=True, slots=True)
class FacilityRef:
    facility_id: str
    ward_code: str
    kind: str
    on_platform_since: date | None


@dataclass(frozen=True, slots=True)
class WatchEntry:
    entry_id: str
    kind: str  # plate | person
    value_key: str
    reason: str
    is_active: bool
