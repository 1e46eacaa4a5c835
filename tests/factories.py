"""Valid contract events with sensible defaults; tests override the fields they are about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from streams.cleaning.identity import build_cccd
from streams.contract.topics import source_topic
from streams.processing import Message

WARD = "31135"  # Phường Ninh Kiều, Cần Thơ
OTHER_WARD = "31120"  # Phường Cái Khế, Cần Thơ
CCCD = build_cccd(93, 1995, "male", 1234)  # 093095001234
NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def camera_ref(camera_id: str = "CAM-1", **overrides: Any) -> dict[str, Any]:
    return {
        "schema_version": 1, "camera_id": camera_id, "ward_code": WARD, "name": "Ngã tư Hòa Bình",
        "latitude": 10.03, "longitude": 105.78, "owner": "public", "connected": True,
        "installed_on": "2024-03-01", "removed_on": None, **overrides,
    }  # fmt: skip


def facility_ref(facility_id: str = "FAC-1", **overrides: Any) -> dict[str, Any]:
    return {
        "schema_version": 1, "facility_id": facility_id, "name": "Nhà nghỉ Bến Ninh Kiều",
        "kind": "guesthouse", "ward_code": WARD, "on_platform_since": "2024-06-15", **overrides,
    }  # fmt: skip


def watch_entry(entry_id: str = "WL-1", **overrides: Any) -> dict[str, Any]:
    return {
        "schema_version": 1, "entry_id": entry_id, "kind": "plate", "value": "65-B1 234.56",
        "reason": "stolen_vehicle", "active": True, "listed_at": "2026-11-01T08:00:00+07:00",
        **overrides,
    }  # fmt: skip


def camera_event(event_id: str = "cam-1", **overrides: Any) -> dict[str, Any]:
    return {
        "schema_version": 1, "event_id": event_id, "camera_id": "CAM-1",
        "observed_at": "2026-11-20T21:14:05+07:00", "kind": "vehicle", "plate": "65-B1 234.56",
        "vehicle_type": "motorbike", "confidence": 0.93, **overrides,
    }  # fmt: skip


def guest(**overrides: Any) -> dict[str, Any]:
    return {
        "id_type": "cccd", "id_number": CCCD, "full_name": "Nguyễn Văn An",
        "date_of_birth": "1995-04-12", "sex": "male", "nationality": "VN",
        "phone": "0912345678", **overrides,
    }  # fmt: skip


def checkin(event_id: str = "lod-1", **overrides: Any) -> dict[str, Any]:
    return {
        "schema_version": 1, "event_id": event_id, "facility_id": "FAC-1", "action": "check_in",
        "occurred_at": "2026-11-20T19:02:00+07:00", "read_method": "chip", "guest": guest(),
        "reason": "công tác", **overrides,
    }  # fmt: skip


def report(report_id: str = "INC-1", **overrides: Any) -> dict[str, Any]:
    return {
        "schema_version": 1, "report_id": report_id, "updated_at": "2026-11-20T08:30:00+07:00",
        "received_at": "2026-11-19T22:10:00+07:00", "occurred_at": "2026-11-19T21:45:00+07:00",
        "ward_code": WARD, "category": "social_order_crime", "severity": "less_serious",
        "channel": "zalo", "status": "received", "deaths": 0, "injuries": 0,
        "mass_petition": False, "summary": "Mất trộm xe máy.", **overrides,
    }  # fmt: skip


def population(event_id: str = "pop-1", **overrides: Any) -> dict[str, Any]:
    return {
        "schema_version": 1, "event_id": event_id, "occurred_at": "2025-08-01T09:00:00+07:00",
        "change": "registered",
        "person": {"id_number": CCCD, "full_name": "Nguyễn Văn An", "date_of_birth": "1995-04-12",
                   "sex": "male"},
        "ward_code": WARD, "residence": "permanent", **overrides,
    }  # fmt: skip


def key_of(topic: str, event: dict[str, Any]) -> bytes:
    value: Any = event
    for part in source_topic(topic).key_field.split("."):
        value = value[part]
    return str(value).encode()


def encode(topic: str, event: dict[str, Any]) -> tuple[bytes, bytes]:
    """The Kafka key and value a well-behaved producer would send for ``event``."""
    return key_of(topic, event), orjson.dumps(event)


def message(
    topic: str,
    event: dict[str, Any] | bytes | None,
    *,
    key: bytes | None = None,
    offset: int = 0,
    partition: int = 0,
    received_at: datetime = NOW + timedelta(minutes=20),  # after every default event time
) -> Message:
    """A Message as the worker would see it, for broker-free tests."""
    if isinstance(event, dict):
        default_key, value = encode(topic, event)
        key = key if key is not None else default_key
    else:
        value = event
    return Message(topic, partition, offset, key, value, int(received_at.timestamp() * 1000))
