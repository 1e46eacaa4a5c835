"""Everything the dashboards show, read once from the warehouse as of one date.

Indicators come from ``warehouse.indicator``; weekly series, alert months and the data-quality
status from this package's own small queries over the marts (``queries``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from antt.settings import Settings
from pipelines.dashboards import queries
from warehouse import connect, indicator
from warehouse.api import LOCAL_TZ

__all__ = ["DashboardData", "load"]


@dataclass(frozen=True, slots=True)
class DashboardData:
    """The indicator frames carry ``ward_name`` (the province's name on the province row)."""

    province_name: str
    as_of: dt.date
    generated_at: dt.datetime  # local time
    wards: pl.DataFrame
    crime_periods: pl.DataFrame
    criterion: pl.DataFrame
    coverage: pl.DataFrame
    cameras: pl.DataFrame
    lodging: pl.DataFrame
    petitions: pl.DataFrame
    compstat: pl.DataFrame
    category_labels: dict[str, str]
    weekly_incidents: pl.DataFrame
    weekly_checkins: pl.DataFrame
    alert_months: pl.DataFrame
    dq: pl.DataFrame | None


def _named(frame: pl.DataFrame, wards: pl.DataFrame, province_name: str) -> pl.DataFrame:
    """The frame with its wards' names; the province row (ward_code NULL) gets the province's."""
    return frame.join(wards, on="ward_code", how="left").with_columns(
        pl.when(pl.col("ward_code").is_null())
        .then(pl.lit(province_name))
        .otherwise(pl.col("ward_name"))
        .alias("ward_name")
    )


def _read(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> DashboardData:
    # The export prints its own progress; DuckDB's bar would break the demo's lines.
    con.execute("SET enable_progress_bar = false").fetchall()
    con.execute("SET VARIABLE as_of = ?", [as_of]).fetchall()
    province_name, wards = queries.ward_names(con)

    def named(frame: pl.DataFrame) -> pl.DataFrame:
        return _named(frame, wards, province_name)

    return DashboardData(
        province_name=province_name,
        as_of=as_of,
        generated_at=dt.datetime.now(LOCAL_TZ),
        wards=wards,
        crime_periods=named(indicator("ind_crime_periods", con=con)),
        criterion=named(indicator("ind_criterion_19_2", con=con)),
        coverage=named(indicator("ind_project06_coverage", con=con)),
        cameras=named(indicator("ind_camera_coverage", con=con)),
        lodging=named(indicator("ind_lodging_platform", con=con)),
        petitions=named(indicator("ind_petition_resolution", con=con)),
        compstat=named(indicator("ind_incident_compstat", con=con)),
        category_labels=queries.category_labels(con),
        weekly_incidents=queries.weekly_incidents(con),
        weekly_checkins=queries.weekly_checkins(con),
        alert_months=queries.alert_months(con),
        dq=queries.dq_latest(con),
    )


def load(settings: Settings, as_of: dt.date) -> DashboardData:
    """Read every figure as of ``as_of`` (a local date) from the settings' landing zone."""
    con = connect(settings)
    try:
        return _read(con, as_of)
    finally:
        con.close()
