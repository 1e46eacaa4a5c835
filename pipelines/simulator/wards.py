"""Ward profiles: where each ward sits, how busy it is, and how its crime changes year on year.

The year-over-year change is drawn per ward so that a clear majority of wards meet the target of
"at least 5% fewer social-order crimes than the previous year" (seed 004) and the rest do not:
the two groups are drawn from ranges kept apart from -5%, so the target decides on the trend
rather than on a coin flip, though Poisson noise still moves wards near the edge.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Final

from pipelines.simulator.regions import ProvinceInfo, WardInfo

__all__ = ["MEETING_SHARE", "WardProfile", "build_wards"]

# Share of wards drawn from the "meets the -5% target" range.
MEETING_SHARE: Final = 0.55
_MEETING: Final = (-0.35, -0.10)
_MISSING: Final = (0.0, 0.25)
_ACTIVITY: Final[dict[str, float]] = {"phường": 1.6, "xã": 1.0, "đặc khu": 0.8}


@dataclass(frozen=True, slots=True)
class WardProfile:
    """A ward with a point on the map and the parameters of its incident rates."""

    info: WardInfo
    latitude: float
    longitude: float
    activity: float
    # Yearly relative change of the incident rate: -0.12 is 12% fewer a year.
    crime_change: float
    social_evil_change: float
    traffic_change: float

    @property
    def code(self) -> str:
        return self.info.code

    @property
    def is_urban(self) -> bool:
        return self.info.division == "phường"


def build_wards(province: ProvinceInfo, rng: random.Random) -> tuple[WardProfile, ...]:
    """One profile per ward, in ward-code order."""
    order = list(range(len(province.wards)))
    rng.shuffle(order)
    meeting = set(order[: max(1, round(len(order) * MEETING_SHARE))])
    if len(order) > 1 and len(meeting) == len(order):
        meeting.discard(order[-1])
    lat0, lon0 = province.centre
    profiles: list[WardProfile] = []
    for index, ward in enumerate(province.wards):
        # A uniform point in a disc of ~35 km around the province centre.
        radius, angle = 0.32 * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
        low, high = _MEETING if index in meeting else _MISSING
        profiles.append(
            WardProfile(
                info=ward,
                latitude=round(lat0 + radius * math.sin(angle), 5),
                longitude=round(lon0 + radius * math.cos(angle), 5),
                activity=_ACTIVITY.get(ward.division, 1.0) * rng.uniform(0.6, 1.4),
                crime_change=rng.uniform(low, high),
                social_evil_change=rng.uniform(-0.2, 0.15),
                traffic_change=rng.uniform(-0.2, 0.15),
            )
        )
    return tuple(profiles)
