"""What to simulate: one frozen configuration, so that a seed and a config name one exact output."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Final

from pipelines.simulator.regions import PROVINCE_OLD_CODES

__all__ = [
    "DEFAULT_END_AT",
    "ICT",
    "REAL_CAMERA_TRAFFIC",
    "REAL_RESIDENTS",
    "SimulationConfig",
    "real_residents",
]

# Asia/Ho_Chi_Minh has had no daylight saving since 1975: a fixed offset is exact and avoids
# loading tz data in the hot loop.
ICT: Final = timezone(timedelta(hours=7), "ICT")

# A fixed default keeps generate() reproducible without arguments; the CLI passes the current hour.
DEFAULT_END_AT: Final = datetime(2026, 11, 1, 0, 0, tzinfo=ICT)

# Residents of a province at its real size, for ``--scale``: Cần Thơ since the 2025 merger is the
# GSO's 2024 average population of Cần Thơ, Hậu Giang and Sóc Trăng (about 1.26 + 0.73 + 1.20
# million), rounded (docs/scaling.md). Other provinces take an explicit ``--residents``.
REAL_RESIDENTS: Final[dict[int, int]] = {92: 3_200_000}

# Real ANPR cameras read thousands of plates a day (England and Wales: about 8,500 cameras, 25-35
# million reads a day, i.e. 3,000-4,000 each); the demo's per-camera rates (docs/architecture.md,
# 40 a day at a public traffic node) are this many times smaller, so that the demo stays small.
REAL_CAMERA_TRAFFIC: Final = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulationConfig:
    """One synthetic province.

    Every timestamp of the backfill derives from ``end_at`` (the end of the history); nothing
    reads the wall clock, so the same config gives byte-identical messages. ``future_anchor`` is
    the one exception the publisher sets: records meant to be rejected as "in the future" must
    lie ahead of the clock of whoever processes them, which the history's end cannot guarantee
    when ``end_at`` is in the past.
    """

    seed: int = 2024
    province_code: int = 92
    days: int = 400
    end_at: datetime = DEFAULT_END_AT
    # Everything else scales with the residents: incidents per 100,000 residents, lodging
    # facilities and cameras per resident, check-ins per facility and detections per camera.
    residents_per_ward: int = 250
    # The province's residents, exactly, apportioned over the wards (a province at real size, or
    # a share of it); None: ``residents_per_ward`` on average, as the demo does.
    residents: int | None = None
    # Multiplies every camera's detections a day: 1 is the demo's sample, REAL_CAMERA_TRAFFIC what
    # real cameras see.
    camera_traffic: float = 1.0
    # Camera detections come by the thousand a day: only the last camera_days of them are
    # backfilled (the live phase continues them); the other topics cover the whole history.
    camera_days: int = 14
    dirty_share: float = 0.0
    # Share of lodging check-ins notified after the legal deadline.
    late_share: float = 0.07
    future_anchor: datetime | None = None

    def __post_init__(self) -> None:
        if self.end_at.tzinfo is None or self.end_at.utcoffset() is None:
            raise ValueError("end_at must be timezone-aware")
        if self.future_anchor is not None and self.future_anchor.utcoffset() is None:
            raise ValueError("future_anchor must be timezone-aware")
        if self.province_code not in PROVINCE_OLD_CODES:
            raise ValueError(f"unknown province code {self.province_code}")
        if not 1 <= self.days <= 3650:
            raise ValueError("days must be between 1 and 3650")
        if self.residents_per_ward < 1:
            raise ValueError("residents_per_ward must be at least 1")
        if self.residents is not None and self.residents < 1:
            raise ValueError("residents must be at least 1")
        if not 0.0 < self.camera_traffic <= 1000.0:
            raise ValueError("camera_traffic must be above 0 and at most 1000")
        if not 0.0 <= self.dirty_share <= 1.0:
            raise ValueError("dirty_share must be between 0 and 1")
        if not 0.0 <= self.late_share <= 1.0:
            raise ValueError("late_share must be between 0 and 1")
        if self.camera_days < 0:
            raise ValueError("camera_days must not be negative")

    @property
    def end_s(self) -> int:
        """The end of the history, in whole epoch seconds."""
        return int(self.end_at.timestamp())

    @property
    def start_s(self) -> int:
        """The start of the history window, in whole epoch seconds."""
        return self.end_s - self.days * 86_400

    @property
    def camera_start_s(self) -> int:
        """The start of the camera detections' window, in whole epoch seconds."""
        return self.end_s - min(self.camera_days, self.days) * 86_400

    @property
    def future_anchor_s(self) -> int:
        """The instant that "future" dirty timestamps lie ahead of."""
        if self.future_anchor is None:
            return self.end_s
        return max(self.end_s, int(self.future_anchor.timestamp()))


def real_residents(province_code: int, scale: float) -> int:
    """``scale`` of the province's real residents (at least one); ValueError when unknown."""
    if not 0.0 < scale <= 1.0:
        raise ValueError("scale must be above 0 and at most 1")
    real = REAL_RESIDENTS.get(province_code)
    if real is None:
        raise ValueError(
            f"the real size of province {province_code} is not known; give --residents instead"
        )
    return max(1, round(scale * real))
