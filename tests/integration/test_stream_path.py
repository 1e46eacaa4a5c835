"""Every topic end to end on the real broker: cleaned, then landed or dead-lettered, reconciled.

Each record's fate is asserted by its (topic, partition, offset), as the producer reported them.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from antt.settings import Settings
from pipelines.reconcile import reconcile
from pipelines.worker_process import WorkerProcess
from streams.cleaning.identity import build_cccd
from tests import factories as f
from tests.integration.kafka_io import Producer, Sent, original_bytes, read_topic

pytestmark = pytest.mark.integration


def _rows(settings: Settings, table: str, columns: str = "*") -> list[tuple[Any, ...]]:
    glob = settings.landing_dir / table / "**" / "*.parquet"
    return duckdb.sql(
        f"SELECT {columns} FROM read_parquet('{glob}', union_by_name = true) "
        "ORDER BY source_topic, source_partition, source_offset"
    ).fetchall()


def _balance(settings: Settings) -> dict[str, tuple[int, int, int, int]]:
    return {b.topic: (b.produced, b.landed, b.rejected, b.duplicates) for b in reconcile(settings)}


def _publish_everything(p: Producer) -> dict[str, list[Sent] | Sent]:
    """A mixed stream of clean and dirty records on every source topic."""
    other_guest = build_cccd(92, 1990, "female", 77)
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    sent: dict[str, Any] = {}
    sent["cameras"] = [
        p.event("ref.cameras", f.camera_ref("CAM-1")),
        p.event("ref.cameras", f.camera_ref("CAM-2", ward_code=f.OTHER_WARD, connected=False)),
        p.raw("ref.cameras", b"CAM-2", None),  # tombstone: CAM-2 is removed from the register
    ]
    sent["facilities"] = [p.event("ref.facilities", f.facility_ref("FAC-1"))]
    sent["watchlist"] = [
        p.event("ref.watchlist", f.watch_entry("WL-1")),
        p.event(
            "ref.watchlist", f.watch_entry("WL-2", kind="person", value=f.CCCD, reason="wanted")
        ),
        p.event("ref.watchlist", f.watch_entry("WL-3", value="51F-123.45", active=False)),
        p.event("ref.watchlist", f.watch_entry("WL-4", value="?? unreadable ??")),
    ]
    clean_cam = f.camera_event("cam-1", plate="65b1 23456")
    sent["cam_clean"] = p.event("camera.events", clean_cam)
    sent["cam_inactive_hit"] = p.event(
        "camera.events", f.camera_event("cam-2", plate="51F12345", vehicle_type="car")
    )
    sent["cam_unknown"] = p.event("camera.events", f.camera_event("cam-3", camera_id="CAM-404"))
    sent["cam_future"] = p.event("camera.events", f.camera_event("cam-4", observed_at=future))
    sent["cam_malformed"] = p.raw("camera.events", b"CAM-1", b'{"schema_version": 1,')
    sent["cam_duplicate"] = p.event("camera.events", clean_cam)
    sent["cam_key_mismatch"] = p.event("camera.events", f.camera_event("cam-5"), key=b"CAM-9")
    sent["cam_local_time"] = p.event(
        "camera.events", f.camera_event("cam-6", observed_at="2026-11-20 21:14:05", plate=None)
    )

    sent["lod_clean"] = p.event("lodging.checkins", f.checkin("lod-1"))
    sent["lod_mismatch"] = p.event(
        "lodging.checkins", f.checkin("lod-2", guest=f.guest(id_number="093195001234"))
    )
    sent["lod_bad_id"] = p.event(
        "lodging.checkins", f.checkin("lod-3", guest=f.guest(id_number="12345"))
    )
    sent["lod_unknown"] = p.event("lodging.checkins", f.checkin("lod-4", facility_id="FAC-404"))
    nfd_name = unicodedata.normalize("NFD", "  trần   THỊ hoà ")
    sent["lod_dirty_ok"] = p.event(
        "lodging.checkins",
        f.checkin(
            "lod-5",
            guest=f.guest(
                id_number=other_guest,
                full_name=nfd_name,
                date_of_birth="12/04/1990",
                sex="female",
                phone="01688123456",
            ),
        ),
    )
    sent["lod_bad_phone"] = p.event(
        "lodging.checkins", f.checkin("lod-6", guest=f.guest(phone="12"))
    )

    sent["inc_received"] = p.event("incident.reports", f.report("INC-1"))
    sent["inc_resolved"] = p.event(
        "incident.reports",
        f.report("INC-1", status="resolved", updated_at="2026-11-21T09:00:00+07:00"),
    )
    sent["inc_unknown_ward"] = p.event("incident.reports", f.report("INC-2", ward_code="99999"))
    missing = f.report("INC-3")
    del missing["category"]
    sent["inc_missing"] = p.event("incident.reports", missing)

    sent["pop_registered"] = p.event("population.updates", f.population("pop-1"))
    sent["pop_card"] = p.event(
        "population.updates",
        f.population("pop-2", change="id_card_issued", ward_code=None, residence=None),
    )
    sent["pop_bad_date"] = p.event(
        "population.updates",
        f.population("pop-3", person={**f.population()["person"], "date_of_birth": "2001-02-30"}),
    )
    sent["pop_version"] = p.event("population.updates", f.population("pop-4", schema_version=2))
    return sent  # fmt: skip


EXPECTED_REJECTIONS = {
    "cam_unknown": "unknown_camera",
    "cam_future": "future_timestamp",
    "cam_malformed": "malformed_json",
    "cam_key_mismatch": "key_mismatch",
    "lod_mismatch": "id_number_mismatch",
    "lod_bad_id": "invalid_id_number",
    "lod_unknown": "unknown_facility",
    "lod_bad_phone": "invalid_phone",
    "inc_unknown_ward": "unknown_ward",
    "inc_missing": "missing_field",
    "pop_bad_date": "invalid_date",
    "pop_version": "unsupported_schema_version",
}


def test_every_topic_lands_or_dead_letters_with_its_reason(
    platform: Settings, producer: Producer, worker: WorkerProcess
) -> None:
    sent = _publish_everything(producer)
    worker.wait_until_reconciled(timeout_s=120)

    assert _balance(platform) == {
        "camera.events": (8, 3, 4, 1),
        "lodging.checkins": (6, 2, 4, 0),
        "incident.reports": (4, 2, 2, 0),
        "population.updates": (4, 2, 2, 0),
        "ref.cameras": (3, 3, 0, 0),
        "ref.facilities": (1, 1, 0, 0),
        "ref.watchlist": (4, 3, 1, 0),
    }

    rejected = {
        (topic, partition, offset): codes
        for topic, partition, offset, codes in _rows(
            platform, "rejected", "source_topic, source_partition, source_offset, reason_codes"
        )
    }
    for name, reason in EXPECTED_REJECTIONS.items():
        record = sent[name]
        assert isinstance(record, Sent)
        assert rejected[(record.topic, record.partition, record.offset)] == [reason], name
    unreadable = sent["watchlist"][3]  # type: ignore[index]
    assert rejected[(unreadable.topic, unreadable.partition, unreadable.offset)] == [
        "invalid_field"
    ]

    # The dead-letter topic holds the original bytes of every rejected record, with its reason.
    dead = {
        (d["source_topic"], d["partition"], d["offset"]): d
        for d in read_topic(platform, "deadletter")
    }
    assert len(dead) == 13
    for name, reason in EXPECTED_REJECTIONS.items():
        record = sent[name]
        assert isinstance(record, Sent)
        letter = dead[(record.topic, record.partition, record.offset)]
        assert letter["reason_codes"] == [reason]
        assert original_bytes(letter) == record.value
        assert letter["message"]

    # Alerts: the stolen plate in any spelling, and the wanted guest; not the inactive entry.
    alerts = sorted(
        (a["kind"], a["entry_id"], a["source_event_id"]) for a in read_topic(platform, "alerts")
    )
    assert alerts == [("person_hit", "WL-2", "lod-1"), ("plate_hit", "WL-1", "cam-1")]

    cameras = _rows(platform, "camera_events", "event_id, observed_at, plate_status, ward_code")
    assert sorted(c[0] for c in cameras) == ["cam-1", "cam-1", "cam-2", "cam-6"]
    local = next(c for c in cameras if c[0] == "cam-6")
    assert local[1] == datetime(2026, 11, 20, 14, 14, 5, tzinfo=UTC)  # 21:14:05 in Hà Nội time
    assert local[2] == "absent" and local[3] == f.WARD

    ref_cameras = _rows(platform, "ref_cameras", "camera_id, is_deleted")
    assert sorted(ref_cameras) == [("CAM-1", False), ("CAM-2", False), ("CAM-2", True)]


def test_landed_rows_carry_no_raw_personal_data(
    platform: Settings, producer: Producer, worker: WorkerProcess
) -> None:
    producer.event("ref.facilities", f.facility_ref("FAC-1"))
    producer.event("ref.watchlist", f.watch_entry("WL-2", kind="person", value=f.CCCD))
    producer.event("lodging.checkins", f.checkin("lod-9"))
    producer.event("population.updates", f.population("pop-9"))
    producer.event("incident.reports", f.report("INC-9"))
    producer.event("camera.events", f.camera_event("cam-9"))
    worker.wait_until_reconciled(timeout_s=120)

    secrets = (f.CCCD, "Nguyễn Văn An", "0912345678", "+84912345678", "Mất trộm", "công tác",
               "65-B1 234.56", "65B123456")  # fmt: skip
    landed = [p for p in platform.landing_dir.rglob("*.parquet") if not p.name.startswith("_")]
    assert len(landed) >= 6
    for path in landed:
        for row in pq.read_table(path).to_pylist():
            for value in row.values():
                assert not any(secret in str(value) for secret in secrets), (path, row)
