"""Incident reports: units and times checked; the free-text summary is never landed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from streams.cleaning.context import CleanContext, Row
from streams.cleaning.reject import Reject

__all__ = ["clean_report"]


def clean_report(event: dict[str, Any], received_at: datetime, ctx: CleanContext) -> Row:
    occurred_at = ctx.timestamp(event, "occurred_at")
    return {
        "report_id": event["report_id"],
        "updated_at": ctx.timestamp(event, "updated_at"),
        "received_at": ctx.timestamp(event, "received_at"),
        "occurred_at": occurred_at,
        "ward_code": ctx.ward(event["ward_code"]),
        "category": event["category"],
        "severity": event.get("severity"),
        "channel": event["channel"],
        "status": event["status"],
        "deaths": event["deaths"],
        "injuries": event["injuries"],
        "is_mass_petition": event["mass_petition"],
        "solved_at": _solved_at(event, occurred_at, ctx),
    }


def _solved_at(event: dict[str, Any], occurred_at: datetime, ctx: CleanContext) -> datetime | None:
    """When the crime was solved (khám phá); optional, so producers that never say stay valid."""
    if event.get("solved_at") is None:
        return None
    solved_at = ctx.timestamp(event, "solved_at")
    # A crime solved before it happened would count in a clearance rate it cannot belong to.
    if solved_at < occurred_at:
        raise Reject("solved_before_occurred", "solved_at is earlier than occurred_at")
    return solved_at
