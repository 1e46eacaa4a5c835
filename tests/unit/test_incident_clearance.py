"""The optional solved_at field of incident.reports v1: what the clearance rate is computed from."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from streams.cleaning.context import CleanContext
from streams.contract.validate import load_schema, parse_event
from streams.processing import Outcome, clean_message
from streams.pseudonym import Pseudonymiser
from streams.reference.wards import ward_provinces
from tests import factories as f
from warehouse.landing.schemas import table_schema

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"
CTX = CleanContext(
    now=datetime(2026, 11, 21, tzinfo=UTC),
    province_code=92,
    wards=ward_provinces(),
    cameras={},
    facilities={},
    watchlist={},
    residents={},
    pseudonymise=Pseudonymiser(b"unit-test-key-0123456789"),
)


def clean(**overrides: Any) -> Outcome:
    return clean_message(f.message("incident.reports", f.report(**overrides)), CTX)


def test_a_report_without_solved_at_stays_valid() -> None:
    outcome = clean()  # the factory's report has no solved_at, as every producer so far
    assert outcome.rejection is None and outcome.row is not None
    assert outcome.row["solved_at"] is None
    assert clean(solved_at=None).row == outcome.row


def test_solved_at_lands_in_utc() -> None:
    # occurred 21:45 local on 19/11/2026; solved 07:30 local on 20/11/2026 = 00:30 UTC.
    outcome = clean(solved_at="2026-11-20T07:30:00+07:00", status="resolved")
    assert outcome.row is not None
    assert outcome.row["solved_at"] == datetime(2026, 11, 20, 0, 30, tzinfo=UTC)
    # Without an offset it is local time, like every timestamp of the contract.
    outcome = clean(solved_at="2026-11-20 07:30:00")
    assert outcome.row is not None
    assert outcome.row["solved_at"] == datetime(2026, 11, 20, 0, 30, tzinfo=UTC)
    assert table_schema("incident_reports").field("solved_at").nullable


@pytest.mark.parametrize(
    ("solved_at", "reason"),
    [
        ("2026-11-19T21:44:59+07:00", "solved_before_occurred"),  # one second before it occurred
        ("yesterday", "invalid_timestamp"),
        ("2026-12-20T14:07:00Z", "future_timestamp"),  # reached Kafka at 14:01 UTC on 20/11
        ("", "invalid_field"),
        (20261120, "invalid_field"),
    ],
)
def test_a_bad_solved_at_is_a_rejection(solved_at: object, reason: str) -> None:
    outcome = clean(solved_at=solved_at)
    assert outcome.row is None and outcome.rejection is not None
    assert outcome.rejection.reasons == (reason,)
    if isinstance(solved_at, str) and solved_at:
        assert solved_at not in outcome.rejection.message


def test_the_solved_example_is_valid_and_documented() -> None:
    example = load_schema("incident.reports")["examples"][1]
    assert example["solved_at"] == "2026-12-03T15:20:00+07:00"
    assert parse_event("incident.reports", json.dumps(example).encode()) == example
    assert json.dumps(example, ensure_ascii=False, indent=2) in DOC.read_text(encoding="utf-8")
