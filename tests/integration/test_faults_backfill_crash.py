"""A worker SIGKILLed mid-backfill, with the population registry and watchlist alerts in play.

A backlog of population updates, lodging check-ins and camera events waits on the broker, with
watchlist entries that some guests and plates hit. The worker is killed with SIGKILL while the
registry is half built and some landed batches are not yet committed, then restarted on the same
folder. Every event must land exactly once, the registry must equal the fold of ``apply_update``
over the same updates (the clean run's result), and no alert may be lost: each one is on the
``alerts`` topic (a replayed batch may send it again: the topic is at-least-once) and once in the
landed alerts.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Literal

import pytest

import warehouse
from antt.settings import Settings
from pipelines.worker_process import WorkerProcess
from streams.cleaning.identity import build_cccd
from streams.contexts import ContextFactory
from streams.population.keeper import RegistryKeeper
from streams.population.registry import Resident
from streams.reference.store import ReferenceStore
from tests import factories as f
from tests.integration.kafka_io import Producer, read_topic
from tests.integration.scenarios import (
    Landed,
    balance,
    landed,
    landed_past_committed,
    read_registry,
)

pytestmark = pytest.mark.integration

HANOI_WARD = "00070"  # Phường Hoàn Kiếm, Hà Nội
PERSONS = 300
CHECKINS = 1000
CAMERA_EVENTS = 5000
CAMERAS = [f"CAM-{n}" for n in range(1, 10)]
FACILITIES = ["FAC-1", "FAC-2", "FAC-3"]
WATCHED_PERSONS = (7, 77, 177)  # 7 checks in again after the restart
WATCHED_PLATES = {"WL-V1": "65-B1 234.56", "WL-V2": "51-F1 678.90"}
TOPICS = {"population.updates": "population_updates", "lodging.checkins": "lodging_checkins",
          "camera.events": "camera_events"}  # fmt: skip


def _person(n: int) -> dict[str, Any]:
    year = 1960 + n % 40
    sex: Literal["male", "female"] = "male" if n % 2 == 0 else "female"
    return {"id_number": build_cccd(92, year, sex, 20_000 + n), "full_name": "Nguyễn Văn An",
            "date_of_birth": f"{year}-03-{1 + n % 28:02d}", "sex": sex}  # fmt: skip


def _updates(n: int) -> list[dict[str, Any]]:
    """A person's history, one update out of order for some: the registry must see through it."""
    person = _person(n)

    def update(change: str, day: str, **fields: Any) -> dict[str, Any]:
        placed = {"ward_code": None, "residence": None}
        occurred_at = f"{day}T09:00:00+07:00"
        event_id = f"pop-{n}-{change}-{day}"
        fields = {**placed, **fields}
        return f.population(
            event_id, change=change, person=person, occurred_at=occurred_at, **fields
        )

    updates = [
        update("registered", "2024-01-10", ward_code=f.WARD, residence="permanent"),
        update("id_card_issued", "2024-02-10"),
    ]
    if n % 3 == 1:
        updates.append(update("moved", "2025-06-01", ward_code=f.OTHER_WARD, residence="temporary"))
    elif n % 3 == 2:
        updates.append(update("moved", "2025-06-01", ward_code=HANOI_WARD, residence="permanent"))
    if n % 4 == 0:
        updates.append(update("vneid_activated", "2025-07-01", vneid_level=2))
    if n % 5 == 0:
        updates.append(update("removed", "2026-01-01"))
        # A registration from before, arriving late: it must not undo the removal.
        updates.append(update("registered", "2023-05-05", ward_code=f.OTHER_WARD,
                              residence="permanent"))  # fmt: skip
    return updates


def _checkin(event_id: str, n: int, facility_id: str) -> dict[str, Any]:
    person = _person(n)
    guest = f.guest(**person, phone=None)
    return f.checkin(event_id, facility_id=facility_id, guest=guest)


def _camera_event(i: int) -> dict[str, Any]:
    plate = None
    if i % 97 == 0:
        plate = WATCHED_PLATES["WL-V1"]
    elif i % 89 == 0:
        plate = WATCHED_PLATES["WL-V2"]
    return f.camera_event(f"cam-{i}", camera_id=CAMERAS[i % len(CAMERAS)], plate=plate)


