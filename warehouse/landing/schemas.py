"""Arrow schemas of the landing zone: one table per source topic, plus rejected and alerts.

Landed rows are already cleaned and pseudonymised: raw ID numbers, names, phone numbers, plates and
free text never reach a landed file (Law 91/2025/QH15; see docs/architecture.md). Every row carries
its lineage: source topic, partition and offset, the load that wrote it and when.
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa

__all__ = ["LINEAGE", "TABLES", "table_schema"]

UTC_TS = pa.timestamp("us", tz="UTC")

LINEAGE: Final[tuple[pa.Field, ...]] = (
    pa.field("source_topic", pa.string(), nullable=False),
    pa.field("source_partition", pa.int32(), nullable=False),
    pa.field("source_offset", pa.int64(), nullable=False),
    pa.field("load_id", pa.string(), nullable=False),
    pa.field("landed_at", UTC_TS, nullable=False),
)


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(name, dtype) for name, dtype in fields] + list(LINEAGE))


TABLES: Final[dict[str, pa.Schema]] = {
    "camera_events": _schema(
        ("event_id", pa.string()),
        ("camera_id", pa.string()),
        ("observed_at", UTC_TS),
        ("kind", pa.string()),
        ("plate_status", pa.string()),  # absent | readable | unreadable
        ("plate_key", pa.string()),  # keyed hash of the canonical plate
        ("plate_locality", pa.string()),  # the plate's 2-digit locality number
        ("vehicle_type", pa.string()),
        ("confidence", pa.float64()),
        ("ward_code", pa.string()),  # the camera's ward, from ref.cameras
        ("camera_owner", pa.string()),
        ("camera_is_connected", pa.bool_()),
    ),
    "lodging_checkins": _schema(
        ("event_id", pa.string()),
        ("facility_id", pa.string()),
        ("action", pa.string()),
        ("occurred_at", UTC_TS),
        ("notified_at", UTC_TS),  # when the platform received the notification
        ("read_method", pa.string()),
        ("guest_key", pa.string()),  # keyed hash of the ID number
        ("guest_id_type", pa.string()),
        ("guest_is_legacy_id", pa.bool_()),
        ("guest_birth_date", pa.date32()),
        ("guest_sex", pa.string()),
        ("guest_nationality", pa.string()),
        ("guest_birth_province_code", pa.int16()),  # pre-2025 code from the CCCD's first 3 digits
        ("guest_has_phone", pa.bool_()),
        ("guest_age", pa.int16()),
        ("guest_age_band", pa.string()),
        ("is_foreigner", pa.bool_()),
        ("is_notified_on_time", pa.bool_()),
        ("ward_code", pa.string()),  # the facility's ward, from ref.facilities
        ("guest_home_ward_code", pa.string()),  # from the population registry, when known
        ("guest_home_province_code", pa.int16()),  # current (2025) code of the home ward's province
        ("is_visitor", pa.bool_()),  # not registered in a ward of the facility's province
    ),
    "incident_reports": _schema(
        ("report_id", pa.string()),
        ("updated_at", UTC_TS),
        ("received_at", UTC_TS),
        ("occurred_at", UTC_TS),
        ("ward_code", pa.string()),
        ("category", pa.string()),
        ("severity", pa.string()),
        ("channel", pa.string()),
        ("status", pa.string()),
        ("deaths", pa.int32()),
        ("injuries", pa.int32()),
        ("is_mass_petition", pa.bool_()),
        ("solved_at", UTC_TS),  # when the police solved the crime (khám phá); NULL until then
    ),
    "population_updates": _schema(
        ("event_id", pa.string()),
        ("occurred_at", UTC_TS),
        ("change", pa.string()),
        ("person_key", pa.string()),
        ("birth_date", pa.date32()),
        ("sex", pa.string()),
        ("birth_province_code", pa.int16()),
        ("ward_code", pa.string()),
        ("residence", pa.string()),
        ("vneid_level", pa.int8()),
    ),
    "ref_cameras": _schema(
        ("camera_id", pa.string()),
        ("is_deleted", pa.bool_()),
        ("ward_code", pa.string()),
        ("name", pa.string()),
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("owner", pa.string()),
        ("is_connected", pa.bool_()),
        ("installed_on", pa.date32()),
        ("removed_on", pa.date32()),
    ),
    "ref_facilities": _schema(
        ("facility_id", pa.string()),
        ("is_deleted", pa.bool_()),
        ("name", pa.string()),
        ("kind", pa.string()),
        ("ward_code", pa.string()),
        ("on_platform_since", pa.date32()),
    ),
    "ref_watchlist": _schema(
        ("entry_id", pa.string()),
        ("is_deleted", pa.bool_()),
        ("kind", pa.string()),
        ("value_key", pa.string()),  # keyed hash of the canonical plate or ID number
        ("reason", pa.string()),
        ("is_active", pa.bool_()),
        ("listed_at", UTC_TS),
    ),
    "rejected": _schema(
        ("reason_codes", pa.list_(pa.string())),
        ("message", pa.string()),
        ("rejected_at", UTC_TS),
    ),
    "alerts": _schema(
        ("alert_id", pa.string()),
        ("kind", pa.string()),
        ("entry_id", pa.string()),
        ("source_event_id", pa.string()),
        ("ward_code", pa.string()),
        ("observed_at", UTC_TS),
        ("raised_at", UTC_TS),
    ),
    # Written by `antt dq run` (expectations/), one row per expectation per run; its lineage is
    # the table's own offset sequence, since no topic carries it.
    "dq_results": _schema(
        ("run_id", pa.string()),
        ("run_at", UTC_TS),
        ("suite", pa.string()),
        ("expectation_id", pa.string()),
        ("expectation", pa.string()),
        ("check_name", pa.string()),
        ("column_name", pa.string()),
        ("severity", pa.string()),  # critical | warning | info
        ("success", pa.bool_()),
        ("observed_value", pa.string()),
        ("unexpected_count", pa.int64()),
        ("details", pa.string()),  # the expectation's arguments as JSON
    ),
}


def table_schema(table: str) -> pa.Schema:
    """The Arrow schema of a landed table; KeyError names the unknown table."""
    try:
        return TABLES[table]
    except KeyError:
        raise KeyError(f"no landed table named {table!r}; known: {', '.join(TABLES)}") from None
