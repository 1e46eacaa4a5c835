"""warehouse.connect / warehouse.indicator, the SQL project's conventions and its shared macros."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import warehouse
from antt.settings import Settings
from warehouse import INDICATORS, connect, indicator
from warehouse.api import local_today
from warehouse.project import SQL_DIR, model_files

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def landing_dir(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def con(landing_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(landing_dir=landing_dir)
    yield connection
    connection.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    ((value,),) = con.execute(sql).fetchall()
    return value


def test_connect_on_an_empty_landing_zone(
    con: duckdb.DuckDBPyConnection, landing_dir: Path
) -> None:
    assert (landing_dir / "camera_events" / "_seed.parquet").is_file()
    assert scalar(con, "SELECT getvariable('as_of')") == local_today()
    assert scalar(con, "SELECT getvariable('baseline_year')") == 2019
    assert scalar(con, "SELECT getvariable('province_code')") == 92
    assert scalar(con, "SELECT getvariable('year_basis')") == "reporting"
    assert scalar(con, "SELECT current_setting('TimeZone')") == "Asia/Ho_Chi_Minh"
    # Every view resolves with no data at all.
    for name in INDICATORS:
        assert indicator(name, con=con).height > 0


def test_dim_wards_holds_every_current_ward(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "SELECT count(*) FROM dim_wards") == 3_321
    assert scalar(con, "SELECT count(DISTINCT province_code) FROM dim_wards") == 34
    assert scalar(con, "SELECT count(*) FROM dim_wards WHERE province_code = 92") == 103
    assert (
        scalar(
            con, "SELECT count(*) FROM dim_wards WHERE NOT regexp_full_match(ward_code, '[0-9]{5}')"
        )
        == 0
    )
    row = con.execute(
        "SELECT ward_name, division_type, province_name FROM dim_wards WHERE ward_code = '00070'"
    ).fetchall()
    assert row == [("Phường Hoàn Kiếm", "phường", "Thành phố Hà Nội")]


def test_settings_choose_the_province(landing_dir: Path) -> None:
    settings = Settings(province_code=1, data_dir=landing_dir.parent)
    with connect(settings) as con:
        assert scalar(con, "SELECT getvariable('province_code')") == 1
        # Without landing_dir, the settings' landing zone is used.
        assert (settings.landing_dir / "alerts" / "_seed.parquet").is_file()
        df = indicator("ind_camera_coverage", con=con)
    assert df.height == 126 + 1  # Hà Nội's wards and the city row


def test_indicator_parameters_apply_to_the_call_only(con: duckdb.DuckDBPyConnection) -> None:
    df = indicator(
        "ind_crime_reduction", con=con, province=1, as_of=date(2024, 12, 31), baseline_year=2020
    )
    assert set(df["baseline_year"].to_list()) == {2020}
    assert df.filter(df["ward_code"] == "00070").height == 1
    assert scalar(con, "SELECT getvariable('as_of')") == local_today()
    assert scalar(con, "SELECT getvariable('baseline_year')") == 2019
    assert scalar(con, "SELECT getvariable('province_code')") == 92

    # On an empty zone only the year of as_of is listed: 31/12/2024 is in reporting year 2025
    # (from 15/12/2024) and in calendar year 2024.
    one = indicator("ind_petition_resolution", con=con, ward="31135", as_of=date(2024, 12, 31))
    assert one.select("ward_code", "year", "period_label").rows() == [
        ("31135", 2025, "năm 2025 (từ 15/12/2024 đến 14/12/2025)")
    ]
    one = indicator(
        "ind_petition_resolution",
        con=con,
        ward="31135",
        year=2024,
        as_of=date(2024, 12, 31),
        year_basis="calendar",
    )
    assert one.select("ward_code", "year", "is_complete_year").rows() == [("31135", 2024, True)]
    assert scalar(con, "SELECT getvariable('year_basis')") == "reporting"


def test_indicator_rejects_what_it_does_not_know(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match=r"unknown indicator 'ind_nope'.*ind_crime_reduction"):
        indicator("ind_nope", con=con)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ind_camera_coverage has no year column"):
        indicator("ind_camera_coverage", con=con, year=2024)
    with pytest.raises(ValueError, match="unknown year_basis 'fiscal'"):
        indicator("ind_crime_reduction", con=con, year_basis="fiscal")  # type: ignore[arg-type]
    # A failed query leaves the connection's variables as they were.
    with pytest.raises(duckdb.Error):
        indicator("ind_crime_reduction", con=con, as_of=date(2024, 1, 1), year="x")  # type: ignore[arg-type]
    assert scalar(con, "SELECT getvariable('as_of')") == local_today()


def test_indicator_without_a_connection_uses_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTT_DATA_DIR", str(tmp_path))
    df = indicator("ind_lodging_platform")
    assert df.height == 104
    assert (tmp_path / "landing" / "ref_facilities" / "_seed.parquet").is_file()


def test_warehouse_exports() -> None:
    assert sorted(warehouse.__all__) == [
        "INDICATORS",
        "IndicatorName",
        "PeriodKind",
        "YearBasis",
        "connect",
        "indicator",
    ]
    assert len(INDICATORS) == 8
    with pytest.raises(AttributeError):
        _ = warehouse.nope


# --- The SQL project ---------------------------------------------------------------------------


def test_model_files_follow_the_conventions() -> None:
    files = model_files()
    layers = sorted({path.parent.name for path in files})
    assert layers == [
        "00_macros",
        "10_landed",
        "20_staging",
        "30_marts",
        "40_aggregates",
        "50_indicators",
    ]
    prefix: dict[str, tuple[str, ...]] = {
        "10_landed": ("landed_",),
        "20_staging": ("stg_",),
        "30_marts": ("dim_", "fct_"),
        "40_aggregates": ("agg_",),
        "50_indicators": ("ind_",),
    }
    for path in files:
        if path.parent.name == "00_macros":
            continue
        text = path.read_text(encoding="utf-8")
        header = text.split("create or replace view")[0]
        assert header.startswith(f"-- {path.stem}: "), path
        assert re.search(r"^-- grain: one row per .+\n-- key: ", header, re.MULTILINE), path
        assert f"create or replace view {path.stem} as\n" in text, path
        assert path.stem.startswith(prefix[path.parent.name]), path
    views = {path.stem for path in files if path.parent.name == "50_indicators"}
    assert views == set(INDICATORS)


def test_views_created_are_exactly_the_model_files(con: duckdb.DuckDBPyConnection) -> None:
    created = {
        name
        for (name,) in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    }
    assert created == {path.stem for path in model_files() if path.parent.name != "00_macros"}
    assert Path(warehouse.__file__).with_name("sql") == SQL_DIR


def test_incident_categories_match_the_contract(con: duckdb.DuckDBPyConnection) -> None:
    schema = json.loads(
        (REPO / "streams/contract/schemas/incident.reports.v1.json").read_text(encoding="utf-8")
    )
    contract = schema["properties"]["category"]["enum"]
    listed = [c for (c,) in con.execute("SELECT category FROM incident_categories()").fetchall()]
    assert listed == contract


def test_landing_paths_are_quoted(tmp_path: Path) -> None:
    with connect(landing_dir=tmp_path / "o'brien landing") as con:
        assert scalar(con, "SELECT count(*) FROM landed_camera_events") == 0
    with pytest.raises(ValueError, match="glob characters"):
        connect(landing_dir=tmp_path / "land[1]")


# --- Macros ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (2_877, 3_517, "81.80"),  # seed 001, 6 to under 14
        (20_680, 21_526, "96.07"),  # seed 001, all residents
        (201, 20_000, "1.01"),  # 1.005 exactly: round(1.005::DOUBLE, 2) gives 1.0
        (-201, 20_000, "-1.01"),  # half away from zero
        (1, 3, "33.33"),
        (2, 3, "66.67"),
        (0, 7, "0.00"),
        (5, 0, None),
    ],
)
def test_pct_is_exact(
    con: duckdb.DuckDBPyConnection, numerator: int, denominator: int, expected: str | None
) -> None:
    value = scalar(con, f"SELECT pct({numerator}, {denominator})")
    assert value == (Decimal(expected) if expected is not None else None)


def test_local_date_and_age(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "SELECT local_date(TIMESTAMPTZ '2024-12-31 17:00:00+00')") == date(
        2025, 1, 1
    )
    assert scalar(con, "SELECT local_date(TIMESTAMPTZ '2024-12-31 16:59:59+00')") == date(
        2024, 12, 31
    )
    assert scalar(con, "SELECT age_on(DATE '2010-10-31', DATE '2024-10-31')") == 14
    assert scalar(con, "SELECT age_on(DATE '2010-10-31', DATE '2024-10-30')") == 13
    assert scalar(con, "SELECT age_band(6)") == "6_to_13"


def test_a_zone_landed_before_a_column_was_added_migrates_forward(landing_dir: Path) -> None:
    # A zone written by an older release: its seed and files lack a column added since.
    import pyarrow as pa
    import pyarrow.parquet as pq

    from warehouse.landing.schemas import TABLES

    current = TABLES["lodging_checkins"]
    old = pa.schema([f for f in current if f.name != "guest_home_province_code"])
    folder = landing_dir / "lodging_checkins"
    (folder / "_" / "p0000").mkdir(parents=True)
    pq.write_table(old.empty_table(), folder / "_seed.parquet")
    row = {f.name: None for f in old} | {
        "event_id": "lod-old", "source_topic": "lodging.checkins", "source_partition": 0,
        "source_offset": 0, "load_id": "old", "landed_at": datetime(2025, 1, 1, tzinfo=UTC),
        "action": "check_in", "occurred_at": datetime(2025, 1, 1, tzinfo=UTC),
    }  # fmt: skip
    pq.write_table(pa.Table.from_pylist([row], schema=old), folder / "_" / "p0000" / "0-0.parquet")

    migrated = connect(landing_dir=landing_dir)
    try:
        rows = migrated.sql(
            "SELECT lodging_checkin_id, guest_home_province_code FROM stg_lodging_checkins"
        ).fetchall()
    finally:
        migrated.close()
    assert rows == [("lod-old", None)]


def test_incidents_carry_unit_names_and_the_statistics_category(landing_dir: Path) -> None:
    from warehouse.landing.zone import LandingZone

    at = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    LandingZone(landing_dir).write("incident_reports", "_", 0, 0, 0, [{
        "report_id": "INC-1", "updated_at": at, "received_at": at, "occurred_at": at,
        "ward_code": "20455", "category": "drug_crime", "status": "received", "deaths": 0,
        "injuries": 0, "is_mass_petition": False, "source_topic": "incident.reports",
        "source_partition": 0, "source_offset": 0, "load_id": "l", "landed_at": at,
    }])  # fmt: skip
    connection = connect(landing_dir=landing_dir)
    try:
        row = connection.sql(
            "SELECT ward_name, province_name, category_label, is_crime FROM fct_incidents"
        ).fetchall()
    finally:
        connection.close()
    assert row == [("Xã Tây Giang", "Thành phố Đà Nẵng", "Tội phạm về ma túy", True)]


def test_incidents_landed_before_solved_at_existed_read_as_unsolved(landing_dir: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from warehouse.landing.schemas import TABLES

    old = pa.schema([f for f in TABLES["incident_reports"] if f.name != "solved_at"])
    folder = landing_dir / "incident_reports"
    (folder / "_" / "p0000").mkdir(parents=True)
    pq.write_table(old.empty_table(), folder / "_seed.parquet")
    at = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    row = {f.name: None for f in old} | {
        "report_id": "INC-old", "updated_at": at, "received_at": at, "occurred_at": at,
        "ward_code": "31135", "category": "social_order_crime", "status": "resolved",
        "deaths": 0, "injuries": 0, "is_mass_petition": False, "source_topic": "incident.reports",
        "source_partition": 0, "source_offset": 0, "load_id": "old", "landed_at": at,
    }  # fmt: skip
    pq.write_table(pa.Table.from_pylist([row], schema=old), folder / "_" / "p0000" / "0-0.parquet")

    migrated = connect(landing_dir=landing_dir)
    try:
        rows = migrated.sql("SELECT report_id, solved_at, solved_on FROM fct_incidents").fetchall()
        periods = indicator(
            "ind_crime_periods",
            con=migrated,
            ward="31135",
            period_kind="year",
            as_of=date(2026, 3, 1),
        )
    finally:
        migrated.close()
    assert rows == [("INC-old", None, None)]
    assert periods.select("crimes", "solved", "clearance_pct").rows() == [(1, 0, Decimal("0.00"))]
