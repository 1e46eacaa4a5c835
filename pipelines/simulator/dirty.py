"""Dirty records: every kind of fault the cleaning must face, each with the outcome it should reach.

Some faults are only spelling (NFD names, stray spaces, DD/MM/YYYY dates, plates in any form,
timestamps without an offset): the record must be accepted once cleaned. Others are errors the
record must be rejected for, with a specific reason code. A duplicate is the same message sent
twice: the first copy is accepted, the second counted as a duplicate.

One record carries one fault, so that its expected outcome is unambiguous.
"""

from __future__ import annotations

import random
import unicodedata
from typing import Final, Literal

import orjson

from pipelines.simulator.clock import DAY, HOUR, iso
from pipelines.simulator.messages import Draft, Expected, Payload, SimMessage, encode
from pipelines.simulator.plates import misspell
from pipelines.simulator.regions import current_ward_codes

__all__ = ["DIRTY_KINDS", "DUPLICATE_SHARE", "OUTCOMES", "DirtyKind", "Spoiler"]

DirtyKind = Literal[
    "nfd_name",
    "messy_name",
    "dmy_date",
    "plate_spelling",
    "naive_timestamp",
    "bad_id_length",
    "id_mismatch",
    "future_timestamp",
    "unknown_camera",
    "unknown_facility",
    "unknown_ward",
    "duplicate",
    "malformed_json",
    "missing_field",
]
OUTCOMES: Final[dict[DirtyKind, Expected]] = {
    "nfd_name": "accept",
    "messy_name": "accept",
    "dmy_date": "accept",
    "plate_spelling": "accept",
    "naive_timestamp": "accept",
    "bad_id_length": "invalid_id_number",
    "id_mismatch": "id_number_mismatch",
    "future_timestamp": "future_timestamp",
    "unknown_camera": "unknown_camera",
    "unknown_facility": "unknown_facility",
    "unknown_ward": "unknown_ward",
    "duplicate": "duplicate",
    "malformed_json": "malformed_json",
    "missing_field": "missing_field",
}
DIRTY_KINDS: Final[tuple[DirtyKind, ...]] = tuple(OUTCOMES)
# Roughly the share of dirty picks that are duplicates (one kind among ~10 applicable ones); a
# duplicate adds a message, so the number of picks is corrected by it to hit the dirty share.
DUPLICATE_SHARE: Final = 0.1

_TIME_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "camera.events": ("observed_at",),
    "lodging.checkins": ("occurred_at",),
    "incident.reports": ("updated_at", "received_at", "occurred_at"),
    "population.updates": ("occurred_at",),
}
# Required fields whose absence has no other reading (never the key, never schema_version).
_DROPPABLE: Final[dict[str, tuple[str, ...]]] = {
    "camera.events": ("kind", "confidence", "observed_at"),
    "lodging.checkins": ("action", "read_method", "occurred_at"),
    "incident.reports": ("category", "channel", "status", "received_at"),
    "population.updates": ("change", "occurred_at"),
}
# Of those, the ones with a declared JSON type, where null is as clearly "missing" as absent; a
# null in an enum-only field could as well be read as an invalid value.
_NULLABLE_MISSING: Final = frozenset({"confidence", "observed_at", "occurred_at", "received_at"})
_COMMON: Final[tuple[DirtyKind, ...]] = (
    "naive_timestamp", "future_timestamp", "duplicate", "malformed_json", "missing_field",
)  # fmt: skip


def _person_field(topic: str) -> str | None:
    return {"lodging.checkins": "guest", "population.updates": "person"}.get(topic)


def _messy(rng: random.Random, name: str) -> str:
    """The name with stray spaces and odd case, as typed in a hurry."""
    words = name.split(" ")
    case = rng.randrange(3)
    if case == 0:
        words = [w.upper() for w in words]
    elif case == 1:
        words = [w.lower() for w in words]
    else:
        words = [w.upper() if i % 2 else w.lower() for i, w in enumerate(words)]
    gaps = ["  " if rng.random() < 0.5 else " " for _ in words[1:]]
    text = words[0] + "".join(g + w for g, w in zip(gaps, words[1:], strict=True))
    return (" " if rng.random() < 0.5 else "") + text + ("  " if rng.random() < 0.7 else "")


