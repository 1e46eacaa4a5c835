"""Enrichment and alerts end to end: the population registry, its recovery, reference updates.

Lodging check-ins and population updates travel on different topics, so the tests let the worker
land the updates that matter before they produce the check-ins that should see them.
"""

from __future__ import annotations

import shutil
from typing import Any

import duckdb
import pytest

from antt.settings import Settings
from pipelines.worker_process import WorkerProcess
from streams.cleaning.identity import build_cccd
from tests import factories as f
from tests.integration.kafka_io import Producer, read_topic

pytestmark = pytest.mark.integration

HANOI_WARD = "00070"  # Phường Hoàn Kiếm, Hà Nội (province 1)
CAN_THO = 92
HANOI = 1
GUEST_B = build_cccd(92, 1990, "female", 77)  # a Cần Thơ birth, but not in this registry


def _rows(settings: Settings, table: str, columns: str) -> list[tuple[Any, ...]]:
    glob = settings.landing_dir / table / "**" / "*.parquet"
    return duckdb.execute(
        f"SELECT {columns} FROM read_parquet('{glob}', union_by_name = true) ORDER BY 1"
    ).fetchall()


def _homes(settings: Settings) -> list[tuple[Any, ...]]:
    return _rows(
        settings,
        "lodging_checkins",
        "event_id, guest_home_ward_code, guest_home_province_code, is_visitor",
    )


def _guest_b(event_id: str) -> dict[str, Any]:
    guest = f.guest(
        id_number=GUEST_B, full_name="Trần Thị Hoà", date_of_birth="1990-04-12", sex="female"
    )
    return f.checkin(event_id, guest=guest)


def test_check_ins_carry_the_guests_home_from_the_registry(
    platform: Settings, producer: Producer, worker: WorkerProcess
) -> None:
    producer.event("ref.facilities", f.facility_ref("FAC-1"))  # in f.WARD, Cần Thơ
    producer.event("population.updates", f.population("pop-1", ward_code=f.OTHER_WARD))
    worker.wait_until_reconciled(timeout_s=120)

    producer.event("lodging.checkins", f.checkin("lod-a1"))
    producer.event("lodging.checkins", _guest_b("lod-b1"))
    passport = f.guest(id_type="passport", id_number="C1234567", nationality="KR", phone=None)
    producer.event("lodging.checkins", f.checkin("lod-c1", guest=passport))
    worker.wait_until_reconciled(timeout_s=120)

    producer.event(
        "population.updates",
        f.population(
            "pop-2", change="moved", ward_code=HANOI_WARD, occurred_at="2026-03-02T10:00:00+07:00"
        ),
    )
    worker.wait_until_reconciled(timeout_s=120)
    producer.event("lodging.checkins", f.checkin("lod-a2"))
    worker.wait_until_reconciled(timeout_s=120)

    assert _homes(platform) == [
        ("lod-a1", f.OTHER_WARD, CAN_THO, False),  # registered in another ward of the province
        ("lod-a2", HANOI_WARD, HANOI, True),  # moved to Hà Nội since: now a visitor here
        ("lod-b1", None, None, True),
        ("lod-c1", None, None, True),
    ]
    # The registry is keyed by the same pseudonym the check-ins carry.
    person_keys = {key for (key,) in _rows(platform, "population_updates", "person_key")}
    guest_keys = _rows(platform, "lodging_checkins", "event_id, guest_key")
    assert {key for event_id, key in guest_keys if event_id.startswith("lod-a")} == person_keys


def test_a_worker_without_local_state_recovers_the_registry_from_its_changelog(
    platform: Settings, producer: Producer
) -> None:
    workers = [WorkerProcess(platform)]
    try:
        workers[0].start()
        producer.event("ref.facilities", f.facility_ref("FAC-1"))
        producer.event("population.updates", f.population("pop-a", ward_code=f.OTHER_WARD))
        # Residents spread over every partition, so recovery has to read all of them.
        for n in range(30):
            number = build_cccd(92, 1980 + n % 20, "male", 5000 + n)
            person = {**f.population()["person"], "id_number": number,
                      "date_of_birth": f"{1980 + n % 20}-01-15"}  # fmt: skip
            producer.event("population.updates", f.population(f"pop-{n}", person=person))
        workers[0].wait_until_reconciled(timeout_s=120)

        workers[0].kill()
        state = platform.worker_state_dir
        assert list(state.rglob("population_registry-*.db")), "the registry was not in RocksDB"
        shutil.rmtree(state)

        workers.append(WorkerProcess(platform))
        workers[1].start()
        producer.event("lodging.checkins", f.checkin("lod-a"))
        producer.event("lodging.checkins", _guest_b("lod-b"))
        workers[1].wait_until_reconciled(timeout_s=180)
    finally:
        for w in workers:
            w.stop()

    assert _homes(platform) == [
        ("lod-a", f.OTHER_WARD, CAN_THO, False),
        ("lod-b", None, None, True),
    ]


def test_reference_updates_take_effect_mid_stream(
    platform: Settings, producer: Producer, worker: WorkerProcess
) -> None:
    producer.event("ref.cameras", f.camera_ref("CAM-1"))  # in f.WARD
    producer.event("ref.watchlist", f.watch_entry("WL-1"))  # the plate 65-B1 234.56
    producer.event("camera.events", f.camera_event("cam-1"))
    worker.wait_until_reconciled(timeout_s=120)

    # A camera registered a moment before its first detection: the worker catches up.
    producer.event("ref.cameras", f.camera_ref("CAM-2", ward_code=f.OTHER_WARD))
    producer.event("camera.events", f.camera_event("cam-2", camera_id="CAM-2", plate=None))
    worker.wait_until_reconciled(timeout_s=120)

    producer.event("ref.cameras", f.camera_ref("CAM-1", ward_code=f.OTHER_WARD))
    producer.event("ref.watchlist", f.watch_entry("WL-1", active=False))
    worker.wait_until_reconciled(timeout_s=120)
    producer.event("camera.events", f.camera_event("cam-3"))  # the same plate, on CAM-1
    balances = worker.wait_until_reconciled(timeout_s=120)

    assert _rows(platform, "camera_events", "event_id, camera_id, ward_code") == [
        ("cam-1", "CAM-1", f.WARD),
        ("cam-2", "CAM-2", f.OTHER_WARD),
        ("cam-3", "CAM-1", f.OTHER_WARD),
    ]
    assert [b.rejected for b in balances] == [0] * len(balances)
    alerts = [
        (a["kind"], a["entry_id"], a["source_event_id"], a["ward_code"])
        for a in read_topic(platform, "alerts")
    ]
    assert alerts == [("plate_hit", "WL-1", "cam-1", f.WARD)]
