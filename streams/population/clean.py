"""Population registry updates: the person becomes a pseudonym with birth date and sex."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from streams.cleaning.context import CleanContext, Row
from streams.cleaning.names import normalise_name
from streams.cleaning.person import clean_person_id
from streams.cleaning.reject import Reject
from streams.cleaning.times import local_date

__all__ = ["clean_update"]


def clean_update(event: dict[str, Any], received_at: datetime, ctx: CleanContext) -> Row:
    occurred_at = ctx.timestamp(event, "occurred_at")
    person = event["person"]
    birth_date = ctx.date(person, "date_of_birth")
    if birth_date is None or birth_date > local_date(occurred_at):
        raise Reject("invalid_date", "person.date_of_birth is after the update")
    person_id = clean_person_id(person["id_number"], None, birth_date, person["sex"])
    if not normalise_name(person["full_name"]):
        raise Reject("missing_field", "person.full_name has no letters")
    return {
        "event_id": event["event_id"],
        "occurred_at": occurred_at,
        "change": event["change"],
        "person_key": ctx.pseudonymise("person", person_id.key_material),
        "birth_date": birth_date,
        "sex": person["sex"],
        "birth_province_code": person_id.birth_province_code,
        "ward_code": ctx.ward(event.get("ward_code")),
        "residence": event.get("residence"),
        "vneid_level": event.get("vneid_level"),
    }