class Spoiler:
    """Turns a clean draft into a dirty message of a chosen kind."""

    def __init__(self, rng: random.Random, future_anchor_s: int) -> None:
        self._rng = rng
        self._future_anchor_s = future_anchor_s
        self._known_wards = current_ward_codes()

    def kinds(self, draft: Draft) -> tuple[DirtyKind, ...]:
        """The kinds of fault this draft can carry."""
        payload = draft.payload
        kinds: list[DirtyKind] = list(_COMMON)
        if draft.topic == "camera.events":
            kinds.append("unknown_camera")
            if payload.get("plate"):
                kinds.append("plate_spelling")
        elif draft.topic == "lodging.checkins":
            kinds.append("unknown_facility")
        elif draft.topic == "incident.reports" or payload.get("change") in ("registered", "moved"):
            kinds.append("unknown_ward")
        field = _person_field(draft.topic)
        if field is not None:
            person: Payload = payload[field]
            kinds += ["messy_name", "dmy_date"]
            if unicodedata.normalize("NFD", person["full_name"]) != person["full_name"]:
                kinds.append("nfd_name")
            if person.get("id_type", "cccd") in ("cccd", "cmnd"):
                kinds.append("bad_id_length")
            if len(person["id_number"]) == 12 and person["id_number"].isdigit():
                kinds.append("id_mismatch")
        return tuple(kinds)

    def spoil(self, draft: Draft, kind: DirtyKind) -> list[SimMessage]:
        """The message(s) for a draft with one fault; a duplicate yields the original and a copy."""
        rng = self._rng
        expected = OUTCOMES[kind]
        payload = dict(draft.payload)
        if kind == "duplicate":
            original = encode(draft)
            copy = SimMessage(
                topic=original.topic,
                key=original.key,
                value=original.value,
                timestamp_ms=original.timestamp_ms + rng.randint(1_000, 600_000),
                expected="duplicate",
                dirty_kind=kind,
            )
            return [original, copy]
        if kind == "malformed_json":
            value = orjson.dumps(payload)
            cut = rng.randint(len(value) // 3, len(value) - 2)
            # A truncated message, or one with a byte that is not UTF-8.
            broken = value[:cut] if rng.random() < 0.7 else value[:cut] + b"\xff" + value[cut:]
            return [encode(draft, expected=expected, dirty_kind=kind, value=broken)]
        field = _person_field(draft.topic)
        if field is not None and kind in (
            "nfd_name",
            "messy_name",
            "dmy_date",
            "bad_id_length",
            "id_mismatch",
        ):
            payload[field] = self._spoil_person(dict(payload[field]), kind)
        elif kind == "plate_spelling":
            payload["plate"] = misspell(rng, payload["plate"])
        elif kind == "naive_timestamp":
            for name in _TIME_FIELDS[draft.topic]:
                payload[name] = payload[name].removesuffix("+07:00")
        elif kind == "future_timestamp":
            ahead = self._future_anchor_s + DAY + rng.randrange(6 * HOUR)
            payload[_TIME_FIELDS[draft.topic][0]] = iso(ahead)
        elif kind == "unknown_camera":
            ward = payload["camera_id"].split("-")[1]
            payload["camera_id"] = f"CAM-{ward}-{rng.randint(90, 99)}"
        elif kind == "unknown_facility":
            ward = payload["facility_id"].split("-")[1]
            payload["facility_id"] = f"FAC-{ward}-{rng.randint(900, 999)}"
        elif kind == "unknown_ward":
            payload["ward_code"] = self._unknown_ward()
        elif kind == "missing_field":
            name = rng.choice(_DROPPABLE[draft.topic])
            if name in _NULLABLE_MISSING and rng.random() < 0.3:
                payload[name] = None
            else:
                del payload[name]
        else:
            raise ValueError(f"{kind} does not apply to {draft.topic}")
        spoiled = Draft(draft.topic, draft.timestamp_ms, payload, draft.seq)
        return [encode(spoiled, expected=expected, dirty_kind=kind)]

    def _spoil_person(self, person: Payload, kind: DirtyKind) -> Payload:
        rng = self._rng
        if kind == "nfd_name":
            person["full_name"] = unicodedata.normalize("NFD", person["full_name"])
        elif kind == "messy_name":
            person["full_name"] = _messy(rng, person["full_name"])
        elif kind == "dmy_date":
            year, month, day = person["date_of_birth"].split("-")
            person["date_of_birth"] = f"{day}/{month}/{year}"
        elif kind == "bad_id_length":
            number: str = person["id_number"]
            at = rng.randrange(len(number))
            if rng.random() < 0.5:
                person["id_number"] = number[:at] + number[at + 1 :]
            else:
                person["id_number"] = number[:at] + str(rng.randrange(10)) + number[at:]
        elif kind == "id_mismatch":
            number = person["id_number"]
            if rng.random() < 0.5:
                # Digit 4 with the other parity: the opposite sex, same century.
                digit4 = int(number[3]) ^ 1
                person["id_number"] = f"{number[:3]}{digit4}{number[4:]}"
            else:
                year = (int(number[4:6]) + rng.randint(1, 9)) % 100
                person["id_number"] = f"{number[:4]}{year:02d}{number[6:]}"
        return person

    def _unknown_ward(self) -> str:
        while True:
            code = f"{self._rng.randrange(100_000):05d}"
            if code not in self._known_wards:
                return code
