"""Camera detections: vehicles with ANPR plates, people, intrusions and crowds.

A fixed pool of vehicles circulates, a few of them very often (commuters, delivery bikes), most
rarely: a Zipf-like law. Plates are local (the province's old locality numbers, 65 and 95 for Cần
Thơ) with some from elsewhere. Stolen vehicles on the watchlist pass cameras too, mostly after
they were listed, so that the platform has plate hits to raise.
"""

from __future__ import annotations

import random
from typing import Final, Literal

from pipelines.simulator.clock import DAY, iso, local_midnight
from pipelines.simulator.config import SimulationConfig
from pipelines.simulator.messages import Draft, Payload
from pipelines.simulator.plates import Vehicle, VehicleType, make_plate
from pipelines.simulator.rand import Weighted, hours, poisson
from pipelines.simulator.reference import Camera, CameraOwner, WatchEntry
from pipelines.simulator.regions import PLATE_NUMBERS, ProvinceInfo

__all__ = [
    "DETECTION_HOURS",
    "DETECTION_KINDS",
    "Detection",
    "build_vehicles",
    "camera_drafts",
    "camera_payload",
    "detection",
    "plate_localities",
]

Detection = Literal["vehicle", "person", "intrusion", "crowd"]

_TYPES: Final[Weighted[VehicleType]] = Weighted(
    [("motorbike", 0.78), ("car", 0.17), ("truck", 0.04), ("bus", 0.01)]
)
DETECTION_KINDS: Final[dict[CameraOwner, Weighted[Detection]]] = {
    "public": Weighted([("vehicle", 0.8), ("person", 0.12), ("crowd", 0.05), ("intrusion", 0.03)]),
    "household": Weighted([("person", 0.5), ("vehicle", 0.35), ("intrusion", 0.15)]),
    "business": Weighted([("vehicle", 0.5), ("person", 0.4), ("intrusion", 0.1)]),
    "school": Weighted([("person", 0.5), ("crowd", 0.2), ("intrusion", 0.15), ("vehicle", 0.15)]),
}
DETECTION_HOURS: Final[dict[Detection, Weighted[int]]] = {
    # Traffic: morning and evening rush, quiet after midnight.
    "vehicle": hours([1, 0.5, 0.3, 0.3, 0.8, 2, 5, 8, 7, 5, 4, 4,
                      4, 4, 4, 5, 6, 8, 8, 6, 5, 4, 3, 2]),
    "person": hours([0.5, 0.3, 0.2, 0.2, 0.5, 2, 4, 5, 5, 5, 5, 5,
                     4, 4, 5, 5, 6, 6, 6, 5, 4, 3, 2, 1]),
    "intrusion": hours([6, 7, 7, 6, 4, 1, 0.3, 0.2, 0.2, 0.2, 0.2, 0.2,
                        0.3, 0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 1, 2, 3, 4, 5]),
    "crowd": hours([0.5, 0.2, 0.1, 0.1, 0.1, 0.5, 2, 3, 2, 1, 1, 2,
                    1, 1, 1, 2, 3, 4, 5, 6, 6, 4, 2, 1]),
}  # fmt: skip


def plate_localities(province: ProvinceInfo, local_share: float = 0.88) -> Weighted[int]:
    """Locality numbers on plates seen in the province; the seat's number the most common."""
    own = province.plate_numbers
    own_weights = [2.0 if n == own[0] else 1.0 for n in own]
    scale = local_share / sum(own_weights)
    others = sorted({n for numbers in PLATE_NUMBERS.values() for n in numbers} - set(own))
    other_scale = (1 - local_share) / len(others)
    pairs = [(n, w * scale) for n, w in zip(own, own_weights, strict=True)]
    return Weighted(pairs + [(n, other_scale) for n in others])


def build_vehicles(
    province: ProvinceInfo, rng: random.Random, count: int
) -> tuple[tuple[Vehicle, ...], Weighted[Vehicle]]:
    """A pool of vehicles and how often each passes a camera (Zipf-like, exponent 0.8)."""
    localities = plate_localities(province)
    seen: set[str] = set()
    vehicles: list[Vehicle] = []
    while len(vehicles) < count:
        vehicle_type = _TYPES.draw(rng)
        plate = make_plate(rng, localities.draw(rng), vehicle_type)
        if plate not in seen:
            seen.add(plate)
            vehicles.append(Vehicle(plate, vehicle_type))
    frequency = Weighted([(v, 1 / (rank + 1) ** 0.8) for rank, v in enumerate(vehicles)])
    return tuple(vehicles), frequency


def camera_payload(
    camera_id: str,
    at: int,
    kind: Detection,
    plate: str | None,
    vehicle_type: VehicleType | None,
    confidence: float,
) -> Payload:
    return {
        "schema_version": 1,
        "event_id": "",
        "camera_id": camera_id,
        "observed_at": iso(at),
        "kind": kind,
        "plate": plate,
        "vehicle_type": vehicle_type,
        "confidence": confidence,
    }


def detection(
    rng: random.Random,
    camera: Camera,
    at: int,
    kind: Detection,
    vehicles: Weighted[Vehicle],
    vehicle: Vehicle | None = None,
) -> Payload:
    """One detection; vehicles get a plate (a few unreadable ones have none)."""
    confidence = round(0.55 + 0.44 * rng.random() ** 0.5, 3)
    if kind != "vehicle":
        return camera_payload(camera.camera_id, at, kind, None, None, confidence)
    seen = vehicle or vehicles.draw(rng)
    plate = None if vehicle is None and rng.random() < 0.04 else seen.plate
    return camera_payload(camera.camera_id, at, kind, plate, seen.vehicle_type, confidence)


def camera_drafts(
    config: SimulationConfig,
    cameras: tuple[Camera, ...],
    vehicles: Weighted[Vehicle],
    watchlist: tuple[WatchEntry, ...],
    rng: random.Random,
) -> list[Draft]:
    """The detections of the camera window (the last ``camera_days`` of history), unordered."""
    start, end = config.camera_start_s, config.end_s
    spans = [(c, c.active_span(start, end)) for c in cameras]
    live = [(c, span) for c, span in spans if span is not None]
    if not live:
        return []
    drafts: list[Draft] = []

    def add(payload: Payload, at: int) -> None:
        drafts.append(Draft("camera.events", at * 1000 + rng.randrange(200, 3000), payload))

    for camera, (lo, hi) in live:
        count = poisson(rng, camera.activity * config.camera_traffic * (hi - lo) / DAY)
        kinds = DETECTION_KINDS[camera.owner]
        for _ in range(count):
            kind = kinds.draw(rng)
            midnight = local_midnight(rng.randrange(lo, hi))
            at = midnight + DETECTION_HOURS[kind].draw(rng) * 3600 + rng.randrange(3600)
            if lo <= at < hi:
                add(detection(rng, camera, at, kind, vehicles), at)

    for entry in watchlist:
        if entry.vehicle is None:
            continue
        # Stolen vehicles keep moving: sightings after listing (alerts if active), some before.
        sightings = [(entry.listed_at, end)] * rng.randint(2 if entry.active else 0, 5)
        sightings += [(start, entry.listed_at)] * rng.randint(0, 2)
        for low, high in sightings:
            for _ in range(8):  # a camera working at the time; give up on a short span
                camera, (lo, hi) = rng.choice(live)
                lo, hi = max(lo, low), min(hi, high)
                if hi - lo >= 60:
                    at = rng.randrange(lo, hi)
                    add(detection(rng, camera, at, "vehicle", vehicles, entry.vehicle), at)
                    break
    return drafts
