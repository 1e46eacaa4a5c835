"""The throughput benchmark's backlogs: valid events, produced before any consumer is timed.

Every event is valid and distinct, so every consumer's count is the backlog's size and the worker
lands exactly that many rows: camera detections from a few hundred cameras, lodging check-ins of
residents the registry holds (each guest looked up), and population registrations of distinct
people (each one a registry write). Event times are a few minutes before now, inside every
freshness check; the data is made up (no real person or plate).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from antt.kafka import client_options
from antt.record_batches import send_batches
from antt.settings import Settings
from streams.cleaning.identity import Sex, build_cccd
from streams.reference.wards import ward_provinces

__all__ = ["CAMERAS", "FACILITIES", "Backlog", "camera_events", "checkins", "produce", "residents"]

CAMERAS = 400
FACILITIES = 50
_PROVINCE = 92  # Cần Thơ, the demo's province; its code as a birth province is 92 too
# Cameras, facilities and residents spread over eight of its current (2025) wards.
_WARDS = tuple(sorted(w for w, p in ward_provinces().items() if p == _PROVINCE)[:8])
_PROGRESS_EVERY = 50_000
_BATCH_BYTES = 512 * 1024  # a record batch well under the source topics' message limit

Record = tuple[bytes, bytes]  # key, value


@dataclass(frozen=True, slots=True)
class Backlog:
    """What one workload put on its topic."""

    topic: str
    events: int


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _camera_id(i: int) -> str:
    return f"CAM-B{i:04d}"


def _facility_id(i: int) -> str:
    return f"FAC-B{i:03d}"


def _ward(i: int) -> str:
    return _WARDS[i % len(_WARDS)]


def references() -> dict[str, list[Record]]:
    """The cameras and facilities the events refer to, by reference topic."""
    cameras = [
        {
            "schema_version": 1,
            "camera_id": _camera_id(i),
            "ward_code": _ward(i),
            "name": f"Camera {i}",
            "latitude": 10.03,
            "longitude": 105.78,
            "owner": "public",
            "connected": True,
            "installed_on": "2024-01-01",
            "removed_on": None,
        }
        for i in range(CAMERAS)
    ]
    facilities = [
        {
            "schema_version": 1,
            "facility_id": _facility_id(i),
            "name": f"Nhà nghỉ {i}",
            "kind": "guesthouse",
            "ward_code": _ward(i),
            "on_platform_since": "2024-06-15",
        }
        for i in range(FACILITIES)
    ]
    return {
        "ref.cameras": [(_camera_id(i).encode(), orjson.dumps(c)) for i, c in enumerate(cameras)],
        "ref.facilities": [
            (_facility_id(i).encode(), orjson.dumps(f)) for i, f in enumerate(facilities)
        ],
    }


def camera_events(count: int, now: datetime) -> Iterator[Record]:
    """Motorbike detections with distinct plates: 65-B1 000.00 and on."""
    for i in range(count):
        camera = _camera_id(i % CAMERAS)
        plate = f"65-B{1 + i % 9} {i // 9 % 1000:03d}.{i // 9000 % 100:02d}"
        event = {
            "schema_version": 1, "event_id": f"bench-cam-{i}", "camera_id": camera,
            "observed_at": _rfc3339(now - timedelta(seconds=600 - i % 600)), "kind": "vehicle",
            "plate": plate, "vehicle_type": "motorbike", "confidence": 0.9,
        }  # fmt: skip
        yield camera.encode(), orjson.dumps(event)


def _person(i: int) -> dict[str, str]:
    year = 1960 + i % 45
    sex: Sex = "female" if i % 2 else "male"
    return {
        "id_number": build_cccd(_PROVINCE, year, sex, i % 1_000_000),
        "full_name": "Nguyễn Văn An" if sex == "male" else "Trần Thị Bình",
        "date_of_birth": f"{year}-0{1 + i % 9}-1{i % 10}",
        "sex": sex,
    }


def residents(count: int, now: datetime) -> Iterator[Record]:
    """Registrations of ``count`` distinct residents (at most a million: six-digit serials)."""
    for i in range(count):
        person = _person(i)
        event = {
            "schema_version": 1, "event_id": f"bench-pop-{i}",
            "occurred_at": _rfc3339(now - timedelta(days=1)), "change": "registered",
            "person": person, "ward_code": _ward(i), "residence": "permanent",
        }  # fmt: skip
        yield person["id_number"].encode(), orjson.dumps(event)


def checkins(count: int, residents: int, now: datetime) -> Iterator[Record]:
    """Check-ins by the first ``residents`` registered residents, round robin."""
    for i in range(count):
        facility = _facility_id(i % FACILITIES)
        guest = {**_person(i % residents), "id_type": "cccd", "nationality": "VN",
                 "phone": "0912345678"}  # fmt: skip
        event = {
            "schema_version": 1, "event_id": f"bench-lod-{i}", "facility_id": facility,
            "action": "check_in", "occurred_at": _rfc3339(now - timedelta(minutes=10)),
            "read_method": "chip", "guest": guest, "reason": "công tác",
        }  # fmt: skip
        yield facility.encode(), orjson.dumps(event)


def produce(
    settings: Settings,
    topic: str,
    records: Iterable[Record],
    on_progress: Callable[[int], None] | None = None,
) -> Backlog:
    """Produce ``records`` to ``topic`` and wait until the broker has every one.

    Whole record batches per partition, built by aiokafka in C: many times faster than a send per
    record, so that setting up a backlog of a few hundred thousand events takes seconds. Keys go to
    partitions by Kafka's default partitioner (murmur2 of the key), as any producer's would.
    """
    return asyncio.run(_produce(settings, topic, records, on_progress))


async def _produce(
    settings: Settings,
    topic: str,
    records: Iterable[Record],
    on_progress: Callable[[int], None] | None,
) -> Backlog:
    producer = AIOKafkaProducer(**client_options(settings), acks="all", max_batch_size=_BATCH_BYTES)
    await producer.start()
    try:
        partitions = sorted(await producer.partitions_for(topic))
        partitioner = DefaultPartitioner()
        count = 0

        def placed() -> Iterator[tuple[int, bytes | None, bytes]]:
            nonlocal count
            for key, value in records:
                yield partitioner(key, partitions, partitions), key, value
                count += 1
                if on_progress is not None and count % _PROGRESS_EVERY == 0:
                    on_progress(count)

        await send_batches(producer, topic, placed())
    finally:
        await producer.stop()
    return Backlog(topic, count)