def _expected_registry(settings: Settings, updates: list[dict[str, Any]]) -> dict[str, Resident]:
    """What a clean run holds: every update folded in, in the order each person's were sent."""
    residents: dict[str, Resident] = {}
    keeper = RegistryKeeper(residents, ContextFactory(settings, ReferenceStore(), residents))
    now = datetime.now(UTC)
    for event in updates:
        keeper.register(f.message("population.updates", event, received_at=now))
    assert keeper.registered == len(updates)
    return residents


def test_sigkill_mid_backfill_keeps_every_event_the_registry_and_every_alert(
    platform: Settings,
) -> None:
    settings = platform.model_copy(update={"batch_max": 250})
    updates = [u for n in range(PERSONS) for u in _updates(n)]
    checkins = [_checkin(f"lod-{i}", i % PERSONS, FACILITIES[i % 3]) for i in range(CHECKINS)]
    cameras = [_camera_event(i) for i in range(CAMERA_EVENTS)]
    produced = {"population.updates": updates, "lodging.checkins": checkins,
                "camera.events": cameras}  # fmt: skip

    producer = Producer(settings)
    for camera_id in CAMERAS:
        producer.event("ref.cameras", f.camera_ref(camera_id))
    for facility_id in FACILITIES:
        producer.event("ref.facilities", f.facility_ref(facility_id))
    for n in WATCHED_PERSONS:
        value = _person(n)["id_number"]
        producer.event("ref.watchlist", f.watch_entry(f"WL-P{n}", kind="person", value=value,
                                                      reason="wanted"))  # fmt: skip
    for entry_id, plate in WATCHED_PLATES.items():
        producer.event("ref.watchlist", f.watch_entry(entry_id, value=plate))
    for topic, events in produced.items():
        producer.many(topic, events)

    first = WorkerProcess(settings)
    first.start()
    deadline = time.monotonic() + 180
    # Killed with the registry half built and a landed batch not yet committed somewhere.
    while not (
        0 < landed(settings, "population_updates").rows < len(updates) // 2
        and any(landed_past_committed(settings, topic) for topic in TOPICS)
    ):
        assert time.monotonic() < deadline, "no moment to kill mid-backfill was found"
        assert first.alive(), f"see {first.log_path}"
        time.sleep(0.05)
    first.kill()

    second = WorkerProcess(settings, name="second")
    second.start()
    try:
        second.wait_until_reconciled(timeout_s=300)
        # The live registry of the restarted worker enriches new check-ins as a clean run would.
        expected = _expected_registry(settings, updates)
        sample = range(10)
        for n in sample:
            producer.event("lodging.checkins", _checkin(f"after-{n}", n, "FAC-1"))
        second.wait_until_reconciled(timeout_s=120)
    finally:
        second.stop()
        producer.close()

    for topic, table in TOPICS.items():
        count = len(produced[topic]) + (len(sample) if topic == "lodging.checkins" else 0)
        assert landed(settings, table) == Landed(count, count, count), topic
        b = balance(settings, topic)
        assert (b.produced, b.landed, b.rejected, b.duplicates, b.status) == (
            count, count, 0, 0, "ok",
        ), topic  # fmt: skip

    # The registry's durable copy (its changelog) holds exactly what a clean run would.
    assert read_registry(settings) == expected
    db = warehouse.connect(settings)
    homes = dict(db.sql(
        "SELECT event_id, guest_home_ward_code FROM landed_lodging_checkins "
        "WHERE starts_with(event_id, 'after-')"
    ).fetchall())  # fmt: skip
    assert homes == {f"after-{n}": _home(n) for n in sample}

    # Every alert a clean run raises, once in the landed alerts, at least once on the topic.
    wanted = sorted(
        [(f"WL-P{i % PERSONS}", f"lod-{i}") for i in range(CHECKINS)
         if i % PERSONS in WATCHED_PERSONS]
        + [(f"WL-P{n}", f"after-{n}") for n in sample if n in WATCHED_PERSONS]
        + [(entry_id, e["event_id"]) for e in cameras for entry_id, plate in WATCHED_PLATES.items()
           if e["plate"] == plate]
    )  # fmt: skip
    landed_alerts = sorted(db.sql("SELECT entry_id, source_event_id FROM landed_alerts").fetchall())
    db.close()
    assert landed_alerts == wanted
    on_topic = {(a["entry_id"], a["source_event_id"]) for a in read_topic(settings, "alerts")}
    assert sorted(on_topic) == wanted


def _home(n: int) -> str | None:
    """Where person ``n`` lives at the end of their history (``_updates``)."""
    if n % 5 == 0:
        return None
    return {0: f.WARD, 1: f.OTHER_WARD, 2: HANOI_WARD}[n % 3]
