"""Lodging check-ins: the guest's identity checked and pseudonymised, the stay enriched.

The guest's name and phone number are checked (a malformed one is a fault of the source worth
rejecting) but never landed; only whether a phone was given is kept.

The guest's home is where the population registry places them at processing time. A guest the
registry does not place in a ward of the facility's province (a foreigner, someone from another
province, someone removed) is a visitor: "người ở địa phương khác đến", the people lodging
notification exists for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from streams.cleaning.context import CleanContext, Row
from streams.cleaning.identity import age_band, age_on
from streams.cleaning.names import normalise_name
from streams.cleaning.person import clean_person_id
from streams.cleaning.phones import normalise_phone
from streams.cleaning.reject import Reject
from streams.cleaning.times import local_date
from streams.lodging.deadline import notification_deadline

__all__ = ["clean_checkin"]


def clean_checkin(event: dict[str, Any], received_at: datetime, ctx: CleanContext) -> Row:
    facility = ctx.facilities.get(event["facility_id"])
    if facility is None:
        raise Reject("unknown_facility", "facility_id is not on ref.facilities")
    occurred_at = ctx.timestamp(event, "occurred_at")
    guest = event["guest"]
    birth_date = ctx.date(guest, "date_of_birth")
    if birth_date is None or birth_date > local_date(occurred_at):
        raise Reject("invalid_date", "guest.date_of_birth is after the stay")
    person = clean_person_id(guest["id_number"], guest["id_type"], birth_date, guest["sex"])
    if not normalise_name(guest["full_name"]):
        raise Reject("missing_field", "guest.full_name has no letters")
    phone = guest.get("phone")
    if phone and normalise_phone(phone) is None:
        raise Reject("invalid_phone", "guest.phone is not a valid phone number")
    age = age_on(birth_date, local_date(occurred_at))
    nationality = guest["nationality"].upper()
    is_check_in = event["action"] == "check_in"
    guest_key = ctx.pseudonymise("person", person.key_material)
    resident = ctx.residents.get(guest_key)
    home_ward = resident.ward_code if resident is not None else None
    home_province = ctx.wards.get(home_ward) if home_ward is not None else None
    return {
        "event_id": event["event_id"],
        "facility_id": event["facility_id"],
        "action": event["action"],
        "occurred_at": occurred_at,
        "notified_at": received_at,
        "read_method": event["read_method"],
        "guest_key": guest_key,
        "guest_id_type": person.id_type,
        "guest_is_legacy_id": person.is_legacy,
        "guest_birth_date": birth_date,
        "guest_sex": guest["sex"],
        "guest_nationality": nationality,
        "guest_birth_province_code": person.birth_province_code,
        "guest_has_phone": bool(phone),
        "guest_age": age,
        "guest_age_band": age_band(age),
        "is_foreigner": nationality != "VN",
        "is_notified_on_time": (
            received_at <= notification_deadline(occurred_at) if is_check_in else None
        ),
        "ward_code": facility.ward_code,
        "guest_home_ward_code": home_ward,
        "guest_home_province_code": home_province,
        "is_visitor": home_province is None or home_province != ctx.wards.get(facility.ward_code),
    }
