"""Reference records from the compacted ref.* topics; a null value (tombstone) deletes an entity."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from streams.cleaning.context import CleanContext, Row
from streams.cleaning.person import clean_person_id
from streams.cleaning.plates import read_plate
from streams.cleaning.reject import Reject

__all__ = ["clean_camera", "clean_facility", "clean_watch_entry"]


def _text(raw: str) -> str:
    return " ".join(unicodedata.normalize("NFC", raw).split())


def clean_camera(event: dict[str, Any], received_at: datetime, ctx: CleanContext) -> Row:
    return {
        "camera_id": event["camera_id"],
        "is_deleted": False,
        "ward_code": ctx.ward(event["ward_code"]),
        "name": _text(event["name"]),
        "latitude": float(event["latitude"]),
        "longitude": float(event["longitude"]),
        "owner": event["owner"],
        "is_connected": event["connected"],
        "installed_on": ctx.date(event, "installed_on"),
        "removed_on": ctx.date(event, "removed_on"),
    }


def clean_facility(event: dict[str, Any], received_at: datetime, ctx: CleanContext) -> Row:
    return {
        "facility_id": event["facility_id"],
        "is_deleted": False,
        "name": _text(event["name"]),
        "kind": event["kind"],
        "ward_code": ctx.ward(event["ward_code"]),
        "on_platform_since": ctx.date(event, "on_platform_since"),
    }


def clean_watch_entry(event: dict[str, Any], received_at: datetime, ctx: CleanContext) -> Row:
    value = event["value"]
    if event["kind"] == "plate":
        plate = read_plate(value)
        if plate.compact is None:
            raise Reject("invalid_field", "value cannot be read as a licence plate")
        value_key = ctx.pseudonymise("plate", plate.compact)
    else:
        # The stated type decides, as the document type does for a lodging guest; without one
        # (producers of before) an all-digit value is read as a Vietnamese ID number.
        id_type = event.get("id_type")
        if id_type is None and not value.replace(" ", "").isdigit():
            id_type = "passport"
        person = clean_person_id(value, id_type, None, None)
        value_key = ctx.pseudonymise("person", person.key_material)
    return {
        "entry_id": event["entry_id"],
        "is_deleted": False,
        "kind": event["kind"],
        "value_key": value_key,
        "reason": event["reason"],
        "is_active": event["active"],
        "listed_at": ctx.timestamp(event, "listed_at"),
    }
