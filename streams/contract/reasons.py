"""Reason codes for rejected records: machine-readable, stable, each with a one-line meaning.

A rejected record carries one or more codes; operators act on the message, dashboards and tests
count the codes. Add codes, never rename them: they are stored in the dead-letter topic.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["REASONS", "ReasonCode"]

ReasonCode = Literal[
    "malformed_json",
    "not_an_object",
    "unsupported_schema_version",
    "missing_field",
    "invalid_field",
    "key_mismatch",
    "invalid_timestamp",
    "future_timestamp",
    "invalid_date",
    "invalid_id_number",
    "id_number_mismatch",
    "invalid_phone",
    "unknown_ward",
    "unknown_camera",
    "unknown_facility",
    "solved_before_occurred",
]

REASONS: Final[dict[ReasonCode, str]] = {
    "malformed_json": "the message is not valid UTF-8 JSON, or an object has a key twice",
    "not_an_object": "the message is JSON but not an object",
    "unsupported_schema_version": "schema_version is missing or not 1",
    "missing_field": "a required field is absent or null",
    "invalid_field": "a field has the wrong type, an unknown value or is out of range",
    "key_mismatch": "the Kafka key differs from the field the contract keys this topic by",
    "invalid_timestamp": "a timestamp is not RFC 3339 (an offset-less time is read as local time) "
    "between 1900 and 2199, or the Kafka record timestamp is outside those years",
    "future_timestamp": "a timestamp is more than 5 minutes after the Kafka record timestamp",
    "invalid_date": "a date is neither YYYY-MM-DD nor DD/MM/YYYY, does not exist, or is outside "
    "1900-2199",
    "invalid_id_number": "an ID number is not a 12-digit CCCD, 9-digit CMND or passport number",
    "id_number_mismatch": "the CCCD's province, century/sex or birth-year digits contradict the "
    "stated province code, date of birth or sex",
    "invalid_phone": "a phone number is not a valid Vietnamese or international number",
    "unknown_ward": "the ward code is not a current (post-July-2025) ward",
    "unknown_camera": "the camera id is not on ref.cameras",
    "unknown_facility": "the facility id is not on ref.facilities",
    "solved_before_occurred": "an incident report's solved_at is earlier than its occurred_at",
}
