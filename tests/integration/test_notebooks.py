"""Every notebook runs headless against the simulated province and reports the warehouse's figures.

The notebooks are executed from their jupytext source with papermill, the landing zone and an
as-of date injected through their parameters cell. Each ends with a machine-readable summary of the
figures it showed; these are compared, exactly, with the indicator API called here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import jupytext
import nbformat
import papermill
import polars as pl
import pytest
from jupyter_client.manager import KernelManager
from papermill.exceptions import PapermillExecutionError

import warehouse
from antt.settings import Settings
from pipelines.lab import NOTEBOOK_DIR
from warehouse.api import local_today
from warehouse.notebook import SUMMARY_MIME
from warehouse.vietnamese import format_change, format_int, format_pct

pytestmark = pytest.mark.integration

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.py"))
# A few days back, so that the current periods are in progress and the data runs past as_of.
AS_OF = local_today() - dt.timedelta(days=3)
ID_NUMBER = re.compile(r"(?<![\d.])\d{12}(?!\d)")
PHONE_NUMBER = re.compile(r"(?<![\d.])(?:\+84|84|0)[35789]\d{8}(?!\d)")


@pytest.fixture(scope="module")
def executed(
    simulated_warehouse: Settings, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, nbformat.NotebookNode | PapermillExecutionError]:
    """Every notebook executed once, or the error of the cell that failed."""
    out_dir = tmp_path_factory.mktemp("notebooks")
    parameters = {
        "landing_dir": str(simulated_warehouse.landing_dir),
        "as_of": AS_OF.isoformat(),
        "province_code": simulated_warehouse.province_code,
    }
    results: dict[str, nbformat.NotebookNode | PapermillExecutionError] = {}
    for source in NOTEBOOKS:
        try:
            results[source.stem] = papermill.execute_notebook(
                jupytext.read(source),
                str(out_dir / f"{source.stem}.ipynb"),
                parameters=parameters,
                kernel_name="python3",
                progress_bar=False,
                cwd=str(out_dir),
            )
        except PapermillExecutionError as error:
            results[source.stem] = error
        else:
            print(f"{source.name}: {results[source.stem].metadata.papermill.duration:.1f} s")
    return results


def _run(
    executed: dict[str, nbformat.NotebookNode | PapermillExecutionError], name: str
) -> nbformat.NotebookNode:
    result = executed[name]
    if isinstance(result, PapermillExecutionError):
        pytest.fail(f"{name}: cell {result.exec_count} raised {result.ename}: {result.evalue}")
    return result


@pytest.fixture(scope="module")
def con(simulated_warehouse: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = warehouse.connect(simulated_warehouse)
    yield connection
    connection.close()


def _outputs(notebook: nbformat.NotebookNode) -> Iterator[dict[str, Any]]:
    for cell in notebook.cells:
        yield from cell.get("outputs", [])


def _summary(notebook: nbformat.NotebookNode) -> dict[str, Any]:
    (summary,) = (
        o["data"][SUMMARY_MIME] for o in _outputs(notebook) if SUMMARY_MIME in o.get("data", {})
    )
    return dict(summary)


def _printed(notebook: nbformat.NotebookNode) -> str:
    return "".join(o["text"] for o in _outputs(notebook) if o["output_type"] == "stream")


def _province(frame: pl.DataFrame) -> dict[str, Any]:
    return frame.filter(pl.col("ward_code").is_null()).row(0, named=True)


def test_the_kernel_is_this_virtualenv() -> None:
    # The kernelspec says "python"; jupyter_client launches it as the running interpreter.
    assert KernelManager(kernel_name="python3").format_kernel_cmd()[0] == sys.executable


def test_every_notebook_is_a_text_notebook_with_one_parameters_cell() -> None:
    assert len(NOTEBOOKS) >= 4
    for source in NOTEBOOKS:
        cells = jupytext.read(source).cells
        tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, source.name
        for name in ("landing_dir", "as_of", "province_code", "year"):
            assert re.search(rf"^{name} = None", tagged[0].source, re.MULTILINE), (source, name)


@pytest.mark.parametrize("name", [source.stem for source in NOTEBOOKS])
def test_notebook_runs_with_the_injected_parameters(
    executed: dict[str, nbformat.NotebookNode | PapermillExecutionError], name: str
) -> None:
    notebook = _run(executed, name)
    tags = [cell.metadata.get("tags", []) for cell in notebook.cells]
    assert tags.count(["injected-parameters"]) == 1
    assert _summary(notebook)["as_of"] == AS_OF.isoformat()


def test_no_output_shows_an_id_number_or_a_phone_number(
    executed: dict[str, nbformat.NotebookNode | PapermillExecutionError],
) -> None:
    for name in executed:
        for output in _outputs(_run(executed, name)):
            text = json.dumps(output, ensure_ascii=False)
            assert not ID_NUMBER.search(text), (name, ID_NUMBER.search(text))
            assert not PHONE_NUMBER.search(text), (name, PHONE_NUMBER.search(text))


def test_crime_notebook_reports_the_reporting_periods_and_criterion_19_2(
    executed: dict[str, nbformat.NotebookNode | PapermillExecutionError],
    con: duckdb.DuckDBPyConnection,
) -> None:
    notebook = _run(executed, "01_crime_and_criterion_19_2")
    summary = _summary(notebook)
    years = warehouse.indicator("ind_crime_periods", con=con, period_kind="year", as_of=AS_OF)
    year = years.sort("period_start")["period_year"][-1]
    province = _province(years.filter(pl.col("period_year") == year))
    assert summary["year"] == year
    assert summary["period_label"] == province["period_label"]
    assert summary["crimes"] == province["crimes"]
    assert summary["prior_crimes"] == province["prior_crimes"]
    assert Decimal(summary["clearance_pct"]) == province["clearance_pct"]
    assert Decimal(summary["crimes_per_100k"]) == province["crimes_per_100k"]
    printed = _printed(notebook)
    assert f"{format_int(province['crimes'])} vụ phạm tội về trật tự xã hội" in printed
    assert format_change(province["crimes"], province["prior_crimes"]) in printed
    assert f"tỷ lệ khám phá {format_pct(province['clearance_pct'])}" in printed

    months = warehouse.indicator("ind_crime_periods", con=con, period_kind="month", as_of=AS_OF)
    months = months.filter(pl.col("ward_code").is_null() & (pl.col("period_year") == year))
    assert summary["month_crimes"] == {
        str(number): crimes
        for number, crimes in zip(months["period_number"], months["crimes"], strict=True)
    }
    assert sum(summary["month_crimes"].values()) == province["crimes"]

    criterion = warehouse.indicator("ind_criterion_19_2", con=con, year=year, as_of=AS_OF)
    whole = _province(criterion)
    assert (summary["wards_passed"], summary["wards"]) == (whole["wards_passed"], whole["wards"])
    failing = criterion.filter(pl.col("passes").not_())
    assert summary["failed_checks"] == dict(
        zip(failing["ward_code"], failing["failed_checks"].to_list(), strict=True)
    )
    assert f"{format_int(whole['wards_passed'])}/{format_int(whole['wards'])} xã, phường" in printed


def test_project06_notebook_reports_coverage_lodging_and_cameras(
    executed: dict[str, nbformat.NotebookNode | PapermillExecutionError],
    con: duckdb.DuckDBPyConnection,
) -> None:
    summary = _summary(_run(executed, "02_project06"))
    coverage = warehouse.indicator("ind_project06_coverage", con=con, as_of=AS_OF)
    bands = coverage.filter(pl.col("ward_code").is_null())
    assert {band: Decimal(pct) for band, pct in summary["id_card_pct"].items()} == dict(
        zip(bands["age_band"], bands["id_card_pct"], strict=True)
    )
    assert list(summary["id_card_pct"]) == ["under_6", "6_to_13", "14_plus", "all"]
    everyone = bands.filter(pl.col("age_band") == "all").row(0, named=True)
    assert Decimal(summary["vneid_level2_pct"]) == everyone["vneid_level2_pct"]
    lodging = _province(warehouse.indicator("ind_lodging_platform", con=con, as_of=AS_OF))
    assert (summary["facilities"], summary["on_platform"]) == (
        lodging["facilities"],
        lodging["on_platform"],
    )
    cameras = _province(warehouse.indicator("ind_camera_coverage", con=con, as_of=AS_OF))
    assert (summary["wards"], summary["wards_with_connected_camera"]) == (
        cameras["wards"],
        cameras["wards_with_connected_camera"],
    )
    assert (
        cameras["wards"]
        == con.sql("SELECT count(*) FROM dim_wards WHERE province_code = 92").fetchall()[0][0]
    )


def _local_days(frame: pl.DataFrame, column: str) -> pl.Series:
    return frame[column].dt.convert_time_zone("Asia/Ho_Chi_Minh").dt.date()


def test_operations_notebook_counts_events_alerts_and_rejections(
    executed: dict[str, nbformat.NotebookNode | PapermillExecutionError],
    con: duckdb.DuckDBPyConnection,
) -> None:
    notebook = _run(executed, "03_operations")
    summary = _summary(notebook)
    first_day = AS_OF - dt.timedelta(days=29)
    assert summary["first_day"] == first_day.isoformat()
    sources = {
        "camera.events": ("stg_camera_events", "observed_at"),
        "lodging.checkins": ("stg_lodging_checkins", "occurred_at"),
        "incident.reports": ("stg_incident_reports", "received_at"),
        "population.updates": ("stg_population_updates", "occurred_at"),
    }
    expected_events = {}
    for feed, (view, column) in sources.items():
        days = _local_days(con.sql(f"SELECT {column} FROM {view}").pl(), column)
        expected_events[feed] = int(days.is_between(first_day, AS_OF).sum())
    assert summary["events"] == expected_events
    assert sum(expected_events.values()) > 0, expected_events

    alert_days = _local_days(con.sql("SELECT observed_at FROM stg_alerts").pl(), "observed_at")
    assert summary["alerts"] == int(alert_days.is_between(first_day, AS_OF).sum())

    rejected = (
        con.sql("SELECT source_topic, reason_codes FROM stg_rejected")
        .pl()
        .explode("reason_codes")
        .group_by("source_topic", "reason_codes")
        .len()
    )
    assert summary["rejected"] == {
        f"{row['source_topic']}/{row['reason_codes']}": row["len"]
        for row in rejected.iter_rows(named=True)
    }
    assert sum(summary["rejected"].values()) > 0

    has_dq = con.sql(
        "SELECT count(*) FROM duckdb_views() WHERE view_name = 'stg_dq_results'"
    ).fetchall() == [(1,)]
    latest_run = (
        con.sql("SELECT count(*) FROM stg_dq_results WHERE is_latest_run").fetchall()[0][0]
        if has_dq
        else 0
    )
    assert summary["dq_checks"] == latest_run
    if summary["dq_checks"] == 0:
        assert "Chưa chạy kiểm tra chất lượng dữ liệu" in _printed(notebook)


def test_starter_notebook_reaches_the_views_from_sql_and_polars(
    executed: dict[str, nbformat.NotebookNode | PapermillExecutionError],
    con: duckdb.DuckDBPyConnection,
) -> None:
    summary = _summary(_run(executed, "04_starter"))
    views = con.sql("SELECT count(*) FROM duckdb_views() WHERE NOT internal AND NOT temporary")
    assert summary["views"] == views.fetchall()[0][0]
    cameras = _province(warehouse.indicator("ind_camera_coverage", con=con, as_of=AS_OF))
    assert summary["sql_cameras"] == summary["polars_cameras"] == summary["province_cameras"]
    assert summary["province_cameras"] == cameras["cameras"]
    years = warehouse.indicator("ind_crime_periods", con=con, period_kind="year", as_of=AS_OF)
    current = years.filter(
        pl.col("ward_code").is_not_null() & (pl.col("period_year") == years["period_year"].max())
    )
    assert summary["ward_crimes"] == dict(zip(current["ward_code"], current["crimes"], strict=True))


def _get_json(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def test_antt_lab_serves_the_text_notebooks_as_notebooks(simulated_warehouse: Settings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data_dir = str(simulated_warehouse.data_dir)
    lab = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "--data-dir", data_dir, "lab", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert lab.stdout is not None
        lines = []
        while not (lines and lines[-1].strip().startswith("http://")):
            line = lab.stdout.readline()
            assert line, f"antt lab ended before printing its URL: {lines}"
            lines.append(line)
        url = lines[-1].strip()
        assert url.startswith(f"http://127.0.0.1:{port}/lab?token=")
        base, token = f"http://127.0.0.1:{port}", url.rsplit("token=", 1)[1]
        for source in NOTEBOOKS:
            model = _get_json(f"{base}/api/contents/{source.name}", token)
            assert (model["type"], model["format"]) == ("notebook", "json"), source.name
            tags = [cell["metadata"].get("tags", []) for cell in model["content"]["cells"]]
            assert tags.count(["parameters"]) == 1, source.name
        plugin = _get_json(
            f"{base}/lab/api/settings/@jupyterlab/docmanager-extension:plugin", token
        )
        viewers = plugin["schema"]["properties"]["defaultViewers"]["default"]
        assert viewers["python"] == "Jupytext Notebook"
    finally:
        lab.send_signal(signal.SIGTERM)
        lab.wait(timeout=60)
    with pytest.raises(ConnectionRefusedError):  # the server stopped with the command
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_operations_notebook_shows_the_latest_data_quality_run(
    simulated_warehouse: Settings, tmp_path: Path
) -> None:
    from expectations.results import DqResult, land_results

    landing = tmp_path / "landing"
    shutil.copytree(simulated_warehouse.landing_dir, landing)
    earlier = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)

    def result(run_at: dt.datetime, expectation: str, success: bool) -> DqResult:
        return DqResult(
            run_id=f"run-{run_at:%H%M}",
            run_at=run_at,
            suite="stg_camera_events",
            expectation_id=f"stg_camera_events.{expectation}",
            expectation=expectation,
            check_name="key_unique",
            column_name="camera_event_id",
            severity="critical",
            success=success,
            observed_value=None,
            unexpected_count=0 if success else 3,
            details="{}",
        )

    land_results(landing, [result(earlier, "expect_column_values_to_not_be_null", False)])
    later = earlier + dt.timedelta(hours=2)
    land_results(
        landing,
        [
            result(later, "expect_column_values_to_be_unique", False),
            result(later, "expect_column_values_to_not_be_null", True),
            result(later, "expect_column_to_exist", True),
        ],
    )
    notebook = papermill.execute_notebook(
        jupytext.read(NOTEBOOK_DIR / "03_operations.py"),
        str(tmp_path / "operations.ipynb"),
        parameters={"landing_dir": str(landing), "as_of": AS_OF.isoformat()},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    summary = _summary(notebook)
    assert (summary["dq_checks"], summary["dq_failed"]) == (3, 1)
    assert "Lần kiểm tra gần nhất 05/01/2026 10:00: 2/3 kiểm tra đạt." in _printed(notebook)
    tables = "".join(o["data"].get("text/html", "") for o in _outputs(notebook) if "data" in o)
    assert (
        "<tr><td>stg_camera_events</td><td>expect_column_values_to_be_unique</td>"
        "<td>camera_event_id</td><td>nghiêm trọng</td><td>3</td></tr>"
    ) in tables
    assert "expect_column_values_to_not_be_null" not in tables
