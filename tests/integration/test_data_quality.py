"""Data quality on a province that went through the real broker and worker, and on corrupted copies.

The session's simulated warehouse is read only: every test validates its own copy of the landing
zone, corrupted by writing Parquet files with the table's own schema, the way a faulty producer,
sink or clock would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import warehouse
from antt.settings import Settings
from expectations.models import model_headers
from expectations.run import CROSS_SUITES, QualityRun, plan_suites, run_quality, validate
from pipelines.cli import main
from warehouse.landing.schemas import table_schema
from warehouse.landing.zone import LandingZone, OwnTable

pytestmark = pytest.mark.integration

RAW_ID = "092201001234"
# A partition no simulated topic has, so an injected row never shares an offset with a real one.
_INJECTED_PARTITION = 7


@pytest.fixture
def deployment(simulated_warehouse: Settings, tmp_path: Path) -> Settings:
    data_dir = tmp_path / "antt"
    shutil.copytree(simulated_warehouse.landing_dir, data_dir / "landing")
    return simulated_warehouse.model_copy(update={"data_dir": data_dir})


def _files(landing: Path, table: str) -> list[Path]:
    files = sorted((landing / table).rglob("*.parquet"))
    return [path for path in files if pq.read_metadata(path).num_rows > 0]


def _land_variant(landing: Path, table: str, **changes: Any) -> None:
    """Land a copy of a real row of ``table`` with ``changes``, as a new source message."""
    row = pq.read_table(_files(landing, table)[0]).slice(0, 1).to_pylist()[0]
    row |= changes | {"source_partition": _INJECTED_PARTITION, "source_offset": 0}
    LandingZone(landing).write(table, OwnTable, _INJECTED_PARTITION, 0, 0, [row])


def _failed(outcome: QualityRun) -> set[tuple[str, str | None, str]]:
    return {(r.suite, r.column_name, r.check_name) for r in outcome.critical_failures}


def test_every_suite_passes_on_the_simulated_province(deployment: Settings, tmp_path: Path) -> None:
    outcome = run_quality(deployment, docs_dir=tmp_path / "docs")

    failed = [r for r in outcome.results if not r.success]
    assert [(r.suite, r.column_name, r.check_name) for r in outcome.critical_failures] == []
    # A small simulated province may have no lodging facility at all: only then may a warning
    # say that a table or feed is empty.
    assert {(r.check_name, r.severity) for r in failed} <= {("has_rows", "warning")}
    assert {r.suite for r in outcome.results} == set(model_headers()) | set(CROSS_SUITES)
    checks = {r.check_name for r in outcome.results}
    assert {
        "key_unique",
        "pseudonym_format",
        "raw_identifier",
        "ward_known",
        "in_contract",
    } <= checks
    assert {"percentage_range", "at_least", "reconciles", "fresh", "landed_once"} <= checks

    con = warehouse.connect(deployment)
    try:
        empty = [
            con.sql(f"select count(*) from landed_{r.column_name}").fetchall()
            if r.suite == "freshness"
            else con.sql(f"select count(*) from {r.suite}").fetchall()
            for r in failed
        ]
        stored = con.sql(
            "select count(*), count(*) filter (where is_latest_run), "
            "count(*) filter (where success), count(distinct expectation_id) from stg_dq_results"
        ).fetchall()
    finally:
        con.close()
    assert empty == [[(0,)]] * len(failed)
    n = len(outcome.results)
    assert stored == [(n, n, n - len(failed), n)]

    page = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Báo cáo chất lượng dữ liệu</h1>" in page
    assert f"{n - len(failed)} trên {n} kỳ vọng đạt" in page.replace(".", "")
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_a_second_run_appends_and_becomes_the_latest(deployment: Settings) -> None:
    first = run_quality(deployment, suite="freshness")
    assert main(["--data-dir", str(deployment.data_dir), "dq", "run", "--suite", "landing"]) == 0

    con = warehouse.connect(deployment)
    try:
        runs = con.sql(
            "select run_id = ?, is_latest_run, count(*) from stg_dq_results "
            "group by all order by 1",
            params=[first.run_id],
        ).fetchall()
    finally:
        con.close()
    assert runs == [(False, True, 7), (True, False, 8)]


def test_a_raw_id_number_in_an_analyst_table_fails_and_is_not_repeated(
    deployment: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _land_variant(
        deployment.landing_dir, "lodging_checkins", event_id="dq-raw-id", guest_key=RAW_ID
    )
    _land_variant(
        deployment.landing_dir,
        "ref_facilities",
        facility_id="FAC-DQ-PHONE",
        is_deleted=False,
        name="Nhà nghỉ Hoa Sen 0912 345 678",
    )

    code = main(
        ["--data-dir", str(deployment.data_dir), "dq", "run", "--suite", "stg_lodging_checkins"]
    )

    assert code == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("antt dq")]
    assert len(errors) == 1
    assert "stg_lodging_checkins.guest_key pseudonym_format" in errors[0]
    assert "1 unexpected" in errors[0]
    assert RAW_ID not in errors[0]

    facilities = run_quality(deployment, suite="stg_facilities")
    assert _failed(facilities) == {("stg_facilities", "facility_name", "raw_identifier")}
    landed = pa.concat_tables(
        [pq.read_table(p) for p in _files(deployment.landing_dir, "dq_results")]
    )
    stored = " ".join(str(v) for column in landed.columns for v in column.to_pylist())
    assert RAW_ID not in stored and "0912 345 678" not in stored


def test_a_message_landed_twice_fails_the_landing_suite(deployment: Settings) -> None:
    original = _files(deployment.landing_dir, "camera_events")[-1]
    duplicate = original.with_name(f"{10**15:020d}-{10**15 + 1:020d}.parquet")
    shutil.copyfile(original, duplicate)
    copies = pq.read_metadata(original).num_rows

    outcome = run_quality(deployment, suite="landing")

    assert _failed(outcome) == {("landing", "camera_events", "landed_once")}
    (failure,) = outcome.critical_failures
    assert failure.observed_value == str(copies)
    assert "landing.camera_events landed_once" in outcome.failure_line()


def test_a_percentage_over_100_fails(deployment: Settings) -> None:
    # No input can push a share over 100 (numerators are subsets of denominators by construction),
    # so the indicator's own frame is corrupted before the suite validates it.
    now = dt.datetime.now(dt.UTC)
    con = warehouse.connect(deployment)
    try:
        suites = plan_suites(con, deployment.landing_dir, now, 24)
        suite = next(s for s in suites if s.name == "ind_project06_coverage")
        frame = suite.frame()
        frame.loc[frame.index[0], "id_card_pct"] = 100.01
        results = validate([dataclasses.replace(suite, frame=lambda: frame)], run_id="t", now=now)
    finally:
        con.close()

    outcome = QualityRun("t", now, results, None)
    assert _failed(outcome) == {("ind_project06_coverage", "id_card_pct", "percentage_range")}
    (failure,) = outcome.critical_failures
    assert failure.observed_value == "100.01"
    assert failure.unexpected_count == 1
    assert "ind_project06_coverage.id_card_pct percentage_range" in outcome.failure_line()


def test_an_unknown_ward_fails(deployment: Settings) -> None:
    _land_variant(
        deployment.landing_dir, "incident_reports", report_id="INC-DQ-WARD", ward_code="99999"
    )

    outcome = run_quality(deployment, suite="stg_incident_reports")

    assert _failed(outcome) == {("stg_incident_reports", "ward_code", "ward_known")}
    (failure,) = outcome.critical_failures
    assert (failure.observed_value, failure.unexpected_count) == ("99999", 1)
    assert "stg_incident_reports.ward_code ward_known" in outcome.failure_line()


def test_a_stale_feed_fails_freshness(deployment: Settings) -> None:
    three_days = pa.scalar(dt.timedelta(days=3), pa.duration("us"))
    for path in _files(deployment.landing_dir, "camera_events"):
        table = pq.read_table(path)
        landed = table.column("landed_at")
        table = table.set_column(
            table.schema.get_field_index("landed_at"), "landed_at", pc.subtract(landed, three_days)
        )
        pq.write_table(table.cast(table_schema("camera_events")), path)

    outcome = run_quality(deployment, suite="freshness", max_age_hours=24)

    assert _failed(outcome) == {("freshness", "camera_events", "fresh")}
    (failure,) = outcome.critical_failures
    assert failure.observed_value is not None and float(failure.observed_value) > 72
    assert "freshness.camera_events fresh" in outcome.failure_line()
