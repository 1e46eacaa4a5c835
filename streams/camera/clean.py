"""Camera detections: the camera must be on ref.cameras; the plate becomes a keyed pseudonym."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from streams.cleaning.context import CleanContext, Row
from streams.cleaning.plates import read_plate
from streams.cleaning.reject import Reject

__all__ = ["clean_camera_event"]


def clean_camera_event(event: dict[str, Any], received_at: datetime, ctx: CleanContext) -> Row:
    camera = ctx.cameras.get(event["camera_id"])
    if camera is None:
        raise Reject("unknown_camera", "camera_id is not on ref.cameras")
    plate = read_plate(event.get("plate"), event.get("vehicle_type"))
    return {
        "event_id": event["event_id"],
        "camera_id": event["camera_id"],
        "observed_at": ctx.timestamp(event, "observed_at"),
        "kind": event["kind"],
        "plate_status": plate.status,
        "plate_key": ctx.pseudonymise("plate", plate.compact) if plate.compact else None,
        "plate_locality": plate.locality,
        "vehicle_type": event.get("vehicle_type"),
        "confidence": float(event["confidence"]),
        "ward_code": camera.ward_code,
        "camera_owner": camera.owner,
        "camera_is_connected": camera.is_connected,
    }
