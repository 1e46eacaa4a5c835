"""Reference data: security cameras, lodging facilities and the watchlist, and their messages.

Both scale with the residents, so that a small province is a small province, not a few people
among many hotels: cameras sit at ward nodes, about 2.5 per 1,000 residents in towns and 1.5 in
villages (Tây Giang had 41 at traffic nodes for about 21,500 people, seed 001), owned by the public
purse, households, businesses or schools; about 15% are not yet connected to a monitoring centre
and send nothing. Lodging facilities are about 4 per 10,000 residents in towns and 2 in villages
(Vietnam counts some 36,000 accommodation establishments for 100 million people, 3.6 per 10,000);
most notify through the platform from a date on, some not at all. The watchlist holds
stolen-vehicle plates and wanted or missing persons, a few inactive.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

from pipelines.simulator.clock import DAY, HOUR, iso, local, to_s
from pipelines.simulator.config import SimulationConfig
from pipelines.simulator.messages import Draft, Payload
from pipelines.simulator.names import STREETS
from pipelines.simulator.plates import Vehicle, watchlist_spelling
from pipelines.simulator.population import Person
from pipelines.simulator.rand import Weighted, poisson
from pipelines.simulator.wards import WardProfile

__all__ = [
    "Camera",
    "CameraOwner",
    "Facility",
    "FacilityKind",
    "WatchEntry",
    "build_cameras",
    "build_facilities",
    "build_watchlist",
    "reference_drafts",
]

CameraOwner = Literal["public", "household", "business", "school"]
FacilityKind = Literal["hotel", "guesthouse", "motel", "homestay", "rental_rooms", "hospital"]

# Cameras per 1,000 residents and lodging facilities per 10,000, in towns (True) and villages.
_CAMERAS_PER_1000: Final = {True: 2.5, False: 1.5}
_FACILITIES_PER_10000: Final = {True: 4.0, False: 2.0}
_OWNERS: Final[Weighted[CameraOwner]] = Weighted(
    [("public", 0.5), ("household", 0.2), ("business", 0.2), ("school", 0.1)]
)
# Detections (tracked objects) a day: public cameras watch traffic nodes, household ones a door.
_OWNER_ACTIVITY: Final[dict[CameraOwner, float]] = {
    "public": 40.0, "business": 15.0, "school": 8.0, "household": 5.0,
}  # fmt: skip
_KINDS: Final[Weighted[FacilityKind]] = Weighted(
    [("hotel", 0.2), ("guesthouse", 0.3), ("motel", 0.15), ("homestay", 0.1),
     ("rental_rooms", 0.2), ("hospital", 0.05)]
)  # fmt: skip
# Check-ins a day: a provincial hotel fills a few rooms a night, rented rooms change hands rarely.
_KIND_ACTIVITY: Final[dict[FacilityKind, float]] = {
    "hotel": 4.0, "guesthouse": 2.0, "motel": 2.0, "homestay": 0.5, "rental_rooms": 0.2,
    "hospital": 1.0,
}  # fmt: skip
_BRANDS: Final = (
    "Hoa Mai", "Phương Nam", "Bình An", "Thanh Bình", "Ngọc Lan", "Hòa Bình", "Phú Quý",
    "Kim Ngân", "Hoàng Gia", "Hồng Phát", "An Khang", "Bảo Ngọc", "Trúc Xanh", "Sao Mai",
    "Thiên Phúc", "Minh Châu", "Hương Sen", "Vạn Phát", "Thành Đạt", "Như Ý",
)  # fmt: skip
_EARLIEST_INSTALL: Final = date(2019, 1, 1)
_PLATFORM_LAUNCH: Final = date(2022, 6, 1)


@dataclass(frozen=True, slots=True)
class Camera:
    camera_id: str
    ward_code: str
    name: str
    latitude: float
    longitude: float
    owner: CameraOwner
    connected: bool
    installed_on: date
    removed_on: date | None
    activity: float  # detections a day

    def active_span(self, start: int, end: int) -> tuple[int, int] | None:
        """The part of [start, end) in which the camera sends detections, if any."""
        if not self.connected:
            return None
        lo = max(start, to_s(self.installed_on))
        hi = min(end, to_s(self.removed_on)) if self.removed_on else end
        return (lo, hi) if hi - lo >= HOUR else None

    def payload(self) -> Payload:
        return {
            "schema_version": 1,
            "camera_id": self.camera_id,
            "ward_code": self.ward_code,
            "name": self.name,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "owner": self.owner,
            "connected": self.connected,
            "installed_on": self.installed_on.isoformat(),
            "removed_on": self.removed_on.isoformat() if self.removed_on else None,
        }

    @property
    def dated_s(self) -> int:
        """The start of the latest day the record states: removal, else installation."""
        return to_s(self.removed_on or self.installed_on)


@dataclass(frozen=True, slots=True)
class Facility:
    facility_id: str
    name: str
    kind: FacilityKind
    ward_code: str
    on_platform_since: date | None
    activity: float  # check-ins a day
    # How much more (or less) often than average this facility notifies late.
    lateness: float

    def active_span(self, start: int, end: int) -> tuple[int, int] | None:
        """The part of [start, end) in which the facility notifies through the platform."""
        if self.on_platform_since is None:
            return None
        lo = max(start, to_s(self.on_platform_since))
        return (lo, end) if end - lo >= DAY else None

    def payload(self) -> Payload:
        since = self.on_platform_since
        return {
            "schema_version": 1,
            "facility_id": self.facility_id,
            "name": self.name,
            "kind": self.kind,
            "ward_code": self.ward_code,
            "on_platform_since": since.isoformat() if since else None,
        }

    @property
    def dated_s(self) -> int | None:
        """The start of the day the record states the facility joined the platform, if any."""
        return to_s(self.on_platform_since) if self.on_platform_since else None


@dataclass(frozen=True, slots=True)
class WatchEntry:
    entry_id: str
    kind: Literal["plate", "person"]
    value: str
    reason: Literal["stolen_vehicle", "wanted", "missing_person"]
    active: bool
    listed_at: int
    vehicle: Vehicle | None = None
    person: Person | None = None

    def payload(self) -> Payload:
        return {
            "schema_version": 1,
            "entry_id": self.entry_id,
            "kind": self.kind,
            "value": self.value,
            "reason": self.reason,
            "active": self.active,
            "listed_at": iso(self.listed_at),
        }


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange(max(1, (last - first).days)))


def _camera_name(rng: random.Random, owner: CameraOwner, ward: WardProfile, index: int) -> str:
    place = ward.info.short_name
    area = f"khu vực {index}" if ward.is_urban else f"ấp {index}"
    if owner == "public":
        return rng.choice(
            (
                f"Ngã tư {rng.choice(STREETS)}",
                f"Ngã ba {rng.choice(STREETS)}",
                f"Cầu {place}",
                f"Chợ {place}",
                f"Trụ sở Công an {ward.info.name}",
                f"Đường {rng.choice(STREETS)}",
            )
        )
    if owner == "household":
        return f"Hộ gia đình {area}, {place}"
    if owner == "business":
        return rng.choice(
            (
                f"Cửa hàng {rng.choice(_BRANDS)}",
                f"Cây xăng {place}",
                f"Tiệm vàng {rng.choice(_BRANDS)}",
                f"Siêu thị mini {rng.choice(_BRANDS)}",
            )
        )
    return rng.choice((f"Trường THCS {place}", f"Trường Tiểu học {place}", f"Trường THPT {place}"))


def build_cameras(
    config: SimulationConfig,
    wards: tuple[WardProfile, ...],
    population: Mapping[str, int],
    rng: random.Random,
) -> tuple[Camera, ...]:
    start_day, end_day = local(config.start_s).date(), local(config.end_s).date()
    cameras: list[Camera] = []
    for ward in wards:
        expected = population.get(ward.code, 0) / 1000 * _CAMERAS_PER_1000[ward.is_urban]
        for index in range(1, poisson(rng, expected) + 1):
            owner = _OWNERS.draw(rng)
            if rng.random() < 0.8:
                installed = _day_between(rng, _EARLIEST_INSTALL, start_day)
            else:
                installed = _day_between(rng, start_day, end_day)
            removed = None
            if installed < start_day and rng.random() < 0.03:
                removed = _day_between(rng, start_day, end_day)
            cameras.append(
                Camera(
                    camera_id=f"CAM-{ward.code}-{index:02d}",
                    ward_code=ward.code,
                    name=_camera_name(rng, owner, ward, index),
                    latitude=round(ward.latitude + rng.uniform(-0.01, 0.01), 6),
                    longitude=round(ward.longitude + rng.uniform(-0.01, 0.01), 6),
                    owner=owner,
                    connected=rng.random() >= 0.15,
                    installed_on=installed,
                    removed_on=removed,
                    activity=_OWNER_ACTIVITY[owner] * rng.uniform(0.5, 1.5),
                )
            )
    return tuple(cameras)


def _facility_name(rng: random.Random, kind: FacilityKind, ward: WardProfile) -> str:
    brand = rng.choice((*_BRANDS, ward.info.short_name))
    place = ward.info.short_name
    names: dict[FacilityKind, tuple[str, ...]] = {
        "hotel": (f"Khách sạn {brand}",),
        "guesthouse": (f"Nhà nghỉ {brand}",),
        "motel": (f"Nhà nghỉ {brand}", f"Motel {brand}"),
        "homestay": (f"Homestay {brand}",),
        "rental_rooms": (f"Nhà trọ {brand}", f"Khu nhà trọ {place}"),
        "hospital": (f"Bệnh viện đa khoa {place}", f"Trung tâm Y tế {place}"),
    }
    return rng.choice(names[kind])


def build_facilities(
    config: SimulationConfig,
    wards: tuple[WardProfile, ...],
    population: Mapping[str, int],
    rng: random.Random,
) -> tuple[Facility, ...]:
    end_day = local(config.end_s).date()
    facilities: list[Facility] = []
    for ward in wards:
        expected = population.get(ward.code, 0) / 10_000 * _FACILITIES_PER_10000[ward.is_urban]
        for index in range(1, poisson(rng, expected) + 1):
            kind = _KINDS.draw(rng)
            since = None
            if rng.random() < 0.88:
                since = _day_between(rng, _PLATFORM_LAUNCH, end_day - timedelta(days=30))
            facilities.append(
                Facility(
                    facility_id=f"FAC-{ward.code}-{index:03d}",
                    name=_facility_name(rng, kind, ward),
                    kind=kind,
                    ward_code=ward.code,
                    on_platform_since=since,
                    activity=_KIND_ACTIVITY[kind] * rng.uniform(0.5, 1.5),
                    lateness=rng.choice((0.2, 0.5, 0.8, 1.0, 1.0, 1.2, 1.5, 3.0)),
                )
            )
    return tuple(facilities)


def build_watchlist(
    config: SimulationConfig,
    stolen: tuple[Vehicle, ...],
    wanted: tuple[Person, ...],
    missing: tuple[Person, ...],
    rng: random.Random,
) -> tuple[WatchEntry, ...]:
    """Entries for the given plates and persons; ~15% inactive, at least one of each kind."""
    start, end = config.start_s, config.end_s

    def listed_at() -> int:
        # Most are listed inside the window, leaving time to be sighted afterwards.
        if rng.random() < 0.8 and end - start > 40 * DAY:
            return rng.randrange(start, end - 20 * DAY)
        return rng.randrange(start - 730 * DAY, start)

    entries: list[WatchEntry] = []
    for index, vehicle in enumerate(stolen):
        entries.append(
            WatchEntry(
                entry_id="",
                kind="plate",
                value=watchlist_spelling(rng, vehicle.plate),
                reason="stolen_vehicle",
                active=index != 0 and rng.random() >= 0.15,
                listed_at=listed_at(),
                vehicle=vehicle,
            )
        )
    people = [(p, "wanted") for p in wanted] + [(p, "missing_person") for p in missing]
    for index, (person, reason) in enumerate(people):
        entries.append(
            WatchEntry(
                entry_id="",
                kind="person",
                value=person.id_number,
                reason="wanted" if reason == "wanted" else "missing_person",
                active=index != 0 and rng.random() >= 0.15,
                listed_at=listed_at(),
                person=person,
            )
        )
    entries.sort(key=lambda e: (e.listed_at, e.kind, e.value))
    return tuple(
        WatchEntry(
            f"WL-{n:04d}", e.kind, e.value, e.reason, e.active, e.listed_at, e.vehicle, e.person
        )
        for n, e in enumerate(entries, start=1)
    )


def reference_drafts(
    cameras: tuple[Camera, ...],
    facilities: tuple[Facility, ...],
    watchlist: tuple[WatchEntry, ...],
    at: int,
) -> list[Draft]:
    """The reference topics' messages, stamped ``at`` (before the first history event) or, for an
    entity whose record states a later date, at that date.

    Reference records are judged against their Kafka record timestamp, as events are, so that a
    replay decides as the first pass did: a record stamped before the dates it states would be
    rejected as being in the future (a watch entry listed after the snapshot, most of all).
    """

    def stamp(dated_s: int | None) -> int:
        return max(at, dated_s or at) * 1000

    drafts = [Draft("ref.cameras", stamp(c.dated_s), c.payload()) for c in cameras]
    drafts += [Draft("ref.facilities", stamp(f.dated_s), f.payload()) for f in facilities]
    drafts += [Draft("ref.watchlist", stamp(w.listed_at), w.payload()) for w in watchlist]
    return drafts
