"""The indicator views against hand-computed fixtures landed through the real landing zone.

Every figure asserted here was computed by hand from the rows each test lands; the comments next to
the fixtures show the arithmetic. Times are written in local time (Asia/Ho_Chi_Minh) and landed in
UTC, as the workers do, so that the local-date buckets are exercised at every day boundary.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
import pytest

from streams.contract.topics import TOPICS
from warehouse import connect, indicator
from warehouse.landing.zone import LandingZone, OwnTable

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
LANDED_AT = datetime(2025, 1, 5, tzinfo=UTC)
TOPIC_OF = {spec.table: spec.name for spec in TOPICS}

# Cần Thơ (province 92, the default deployment) has 103 wards.
CAN_THO_WARDS = 103
WARD_A = "31135"  # Phường Ninh Kiều
WARD_B = "31120"  # Phường Cái Khế
WARD_C = "31147"  # Phường Tân An
WARD_D = "31150"  # Phường An Bình
WARD_E = "31174"  # Phường Thới An Đông
WARD_F = "31168"  # Phường Bình Thủy
HA_NOI_WARD = "00070"  # Phường Hoàn Kiếm, outside the deployment's province


def local(text: str) -> datetime:
    """A local wall-clock time ('YYYY-MM-DD HH:MM[:SS]') as the UTC instant the workers land."""
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL).astimezone(UTC)


class Landing:
    """Lands fixture rows as a worker would: one file per partition and offset range."""

    def __init__(self, root: Path) -> None:
        self.zone = LandingZone(root)
        self.zone.ensure()
        self._next: dict[tuple[str, int], int] = {}

    def land(
        self,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        *,
        partition: int = 0,
        first_offset: int | None = None,
        load_id: str = "load-1",
        landed_at: datetime = LANDED_AT,
    ) -> int:
        """Land ``rows`` at consecutive offsets (after the last ones unless ``first_offset``)."""
        key = (table, partition)
        first = self._next.get(key, 0) if first_offset is None else first_offset
        stamped = [
            {
                **row,
                "source_topic": TOPIC_OF[table],
                "source_partition": partition,
                "source_offset": first + i,
                "load_id": load_id,
                "landed_at": landed_at,
            }
            for i, row in enumerate(rows)
        ]
        self.zone.write(table, OwnTable, partition, first, first + len(rows) - 1, stamped)
        self._next[key] = max(self._next.get(key, 0), first + len(rows))
        return first


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    return Landing(tmp_path / "landing")


@pytest.fixture
def con(landing: Landing) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(landing_dir=landing.zone.root)
    yield connection
    connection.close()


def only(df: pl.DataFrame, **where: Any) -> dict[str, Any]:
    """The single row of ``df`` matching ``where`` (None matches NULL, the province row)."""
    conditions = [pl.col(k).is_null() if v is None else pl.col(k) == v for k, v in where.items()]
    matches = df.filter(*conditions)
    assert matches.height == 1, f"{matches.height} rows match {where}"
    return matches.row(0, named=True)


def dec(text: str) -> Decimal:
    return Decimal(text)


def report(
    report_id: str,
    ward: str,
    category: str,
    occurred: str,
    *,
    received: str | None = None,
    updated: str | None = None,
    status: str = "received",
    severity: str | None = None,
    is_mass_petition: bool = False,
    solved: str | None = None,
) -> dict[str, Any]:
    occurred_at = local(occurred)
    received_at = local(received) if received else occurred_at + timedelta(hours=1)
    return {
        "report_id": report_id,
        "updated_at": local(updated) if updated else received_at,
        "received_at": received_at,
        "occurred_at": occurred_at,
        "ward_code": ward,
        "category": category,
        "severity": severity,
        "channel": "hotline",
        "status": status,
        "deaths": 0,
        "injuries": 0,
        "is_mass_petition": is_mass_petition,
        "solved_at": local(solved) if solved else None,
    }


def crimes(
    prefix: str, ward: str, count: int, day: str, category: str = "social_order_crime"
) -> list[dict[str, Any]]:
    """``count`` reports of ``category`` occurring at noon on a local ``day``."""
    return [report(f"{prefix}-{i}", ward, category, f"{day} 12:00") for i in range(count)]


# --- Crime reduction ---------------------------------------------------------------------------


def test_crime_reduction_against_previous_and_baseline_year(
    landing: Landing, con: duckdb.DuckDBPyConnection
) -> None:
    a_2024 = [
        *crimes("a24", WARD_A, 8, "2024-06-01"),
        # 00:30 local on 15 December 2023 is still the 14th in UTC: it counts in reporting year
        # 2024 (15/12/2023 to 14/12/2024).
        report("a24-newyear", WARD_A, "social_order_crime", "2023-12-15 00:30"),
    ]
    landing.land(
        "incident_reports",
        [
            # The first report received: the data covers reporting year 2019 from its first day.
            report("first", WARD_F, "petition", "2018-12-15 07:00", received="2018-12-15 08:00"),
            *crimes("a19", WARD_A, 20, "2019-05-01"),
            *crimes("a22", WARD_A, 10, "2022-05-01"),
            *crimes("a23", WARD_A, 10, "2023-05-01"),
            *a_2024,
            *crimes("c19", WARD_C, 4, "2019-05-01"),
            *crimes("c24", WARD_C, 3, "2024-05-01"),
            *crimes("d23", WARD_D, 20, "2023-05-01"),
            *crimes("d24", WARD_D, 19, "2024-05-01"),
            *crimes("e23", WARD_E, 21, "2023-05-01"),
            *crimes("e24", WARD_E, 20, "2024-05-01"),
            # None of these count as social-order crimes of the province:
            report("a24-drug", WARD_A, "drug_crime", "2024-07-01 10:00"),
            report(
                "a24-false", WARD_A, "social_order_crime", "2024-07-01 10:00", status="dismissed"
            ),
            report("hn24", HA_NOI_WARD, "social_order_crime", "2024-07-01 10:00"),
            # 00:30 local on 15 December 2024 is reporting year 2025, after as_of.
            report("a25", WARD_A, "social_order_crime", "2024-12-15 00:30"),
        ],
        partition=1,
    )
    # A crash replay lands offsets 41-49 (ward A's 2024 crimes) a second time, in another file.
    first_2024 = 1 + 20 + 10 + 10
    landing.land(
        "incident_reports",
        a_2024,
        partition=1,
        first_offset=first_2024,
        load_id="load-2",
        landed_at=LANDED_AT + timedelta(minutes=5),
    )

    # 14 December 2024 ends reporting year 2024.
    df = indicator("ind_crime_reduction", con=con, as_of=date(2024, 12, 14))

    # Reporting years run from 2019 (the first report received) to 2024, for 103 wards and the
    # province.
    assert df.height == (CAN_THO_WARDS + 1) * 6
    assert df["year"].unique().sort().to_list() == [2019, 2020, 2021, 2022, 2023, 2024]

    a24 = only(df, ward_code=WARD_A, year=2024)
    assert (a24["crimes"], a24["prev_year_crimes"]) == (9, 10)
    assert a24["pct_change"] == dec("-10.00")  # (9 - 10) / 10
    assert a24["meets_target"] is True
    assert (a24["baseline_year"], a24["baseline_crimes"]) == (2019, 20)
    assert a24["pct_change_vs_baseline"] == dec("-55.00")  # (9 - 20) / 20
    assert a24["meets_baseline_target"] is True
    assert a24["is_complete_year"] is True
    assert a24["period_label"] == "năm 2024 (từ 15/12/2023 đến 14/12/2024)"
    assert (a24["comparison"], a24["is_provisional"]) == ("previous_year", False)

    a23 = only(df, ward_code=WARD_A, year=2023)
    assert (a23["crimes"], a23["prev_year_crimes"], a23["pct_change"]) == (10, 10, dec("0.00"))
    assert a23["meets_target"] is False
    a20 = only(df, ward_code=WARD_A, year=2020)
    assert (a20["crimes"], a20["prev_year_crimes"], a20["pct_change"]) == (0, 20, dec("-100.00"))
    a19 = only(df, ward_code=WARD_A, year=2019)
    assert a19["prev_year_crimes"] is None  # before the first year with data: unknown
    assert a19["pct_change"] is None and a19["meets_target"] is None
    assert a19["comparison"] is None

    # 0 -> 0 holds the target; pct_change is undefined.
    b24 = only(df, ward_code=WARD_B, year=2024)
    assert (b24["crimes"], b24["prev_year_crimes"], b24["pct_change"]) == (0, 0, None)
    assert b24["meets_target"] is True
    assert (b24["baseline_crimes"], b24["pct_change_vs_baseline"]) == (0, None)
    assert b24["meets_baseline_target"] is True

    # 0 -> 3 misses it; against the 2019 baseline of 4 it is a 25% reduction.
    c24 = only(df, ward_code=WARD_C, year=2024)
    assert (c24["crimes"], c24["prev_year_crimes"], c24["pct_change"]) == (3, 0, None)
    assert c24["meets_target"] is False
    assert c24["pct_change_vs_baseline"] == dec("-25.00")
    assert c24["meets_baseline_target"] is True

    # Exactly 5% meets the target; 4.76% does not.
    d24 = only(df, ward_code=WARD_D, year=2024)
    assert (d24["pct_change"], d24["meets_target"]) == (dec("-5.00"), True)
    e24 = only(df, ward_code=WARD_E, year=2024)
    assert (e24["pct_change"], e24["meets_target"]) == (dec("-4.76"), False)

    # Province: 2024 = 9 + 3 + 19 + 20 = 51; 2023 = 10 + 20 + 21 = 51; 2019 = 20 + 4 = 24.
    p24 = only(df, ward_code=None, year=2024)
    assert (p24["crimes"], p24["prev_year_crimes"], p24["pct_change"]) == (51, 51, dec("0.00"))
    assert p24["meets_target"] is False
    assert (p24["baseline_crimes"], p24["pct_change_vs_baseline"]) == (24, dec("112.50"))
    assert p24["meets_baseline_target"] is False
    # The province row comes first.
    assert df.row(0, named=True)["ward_code"] is None

    # Calendar years for analysts: the crime at 00:30 on 15/12/2023 is 2023, the one at 00:30 on
    # 15/12/2024 is 2024: A has 8 + 1 = 9 in 2024 against 10 + 1 = 11 in 2023.
    cal = indicator("ind_crime_reduction", con=con, as_of=date(2024, 12, 31), year_basis="calendar")
    assert cal["year"].unique().sort().to_list() == [2018, 2019, 2020, 2021, 2022, 2023, 2024]
    a24 = only(cal, ward_code=WARD_A, year=2024)
    assert (a24["crimes"], a24["prev_year_crimes"], a24["pct_change"]) == (9, 11, dec("-18.18"))
    assert (a24["meets_target"], a24["baseline_crimes"]) == (True, 20)
    assert a24["period_label"] == "năm dương lịch 2024 (từ 01/01/2024 đến 31/12/2024)"
    # The connection is back on reporting years.
    assert con.execute("SELECT getvariable('year_basis')").fetchall() == [("reporting",)]


def test_crime_reduction_baseline_year_is_a_parameter(
    landing: Landing, con: duckdb.DuckDBPyConnection
) -> None:
    landing.land(
        "incident_reports",
        crimes("a19", WARD_A, 20, "2019-05-01")
        + crimes("a22", WARD_A, 10, "2022-05-01")
        + crimes("a24", WARD_A, 9, "2024-05-01"),
    )
    as_of = date(2024, 12, 14)

    row = only(
        indicator(
            "ind_crime_reduction", con=con, ward=WARD_A, year=2024, as_of=as_of, baseline_year=2022
        ),
    )
    assert (row["baseline_year"], row["baseline_crimes"]) == (2022, 10)
    assert row["pct_change_vs_baseline"] == dec("-10.00")

    # A baseline the data does not cover is unknown, not zero: before the first year with data,
    # or the first year itself when the data starts in it (1/5/2019, after 15/12/2018).
    row = only(
        indicator("ind_crime_reduction", con=con, ward=WARD_A, year=2024, as_of=as_of),
    )
    assert (row["baseline_year"], row["baseline_crimes"], row["meets_baseline_target"]) == (
        2019,
        None,
        None,
    )
    row = only(
        indicator(
            "ind_crime_reduction", con=con, ward=WARD_A, year=2024, as_of=as_of, baseline_year=2015
        ),
    )
    assert row["baseline_crimes"] is None
    assert row["pct_change_vs_baseline"] is None and row["meets_baseline_target"] is None

    # The same as_of in a year still running: 2024 is then year-to-date.
    row = only(
        indicator("ind_crime_reduction", con=con, ward=WARD_A, year=2024, as_of=date(2024, 6, 30))
    )
    assert (row["crimes"], row["is_complete_year"]) == (9, False)


def test_an_unfinished_year_is_not_judged_against_a_whole_year(
    landing: Landing, con: duckdb.DuckDBPyConnection
) -> None:
    landing.land(
        "incident_reports",
        [
            # The data starts on 1/6/2023, in the middle of reporting year 2023.
            report("first", WARD_A, "petition", "2023-06-01 07:00", received="2023-06-01 08:00"),
            report("a23", WARD_A, "social_order_crime", "2023-11-01 12:00"),
            # Reporting year 2024 (15/12/2023 to 14/12/2024): 4 by 15 February, 20 in all.
            *crimes("a24-early", WARD_A, 4, "2024-01-10"),
            *crimes("a24-late", WARD_A, 16, "2024-06-01"),
            # Reporting year 2025 to 15 February: 3 crimes and a resolved petition.
            *crimes("a25", WARD_A, 3, "2025-01-10"),
            report("p25", WARD_A, "petition", "2025-02-01 09:00", status="resolved"),
        ],
    )
    as_of = date(2025, 2, 15)

    crime = indicator("ind_crime_reduction", con=con, as_of=as_of)
    # 3 so far against the same dates a year earlier (4), not against all 20 of 2024 (-85%):
    # and no verdict before the year ends.
    p25 = only(crime, ward_code=None, year=2025)
    assert (p25["crimes"], p25["prev_year_crimes"], p25["pct_change"]) == (3, 4, dec("-25.00"))
    assert (p25["meets_target"], p25["is_provisional"], p25["is_complete_year"]) == (
        None,
        True,
        False,
    )
    assert p25["comparison"] == "same_dates_previous_year"
    assert p25["data_through"] == as_of
    # 2023 is known only from 1 June: 2024 cannot be compared with it (not +1,900%).
    p24 = only(crime, ward_code=None, year=2024)
    assert (p24["crimes"], p24["prev_year_crimes"], p24["pct_change"]) == (20, None, None)
    assert (p24["meets_target"], p24["comparison"]) == (None, None)
    assert only(crime, ward_code=None, year=2023)["prev_year_crimes"] is None

    criterion = indicator("ind_criterion_19_2", con=con, as_of=as_of)
    a25 = only(criterion, ward_code=WARD_A, year=2025)
    assert (a25["passes"], a25["failed_checks"], a25["is_provisional"]) == (None, [], True)
    assert (a25["social_order_crimes"], a25["prev_social_order_crimes"]) == (3, 4)
    assert only(criterion, ward_code=None, year=2025)["wards_passed_pct"] is None
    a24 = only(criterion, ward_code=WARD_A, year=2024)
    assert (a24["passes"], a24["failed_checks"]) == (None, [])

    petitions = indicator("ind_petition_resolution", con=con, ward=WARD_A, as_of=as_of)
    a25 = only(petitions, year=2025)
    assert (a25["received"], a25["resolved_pct"], a25["meets_target"]) == (1, dec("100.00"), None)


def test_crash_replay_and_duplicate_events_count_once(
    landing: Landing, con: duckdb.DuckDBPyConnection
) -> None:
    rows = crimes("r", WARD_A, 3, "2024-05-01")
    landing.land("incident_reports", rows)  # offsets 0-2
    landing.land(  # offsets 1-2 again, later
        "incident_reports",
        rows[1:],
        first_offset=1,
        load_id="replay",
        landed_at=LANDED_AT + timedelta(hours=1),
    )
    # The same camera event produced twice (a producer retry): two offsets, one event.
    event = {
        "event_id": "cam-1",
        "camera_id": "CAM-1",
        "observed_at": local("2024-05-01 08:00"),
        "kind": "vehicle",
        "confidence": 0.9,
        "ward_code": WARD_A,
    }
    landing.land("camera_events", [event, event, {**event, "event_id": "cam-2"}])

    def count(view: str) -> int:
        (value,) = con.execute(f"SELECT count(*) FROM {view}").fetchall()[0]
        return int(value)

    assert count("landed_incident_reports") == 3
    assert count("stg_incident_reports") == 3
    assert count("landed_camera_events") == 3  # three offsets
    assert count("stg_camera_events") == 2  # two events
    (first_offset,) = con.execute(
        "SELECT source_offset FROM stg_camera_events WHERE camera_event_id = 'cam-1'"
    ).fetchall()[0]
    assert first_offset == 0
    # The first landed copy of a replayed offset wins.
    loads = con.execute(
        "SELECT DISTINCT load_id FROM landed_incident_reports ORDER BY ALL"
    ).fetchall()
    assert loads == [("load-1",)]


# --- Criterion 19.2 ----------------------------------------------------------------------------


def test_criterion_19_2_checks_and_failed_checks(
    landing: Landing, con: duckdb.DuckDBPyConnection
) -> None:
    landing.land(
        "incident_reports",
        [
            # The first report received, on the first day of reporting year 2023: the data covers
            # 2023, so 2024 can be compared with it.
            report("first", WARD_E, "petition", "2022-12-15 07:00", received="2022-12-15 08:00"),
            # Ward A: crimes 2 -> 2, social evils 1 -> 0, accidents 3 -> 3: passes.
            *crimes("a23", WARD_A, 2, "2023-04-01"),
            *crimes("a24", WARD_A, 2, "2024-04-01"),
            *crimes("a23e", WARD_A, 1, "2023-04-01", "social_evil"),
            *crimes("a23t", WARD_A, 3, "2023-04-01", "traffic_accident"),
            *crimes("a24t", WARD_A, 3, "2024-04-01", "traffic_accident"),
            # Ward B: a mass petition, an especially serious crime, crimes 1 -> 2.
            *crimes("b23", WARD_B, 1, "2023-04-01"),
            report("b24-1", WARD_B, "social_order_crime", "2024-04-01 12:00"),
            report(
                "b24-2",
                WARD_B,
                "social_order_crime",
                "2024-05-01 12:00",
                severity="especially_serious",
            ),
            report("b24-p", WARD_B, "petition", "2024-03-01 09:00", is_mass_petition=True),
            # Ward C: social evils 0 -> 1, accidents 1 -> 2; and a mass petition in 2023.
            *crimes("c24e", WARD_C, 1, "2024-04-01", "social_evil"),
            *crimes("c23t", WARD_C, 1, "2023-04-01", "traffic_accident"),
            *crimes("c24t", WARD_C, 2, "2024-04-01", "traffic_accident"),
            report("c23-p", WARD_C, "petition", "2023-03-01 09:00", is_mass_petition=True),
            # Ward D: a dismissed report (unfounded) does not make it fail.
            report(
                "d24",
                WARD_D,
                "drug_crime",
                "2024-04-01 12:00",
                severity="especially_serious",
                status="dismissed",
            ),
        ],
    )

    df = indicator("ind_criterion_19_2", con=con, as_of=date(2024, 12, 14))

    a24 = only(df, ward_code=WARD_A, year=2024)
    assert (a24["passes"], a24["failed_checks"]) == (True, [])
    assert (a24["period_label"], a24["is_provisional"]) == (
        "năm 2024 (từ 15/12/2023 đến 14/12/2024)",
        False,
    )
    b24 = only(df, ward_code=WARD_B, year=2024)
    assert b24["passes"] is False
    assert b24["failed_checks"] == [
        "mass_petition",
        "especially_serious_crime",
        "social_order_crime_increase",
    ]
    assert (b24["social_order_crimes"], b24["prev_social_order_crimes"]) == (2, 1)
    c24 = only(df, ward_code=WARD_C, year=2024)
    assert c24["passes"] is False
    assert c24["failed_checks"] == ["social_evil_increase", "traffic_accident_increase"]
    d24 = only(df, ward_code=WARD_D, year=2024)
    assert (d24["passes"], d24["failed_checks"]) == (True, [])

    # 2023 is the first year with data: the comparisons cannot be made, so a ward passes only
    # "unknown", unless a check that needs no comparison failed.
    a23 = only(df, ward_code=WARD_A, year=2023)
    assert (a23["passes"], a23["failed_checks"]) == (None, [])
    c23 = only(df, ward_code=WARD_C, year=2023)
    assert (c23["passes"], c23["failed_checks"]) == (False, ["mass_petition"])

    # Province: 101 of 103 wards pass in 2024 (all but B and C).
    p24 = only(df, ward_code=None, year=2024)
    assert (p24["wards"], p24["wards_passed"], p24["wards_passed_pct"]) == (103, 101, dec("98.06"))
    assert (p24["social_order_crimes"], p24["prev_social_order_crimes"]) == (4, 3)
    assert p24["passes"] is None and p24["failed_checks"] is None
    p23 = only(df, ward_code=None, year=2023)
    assert (p23["wards_passed"], p23["wards_passed_pct"]) == (0, None)


# --- Petitions ---------------------------------------------------------------------------------


def test_petition_resolution_uses_the_latest_status(
    landing: Landing, con: duckdb.DuckDBPyConnection
) -> None:
    received_2023 = "2023-06-01 09:00"
    petitions = [
        # 2023: 10 received; 7 resolved within the year, 1 resolved in February 2024 (below),
        # 1 still being verified, 1 transferred to another authority -> 8 / 10 = 80.00%.
        *[
            report(
                f"p23-{i}",
                WARD_A,
                "petition",
                received_2023,
                status="resolved",
                updated="2023-07-01 09:00",
            )
            for i in range(7)
        ],
        report(
            "p23-late",
            WARD_A,
            "petition",
            received_2023,
            updated="2023-12-20 09:00",
            status="verifying",
        ),
        report(
            "p23-open",
            WARD_A,
            "petition",
            received_2023,
            status="verifying",
            updated="2023-07-01 09:00",
        ),
        report(
            "p23-away",
            WARD_A,
            "petition",
            received_2023,
            status="transferred",
            updated="2023-07-01 09:00",
        ),
        # 2024: 4 received; 3 resolved, 1 dismissed -> 75.00%.
        report("p24-1", WARD_A, "petition", "2024-03-01 09:00", status="resolved"),
        # A version that arrives late (higher offset) but is older loses to the newer one.
        report(
            "p24-2",
            WARD_A,
            "petition",
            "2024-03-01 09:00",
            status="resolved",
            updated="2024-04-01 09:00",
        ),
        report(
            "p24-3",
            WARD_A,
            "petition",
            "2024-03-01 09:00",
            status="verifying",
            updated="2024-04-01 09:00",
        ),
        report("p24-4", WARD_A, "petition", "2024-03-01 09:00", status="dismissed"),
    ]
    landing.land("incident_reports", petitions)
    landing.land(
        "incident_reports",
        [
            # The status change after the year ended.
            report(
                "p23-late",
                WARD_A,
                "petition",
                received_2023,
                status="resolved",
                updated="2024-02-01 09:00",
            ),
            # Late older version of p24-2.
            report(
                "p24-2",
                WARD_A,
                "petition",
                "2024-03-01 09:00",
                status="verifying",
                updated="2024-03-15 09:00",
            ),
            # Same updated_at as the landed version of p24-3: the later offset wins.
            report(
                "p24-3",
                WARD_A,
                "petition",
                "2024-03-01 09:00",
                status="resolved",
                updated="2024-04-01 09:00",
            ),
        ],
    )

    df = indicator("ind_petition_resolution", con=con, as_of=date(2024, 12, 14))

    a23 = only(df, ward_code=WARD_A, year=2023)
    assert (a23["received"], a23["resolved"], a23["resolved_pct"]) == (10, 8, dec("80.00"))
    assert a23["meets_target"] is True  # 80% is enough
    assert (a23["in_progress"], a23["transferred"], a23["dismissed"]) == (1, 1, 0)
    a24 = only(df, ward_code=WARD_A, year=2024)
    assert (a24["received"], a24["resolved"], a24["resolved_pct"]) == (4, 3, dec("75.00"))
    assert a24["meets_target"] is False
    b24 = only(df, ward_code=WARD_B, year=2024)
    assert (b24["received"], b24["resolved_pct"], b24["meets_target"]) == (0, None, None)
    p23 = only(df, ward_code=None, year=2023)
    assert (p23["received"], p23["resolved"], p23["resolved_pct"]) == (10, 8, dec("80.00"))

    # The status is always the latest known, whatever as_of: at the end of 2023 the late
    # resolution already counts (documented: as_of cuts dates received, not status changes).
    a23_then = only(
        indicator(
            "ind_petition_resolution", con=con, ward=WARD_A, year=2023, as_of=date(2023, 12, 14)
        ),
    )
    assert (a23_then["resolved"], a23_then["is_complete_year"]) == (8, True)
    assert a23_then["period_label"] == "năm 2023 (từ 15/12/2022 đến 14/12/2023)"


# --- CompStat ----------------------------------------------------------------------------------


def test_compstat_periods_across_the_year_boundary(
    landing: Landing, con: duckdb.DuckDBPyConnection
) -> None:
    # as_of Thursday 2 January 2025.
    #   wtd 2024-12-30 .. 2025-01-02, prior (52 weeks earlier) 2024-01-01 .. 2024-01-04
    #   d28 2024-12-06 .. 2025-01-02, prior 2023-12-08 .. 2024-01-04
    #   ytd 2024-12-15 .. 2025-01-02 (reporting year 2025), prior 2023-12-15 .. 2024-01-02
    occurred = {
        "2025-01-02 10:00": "wtd d28 ytd",
        "2025-01-01 00:30": "wtd d28 ytd",  # 2024-12-31 17:30 UTC
        "2024-12-31 23:30": "wtd d28 ytd",
        "2024-12-29 10:00": "d28 ytd",
        "2024-12-15 00:30": "d28 ytd",  # 2024-12-14 17:30 UTC
        "2024-12-14 23:30": "d28",
        "2024-12-10 10:00": "d28",
        "2024-12-05 10:00": "-",
        "2025-01-03 10:00": "- (after as_of)",
        "2024-01-01 10:00": "prior wtd d28 ytd",
        "2024-01-03 10:00": "prior wtd d28",
        "2024-01-04 10:00": "prior wtd d28",
        "2023-12-08 10:00": "prior d28",
        "2023-12-07 10:00": "-",
    }
    rows = [report(f"s{i}", WARD_A, "social_order_crime", when) for i, when in enumerate(occurred)]
    rows += [
        report("dismissed", WARD_A, "social_order_crime", "2025-01-02 10:00", status="dismissed"),
        report("t1", WARD_B, "traffic_accident", "2025-01-01 08:00"),
        report("hn", HA_NOI_WARD, "social_order_crime", "2025-01-02 10:00"),
    ]
    landing.land("incident_reports", rows)

    df = indicator("ind_incident_compstat", con=con, as_of=date(2025, 1, 2))

    assert df.height == (CAN_THO_WARDS + 1) * 9 * 3  # every ward, category and period
    expected = {
        "wtd": (3, 3, dec("0.00")),
        "d28": (7, 4, dec("75.00")),
        "ytd": (5, 1, dec("400.00")),
    }
    for period, figures in expected.items():
        for ward in (WARD_A, None):
            row = only(df, ward_code=ward, category="social_order_crime", period=period)
            assert (row["current"], row["prior_year"], row["pct_change"]) == figures, period
    wtd = only(df, ward_code=WARD_A, category="social_order_crime", period="wtd")
    assert (wtd["current_start"], wtd["current_end"]) == (date(2024, 12, 30), date(2025, 1, 2))
    assert (wtd["prior_start"], wtd["prior_end"]) == (date(2024, 1, 1), date(2024, 1, 4))
    ytd = only(df, ward_code=WARD_A, category="social_order_crime", period="ytd")
    assert (ytd["current_start"], ytd["current_end"]) == (date(2024, 12, 15), date(2025, 1, 2))
    assert (ytd["prior_start"], ytd["prior_end"]) == (date(2023, 12, 15), date(2024, 1, 2))
    # Calendar years for analysts: ytd from 1 January, against 1 to 2 January 2024.
    calendar = indicator(
        "ind_incident_compstat", con=con, ward=WARD_A, as_of=date(2025, 1, 2), year_basis="calendar"
    )
    ytd = only(calendar, category="social_order_crime", period="ytd")
    assert (ytd["current"], ytd["prior_year"], ytd["pct_change"]) == (2, 1, dec("100.00"))
    assert (ytd["current_start"], ytd["prior_start"]) == (date(2025, 1, 1), date(2024, 1, 1))

    accident = only(df, ward_code=WARD_B, category="traffic_accident", period="ytd")
    assert (accident["current"], accident["prior_year"], accident["pct_change"]) == (1, 0, None)
    assert only(df, ward_code=WARD_C, category="drug_crime", period="d28")["current"] == 0


# --- Project 06 --------------------------------------------------------------------------------

P06_AS_OF = date(2024, 10, 31)
BAND_SIZES = {"under_6": 2_465, "6_to_13": 3_517, "14_plus": 15_544}  # 21,526 in all (seed 001)
BAND_ID_CARDS = {"under_6": 2_366, "6_to_13": 2_877, "14_plus": 15_437}  # 20,680 in all
# Birthdays on the edges of the bands on P06_AS_OF, then a spread of ordinary birth dates.
BAND_EDGES = {
    "under_6": [date(2018, 11, 1)],  # 6 tomorrow
    "6_to_13": [date(2018, 10, 31), date(2010, 11, 1)],  # 6 today; 14 tomorrow
    "14_plus": [date(2010, 10, 31)],  # 14 today
}
BAND_SPREAD = {
    "under_6": (date(2019, 1, 1), 2_000),
    "6_to_13": (date(2011, 1, 1), 2_800),
    "14_plus": (date(1950, 1, 1), 20_000),
}


class Registry:
    """Builds population.updates rows person by person, keeping each person in one partition."""

    def __init__(self) -> None:
        self.partitions: list[list[dict[str, Any]]] = [[], [], []]
        self._people = 0

    def person(
        self, key: str, birth_date: date, events: Sequence[tuple[str, str, dict[str, Any]]]
    ) -> None:
        rows = self.partitions[self._people % 3]
        self._people += 1
        for n, (change, when, extra) in enumerate(events):
            rows.append(
                {
                    "event_id": f"{key}-{n}",
                    "occurred_at": local(when),
                    "change": change,
                    "person_key": key,
                    "birth_date": birth_date,
                    "sex": "female",
                    **extra,
                }
            )


def registered(when: str, ward: str = WARD_A) -> tuple[str, str, dict[str, Any]]:
    return ("registered", when, {"ward_code": ward, "residence": "permanent"})


def moved(when: str, ward: str) -> tuple[str, str, dict[str, Any]]:
    return ("moved", when, {"ward_code": ward, "residence": "temporary"})


def simple(change: str, when: str, **extra: Any) -> tuple[str, str, dict[str, Any]]:
    return (change, when, extra)


def build_population(registry: Registry) -> None:
    """Ward A at P06_AS_OF holds the seed-001 population exactly; everyone else is noise."""
    for band, size in BAND_SIZES.items():
        start, spread = BAND_SPREAD[band]
        births = BAND_EDGES[band] + [
            start + timedelta(days=i % spread) for i in range(size - len(BAND_EDGES[band]))
        ]
        for i, birth in enumerate(births):
            events = [registered("2024-07-01 09:00")]
            if band == "14_plus" and i == 0:  # removed, then registered again
                events = [
                    registered("2020-01-01 09:00"),
                    simple("removed", "2024-03-01 09:00"),
                    registered("2024-05-01 09:00"),
                ]
            elif band == "14_plus" and i == 1:  # moved in from ward B
                events = [registered("2020-01-01 09:00", WARD_B), moved("2024-02-01 09:00", WARD_A)]
            elif band == "14_plus" and i == 2:  # registered one second before as_of ends
                events = [registered("2024-10-31 23:59:59")]
            if i < BAND_ID_CARDS[band]:
                events.append(simple("id_card_issued", "2024-08-01 09:00"))
            elif band == "6_to_13" and i == BAND_ID_CARDS[band]:
                events.append(simple("id_card_issued", "2024-11-05 09:00"))  # after as_of
            if band == "14_plus" and i < 500:
                events.append(simple("vneid_activated", "2024-08-15 09:00", vneid_level=1))
            if (band == "14_plus" and i < 12_000) or (band == "6_to_13" and i < 100):
                events.append(simple("vneid_activated", "2024-09-01 09:00", vneid_level=2))
            elif band == "14_plus" and i < 13_000:
                events.append(simple("vneid_activated", "2024-09-01 09:00", vneid_level=1))
            registry.person(f"A-{band}-{i:05d}", birth, events)

    adult = date(1980, 5, 5)
    for i in range(50):  # moved to ward B, with ID cards
        registry.person(
            f"to-B-{i}",
            adult,
            [
                registered("2024-01-01 09:00"),
                simple("id_card_issued", "2024-01-15 09:00"),
                moved("2024-06-01 09:00", WARD_B),
            ],
        )
    for i in range(30):  # removed from the registry
        registry.person(
            f"gone-{i}",
            adult,
            [registered("2024-01-01 09:00"), simple("removed", "2024-09-01 09:00")],
        )
    for i in range(20):  # registered after as_of
        registry.person(f"late-{i}", adult, [registered("2024-11-02 09:00")])
    # Midnight local on 1 November is still 31 October in UTC: after as_of all the same.
    registry.person("midnight", adult, [registered("2024-11-01 00:00:00")])
    for i in range(10):  # another province
        registry.person(
            f"hn-{i}",
            adult,
            [
                registered("2024-01-01 09:00", HA_NOI_WARD),
                simple("id_card_issued", "2024-01-15 09:00"),
            ],
        )


@pytest.fixture(scope="module")
def population_con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    landing = Landing(tmp_path_factory.mktemp("population") / "landing")
    registry = Registry()
    build_population(registry)
    for partition, rows in enumerate(registry.partitions):
        landing.land("population_updates", rows, partition=partition)
    # A registration re-sent by the producer: same event id, another offset.
    partition, duplicate = next(
        (partition, row)
        for partition, rows in enumerate(registry.partitions)
        for row in rows
        if row["event_id"] == "A-14_plus-00003-0"
    )
    landing.land("population_updates", [duplicate], partition=partition)
    connection = connect(landing_dir=landing.zone.root)
    yield connection
    connection.close()


def test_project06_coverage_reproduces_the_seed_figures(
    population_con: duckdb.DuckDBPyConnection,
) -> None:
    df = indicator("ind_project06_coverage", con=population_con, as_of=P06_AS_OF)
    assert df.height == (CAN_THO_WARDS + 1) * 4
    assert set(df["as_of"].to_list()) == {P06_AS_OF}

    def figures(ward: str | None, band: str) -> tuple[Any, ...]:
        row = only(df, ward_code=ward, age_band=band)
        return (
            row["residents"],
            row["with_id_card"],
            row["id_card_pct"],
            row["vneid_level2"],
            row["vneid_level2_pct"],
        )

    # Seed 001: 2,877 of 3,517 aged 6-13 (81.8%); 20,680 of 21,526 in all (96.07%).
    assert figures(WARD_A, "under_6") == (2_465, 2_366, dec("95.98"), 0, None)
    assert figures(WARD_A, "6_to_13") == (3_517, 2_877, dec("81.80"), 100, None)
    assert figures(WARD_A, "14_plus") == (15_544, 15_437, dec("99.31"), 12_000, dec("77.20"))
    # vneid_level2_pct on 'all' is the 14+ rate: 12,000 / 15,544, not 12,100 / 21,526.
    assert figures(WARD_A, "all") == (21_526, 20_680, dec("96.07"), 12_100, dec("77.20"))

    assert figures(WARD_B, "all") == (50, 50, dec("100.00"), 0, dec("0.00"))
    assert figures(WARD_B, "under_6") == (0, 0, None, 0, None)
    # Province: A + B; the removed, late and Hà Nội residents are nowhere.
    assert figures(None, "14_plus") == (15_594, 15_487, dec("99.31"), 12_000, dec("76.95"))
    assert figures(None, "all") == (21_576, 20_730, dec("96.08"), 12_100, dec("76.95"))


def test_project06_coverage_moves_with_as_of(population_con: duckdb.DuckDBPyConnection) -> None:
    # On 30 June 2024 the seed population (registered on 1 July) is not there yet: ward A holds
    # the re-registered person, the one who moved in from B and the 30 not yet removed, none of
    # them with the ID card issued on 1 August.
    df = indicator(
        "ind_project06_coverage", con=population_con, ward=WARD_A, as_of=date(2024, 6, 30)
    )
    row = only(df, age_band="all")
    assert (row["residents"], row["with_id_card"], row["id_card_pct"]) == (32, 0, dec("0.00"))
    # The 50 who moved to B on 1 June: in B, not in A, with their January cards.
    df = indicator(
        "ind_project06_coverage", con=population_con, ward=WARD_B, as_of=date(2024, 6, 30)
    )
    assert (only(df, age_band="all")["residents"], only(df, age_band="all")["with_id_card"]) == (
        50,
        50,
    )


def test_age_bands_on_the_birthday(landing: Landing, con: duckdb.DuckDBPyConnection) -> None:
    registry = Registry()
    for key, birth in {
        "six-today": date(2018, 10, 31),
        "fourteen-today": date(2010, 10, 31),
        "leap": date(2016, 2, 29),
    }.items():
        registry.person(key, birth, [registered("2019-01-01 09:00")])
    for partition, rows in enumerate(registry.partitions):
        if rows:
            landing.land("population_updates", rows, partition=partition)

    def bands(as_of: date) -> dict[str, str]:
        con.execute("SET VARIABLE as_of = ?", [as_of]).fetchall()
        return dict(con.execute("SELECT person_key, age_band FROM fct_residents").fetchall())

    assert bands(date(2024, 10, 31)) == {
        "six-today": "6_to_13",
        "fourteen-today": "14_plus",
        "leap": "6_to_13",
    }
    assert bands(date(2024, 10, 30)) == {
        "six-today": "under_6",
        "fourteen-today": "6_to_13",
        "leap": "6_to_13",
    }
    # Born on 29 February: 6 on 1 March in a common year, not on 28 February.
    assert bands(date(2022, 2, 28))["leap"] == "under_6"
    assert bands(date(2022, 3, 1))["leap"] == "6_to_13"

    df = indicator("ind_project06_coverage", con=con, ward=WARD_A, as_of=date(2024, 10, 31))
    assert only(df, age_band="6_to_13")["residents"] == 2  # six-today and leap (8)
    assert only(df, age_band="14_plus")["residents"] == 1


# --- Cameras and lodging -----------------------------------------------------------------------


def camera(
    camera_id: str, ward: str, *, connected: bool = True, **overrides: Any
) -> dict[str, Any]:
    return {
        "camera_id": camera_id,
        "is_deleted": False,
        "ward_code": ward,
        "name": camera_id,
        "latitude": 10.03,
        "longitude": 105.78,
        "owner": "public",
        "is_connected": connected,
        "installed_on": date(2024, 1, 1),
        "removed_on": None,
        **overrides,
    }


def test_camera_coverage_with_updated_and_deleted_cameras(
    landing: Landing, con: duckdb.DuckDBPyConnection
) -> None:
    first = [
        camera("CAM-1", WARD_A),
        camera("CAM-2", WARD_A, connected=False),
        camera("CAM-3", WARD_B),
        camera("CAM-4", WARD_C),
        camera("CAM-6", WARD_D, installed_on=date(2024, 11, 15)),  # after as_of
        camera("CAM-7", WARD_E, removed_on=date(2024, 10, 1)),  # removed before as_of
        camera("CAM-8", WARD_F, installed_on=date(2023, 3, 1)),
        camera("CAM-9", HA_NOI_WARD),
    ]
    landing.land("ref_cameras", first)
    landing.land("ref_cameras", first[:1], first_offset=0, load_id="replay")  # crash replay
    landing.land(
        "ref_cameras",
        [
            camera("CAM-3", WARD_B, connected=False),  # disconnected since
            camera("CAM-4", WARD_C, is_deleted=True),  # deleted
        ],
    )

    df = indicator("ind_camera_coverage", con=con, as_of=date(2024, 10, 31))

    def figures(ward: str | None) -> tuple[Any, ...]:
        row = only(df, ward_code=ward)
        return (row["cameras"], row["connected_cameras"], row["has_connected_camera"])

    assert figures(WARD_A) == (2, 1, True)
    assert figures(WARD_B) == (1, 0, False)
    assert figures(WARD_C) == (0, 0, False)
    assert figures(WARD_D) == (0, 0, False)
    assert figures(WARD_E) == (0, 0, False)
    assert figures(WARD_F) == (1, 1, True)
    province = only(df, ward_code=None)
    assert (province["cameras"], province["connected_cameras"]) == (4, 2)
    # 2 of 103 wards have a connected camera.
    assert (province["wards"], province["wards_with_connected_camera"]) == (103, 2)
    assert province["connected_ward_pct"] == dec("1.94")
    assert con.execute("SELECT count(*) FROM stg_cameras").fetchall() == [(7,)]


def test_lodging_platform(landing: Landing, con: duckdb.DuckDBPyConnection) -> None:
    def facility(facility_id: str, ward: str, since: date | None, **extra: Any) -> dict[str, Any]:
        return {
            "facility_id": facility_id,
            "is_deleted": False,
            "name": facility_id,
            "kind": "guesthouse",
            "ward_code": ward,
            "on_platform_since": since,
            **extra,
        }

    landing.land(
        "ref_facilities",
        [
            facility("FAC-1", WARD_A, date(2024, 6, 15)),
            facility("FAC-2", WARD_A, None),
            facility("FAC-3", WARD_A, date(2024, 12, 1)),  # joins after as_of
            facility("FAC-4", WARD_B, None),
            facility("FAC-5", WARD_B, date(2024, 1, 1)),
        ],
    )
    landing.land(
        "ref_facilities",
        [
            facility("FAC-4", WARD_B, date(2024, 1, 1), kind="hotel"),  # joined since
            facility("FAC-5", WARD_B, date(2024, 1, 1), is_deleted=True),
        ],
    )

    def checkin(event_id: str, when: str, method: str = "chip", **extra: Any) -> dict[str, Any]:
        at = local(when)
        return {
            "event_id": event_id,
            "facility_id": "FAC-1",
            "action": "check_in",
            "occurred_at": at,
            "notified_at": at,
            "read_method": method,
            "ward_code": WARD_A,
            "is_notified_on_time": True,
            **extra,
        }

    retried = checkin("c2", "2024-03-01 14:00")
    landing.land(
        "lodging_checkins",
        [
            checkin("c1", "2024-01-01 00:30"),  # 2023-12-31 in UTC: in the period
            retried,
            checkin("c3", "2024-05-01 14:00", is_notified_on_time=False),
            checkin("c4", "2024-06-01 14:00"),
            checkin("c5", "2024-07-01 14:00", "vneid"),
            checkin("c6", "2024-08-01 14:00", "manual"),
            checkin("out", "2024-08-02 10:00", action="check_out"),
            checkin("old", "2023-12-31 23:30"),  # last year
            checkin("future", "2024-11-01 00:10"),  # after as_of
            retried,  # the producer sent c2 twice
        ],
    )

    df = indicator("ind_lodging_platform", con=con, as_of=date(2024, 10, 31))

    a = only(df, ward_code=WARD_A)
    assert (a["facilities"], a["on_platform"], a["on_platform_pct"]) == (3, 1, dec("33.33"))
    # 6 check-ins: 4 by chip, 1 by VNeID, 1 typed in; 1 notified late.
    assert (a["checkins"], a["chip_read_pct"], a["vneid_read_pct"]) == (
        6,
        dec("66.67"),
        dec("16.67"),
    )
    assert a["late_notification_pct"] == dec("16.67")
    assert (a["period_start"], a["period_end"]) == (date(2024, 1, 1), date(2024, 10, 31))
    b = only(df, ward_code=WARD_B)
    assert (b["facilities"], b["on_platform"], b["on_platform_pct"]) == (1, 1, dec("100.00"))
    assert (b["checkins"], b["chip_read_pct"]) == (0, None)
    province = only(df, ward_code=None)
    assert (province["facilities"], province["on_platform"], province["on_platform_pct"]) == (
        4,
        2,
        dec("50.00"),
    )
    assert (province["checkins"], province["late_notification_pct"]) == (6, dec("16.67"))


def test_watchlist_and_rejected_staging(landing: Landing, con: duckdb.DuckDBPyConnection) -> None:
    def entry(entry_id: str, **extra: Any) -> dict[str, Any]:
        return {
            "entry_id": entry_id,
            "is_deleted": False,
            "kind": "plate",
            "value_key": "k",
            "reason": "stolen_vehicle",
            "is_active": True,
            "listed_at": local("2024-01-01 08:00"),
            **extra,
        }

    landing.land("ref_watchlist", [entry("WL-1"), entry("WL-2"), entry("WL-3")])
    landing.land("ref_watchlist", [entry("WL-1", is_deleted=True), entry("WL-2", is_active=False)])
    rows = con.execute(
        "SELECT watchlist_entry_id, is_active FROM stg_watchlist ORDER BY ALL"
    ).fetchall()
    assert rows == [("WL-2", False), ("WL-3", True)]

    landing.zone.write(
        "rejected",
        "camera_events",
        2,
        7,
        7,
        [
            {
                "reason_codes": ["unknown_camera"],
                "message": "camera_id 'CAM-999' is not on ref.cameras",
                "rejected_at": local("2024-05-01 08:00"),
                "source_topic": "camera.events",
                "source_partition": 2,
                "source_offset": 7,
                "load_id": "l",
                "landed_at": LANDED_AT,
            }
        ],
    )
    rows = con.execute(
        "SELECT source_topic, source_offset, reason_codes FROM stg_rejected"
    ).fetchall()
    assert rows == [("camera.events", 7, ["unknown_camera"])]
