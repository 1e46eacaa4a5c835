"""Incident reports: units and times checked; the free-text summary is never landed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from streams.cleaning.context import CleanContext, Row

__all__ = ["clean_report"]


def clean_report(event: dict[str, Any], received_at: datetime, ctx: CleanContext) -> Row:
    return {
        "report_id": event["report_id"],
        "updated_at": ctx.timestamp(event, "updated_at"),
        "received_at": ctx.timestamp(event, "received_at"),
        "occurred_at": ctx.timestamp(event, "occurred_at"),
        "ward_code": ctx.ward(event["ward_code"]),
        "category": event["category"],
        "severity": event.get("severity"),
        "channel": event["channel"],
        "status": event["status"],
        "deaths": event["deaths"],
        "injuries": event["injuries"],
        "is_mass_petition": event["mass_petition"],
    }
