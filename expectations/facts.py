"""What each warehouse view promises, one entry per view: the table the suites are built from.

Grain and key come from the model's SQL header (``expectations.models``) and allowed values from
the event contract (``expectations.contract``); an entry states the rest. Every column named here
is required, and its role fixes its type: pseudonyms, wards and enums are strings, instants are
timestamps, counts are integers, percentages and changes are numbers. String columns with no
role are scanned for raw identifiers. Adding a view to the warehouse means adding one entry;
``tests/unit/test_expectations.py`` fails for a view without one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

__all__ = [
    "DEFAULT_MAX_AGE_HOURS",
    "PSEUDONYM_PATTERN",
    "RAW_IDENTIFIER_PATTERN",
    "VIEWS",
    "ViewFacts",
    "unknown_wards_column",
]

# streams/pseudonym.py: HMAC-SHA256, first 128 bits, lower-case hex.
PSEUDONYM_PATTERN: Final = r"^[0-9a-f]{32}$"
# A 12-digit CCCD, a 9-digit CMND, a Vietnamese phone number or a licence plate standing as a
# token of its own: a pseudonym or hex id holds long digit runs, but never bounded by non-hex
# characters on both sides.
RAW_IDENTIFIER_PATTERN: Final = (
    r"(?<![0-9A-Za-z])(?:"
    r"\d{12}|\d{9}"
    r"|(?:\+?84|0)[ .-]?\d{2,3}[ .-]?\d{3}[ .-]?\d{3,4}"
    r"|\d{2}-?[A-Za-z]{1,2}\d?[ .-]?\d{3}\.?\d{2}|\d{2}[A-Za-z]{1,2}-\d{4}"
    r")(?![0-9A-Za-z])"
)
# A feed of a running deployment whose newest landed row is older than this is stale.
DEFAULT_MAX_AGE_HOURS: Final = 24.0


@dataclass(frozen=True, slots=True)
class ViewFacts:
    """The checks of one view beyond its key; every tuple names columns."""

    not_null: tuple[str, ...] = ()
    pseudonyms: tuple[str, ...] = ()
    wards: tuple[str, ...] = ()  # codes present in dim_wards
    instants: tuple[str, ...] = ()  # UTC timestamps between 2000 and now (+ clock drift)
    birth_dates: tuple[str, ...] = ()  # between 1900 and today
    enums: Mapping[str, str] = field(default_factory=dict)  # column -> "topic:property.path"
    counts: tuple[str, ...] = ()  # integers >= 0
    percentages: tuple[str, ...] = ()  # shares, 0 to 100
    changes: tuple[str, ...] = ()  # signed percentage changes, >= -100
    at_least: tuple[tuple[str, str], ...] = ()  # (a, b): a >= b on every row
    expect_rows: bool = False  # an empty view is worth a warning (a feed that never arrived)


_LANDED = ("landed_at",)
_INCIDENT_ENUMS: Final = {
    "category": "incident.reports:category",
    "severity": "incident.reports:severity",
    "channel": "incident.reports:channel",
    "status": "incident.reports:status",
}

VIEWS: Final[dict[str, ViewFacts]] = {
    # staging
    "stg_alerts": ViewFacts(
        not_null=("watchlist_entry_id", "source_event_id", "raised_at"),
        wards=("ward_code",),
        instants=("observed_at", "raised_at", *_LANDED),
        enums={"alert_kind": "alerts:kind", "source_topic": "alerts:source_topic"},
    ),
    "stg_camera_events": ViewFacts(
        not_null=("camera_id", "ward_code", "observed_at", "detection_kind"),
        pseudonyms=("plate_key",),
        wards=("ward_code",),
        instants=("observed_at", *_LANDED),
        enums={
            "detection_kind": "camera.events:kind",
            "vehicle_type": "camera.events:vehicle_type",
        },
        expect_rows=True,
    ),
    "stg_cameras": ViewFacts(
        not_null=("ward_code",),
        wards=("ward_code",),
        instants=_LANDED,
        enums={"camera_owner": "ref.cameras:owner"},
        expect_rows=True,
    ),
    "stg_facilities": ViewFacts(
        not_null=("ward_code",),
        wards=("ward_code",),
        instants=_LANDED,
        enums={"facility_kind": "ref.facilities:kind"},
        expect_rows=True,
    ),
    "stg_incident_reports": ViewFacts(
        not_null=("ward_code", "category", "channel", "status", "occurred_at", "received_at"),
        wards=("ward_code",),
        instants=("occurred_at", "received_at", "updated_at", *_LANDED),
        enums=_INCIDENT_ENUMS,
        counts=("deaths", "injuries"),
        expect_rows=True,
    ),
    "stg_lodging_checkins": ViewFacts(
        not_null=("facility_id", "ward_code", "action", "occurred_at", "notified_at"),
        pseudonyms=("guest_key",),
        wards=("ward_code", "guest_home_ward_code"),
        instants=("occurred_at", "notified_at", *_LANDED),
        birth_dates=("guest_birth_date",),
        enums={
            "action": "lodging.checkins:action",
            "read_method": "lodging.checkins:read_method",
            "guest_id_type": "lodging.checkins:guest.id_type",
            "guest_sex": "lodging.checkins:guest.sex",
        },
        counts=("guest_age",),
        expect_rows=True,
    ),
    "stg_population_updates": ViewFacts(
        not_null=("person_key", "change_type", "occurred_at"),
        pseudonyms=("person_key",),
        wards=("ward_code",),
        instants=("occurred_at", *_LANDED),
        birth_dates=("birth_date",),
        enums={
            "change_type": "population.updates:change",
            "sex": "population.updates:person.sex",
            "residence_type": "population.updates:residence",
            "vneid_level": "population.updates:vneid_level",
        },
        expect_rows=True,
    ),
    "stg_rejected": ViewFacts(
        not_null=("source_topic", "reason_codes", "rejected_at"), instants=("rejected_at", *_LANDED)
    ),
    "stg_watchlist": ViewFacts(
        not_null=("value_key", "entry_kind"),
        pseudonyms=("value_key",),
        instants=("listed_at", *_LANDED),
        enums={"entry_kind": "ref.watchlist:kind", "reason": "ref.watchlist:reason"},
    ),
    "stg_dq_results": ViewFacts(
        not_null=("suite", "expectation", "severity", "success", "run_at"),
        instants=("run_at", *_LANDED),
        counts=("unexpected_count",),
    ),
    # marts
    "dim_cameras": ViewFacts(
        not_null=("ward_code",), wards=("ward_code",), enums={"camera_owner": "ref.cameras:owner"}
    ),
    "dim_dates": ViewFacts(not_null=("year", "month", "week_start_on")),
    "dim_facilities": ViewFacts(
        not_null=("ward_code",),
        wards=("ward_code",),
        enums={"facility_kind": "ref.facilities:kind"},
    ),
    "dim_wards": ViewFacts(not_null=("ward_name", "province_code"), expect_rows=True),
    "fct_incidents": ViewFacts(
        not_null=("ward_code", "category", "status", "occurred_on", "received_on"),
        wards=("ward_code",),
        instants=("occurred_at", "received_at", "updated_at"),
        enums=_INCIDENT_ENUMS,
        counts=("deaths", "injuries"),
    ),
    "fct_lodging_checkins": ViewFacts(
        not_null=("facility_id", "ward_code", "occurred_on"),
        wards=("ward_code",),
        instants=("occurred_at", "notified_at"),
        enums={
            "action": "lodging.checkins:action",
            "read_method": "lodging.checkins:read_method",
        },
    ),
    "fct_resident_states": ViewFacts(
        not_null=("person_key", "state_from_at", "state_has_id_card"),
        pseudonyms=("person_key",),
        instants=("state_from_at", "state_until_at"),
        birth_dates=("state_birth_date",),
        enums={
            "state_sex": "population.updates:person.sex",
            "state_vneid_level": "population.updates:vneid_level",
        },
        at_least=(("state_until_at", "state_from_at"),),
    ),
    "fct_residents": ViewFacts(
        not_null=("ward_code",),
        pseudonyms=("person_key",),
        wards=("ward_code",),
        birth_dates=("birth_date",),
        enums={
            "residence_type": "population.updates:residence",
            "sex": "population.updates:person.sex",
            "vneid_level": "population.updates:vneid_level",
        },
        counts=("age_years",),
    ),
    # aggregates and indicators
    "agg_ward_years": ViewFacts(
        wards=("ward_code",),
        counts=("social_order_crimes", "social_evils", "traffic_accidents", "petitions_received"),
        at_least=(("petitions_received", "petitions_resolved"),),
    ),
    "ind_camera_coverage": ViewFacts(
        wards=("ward_code",),
        counts=("cameras", "connected_cameras", "wards", "wards_with_connected_camera"),
        percentages=("connected_ward_pct",),
        at_least=(("cameras", "connected_cameras"), ("wards", "wards_with_connected_camera")),
    ),
    "ind_crime_periods": ViewFacts(
        wards=("ward_code",),
        counts=("crimes", "prior_crimes", "solved", "residents"),
        percentages=("clearance_pct",),
        changes=("pct_change",),
    ),
    "ind_crime_reduction": ViewFacts(
        wards=("ward_code",),
        counts=("crimes", "prev_year_crimes", "baseline_crimes"),
        changes=("pct_change", "pct_change_vs_baseline"),
    ),
    "ind_criterion_19_2": ViewFacts(
        wards=("ward_code",),
        counts=("wards", "wards_passed", "social_order_crimes", "mass_petitions"),
        percentages=("wards_passed_pct",),
        at_least=(("wards", "wards_passed"),),
    ),
    "ind_incident_compstat": ViewFacts(
        not_null=("current",),
        wards=("ward_code",),
        enums={"category": "incident.reports:category"},
        counts=("current", "prior_year"),
        changes=("pct_change",),
    ),
    "ind_lodging_platform": ViewFacts(
        wards=("ward_code",),
        counts=("facilities", "on_platform", "checkins", "chip_reads", "late_notifications"),
        percentages=(
            "on_platform_pct",
            "chip_read_pct",
            "vneid_read_pct",
            "late_notification_pct",
        ),
        at_least=(
            ("facilities", "on_platform"),
            ("checkins", "chip_reads"),
            ("checkins", "vneid_reads"),
            ("checkins", "late_notifications"),
        ),
    ),
    "ind_petition_resolution": ViewFacts(
        wards=("ward_code",),
        counts=("received", "resolved", "in_progress", "transferred", "dismissed"),
        percentages=("resolved_pct",),
        at_least=(("received", "resolved"),),
    ),
    "ind_project06_coverage": ViewFacts(
        not_null=("residents", "with_id_card"),
        wards=("ward_code",),
        counts=("residents", "with_id_card", "vneid_level2"),
        percentages=("id_card_pct", "vneid_level2_pct"),
        at_least=(("residents", "with_id_card"), ("residents", "vneid_level2")),
    ),
}


def unknown_wards_column(column: str) -> str:
    """The frame column holding ``column``'s value where dim_wards does not know it, else NULL."""
    return f"dq_unknown_{column}"
