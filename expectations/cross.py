"""Frames for the checks that span views or files: reconciliations, freshness, landed-once.

Each is one query on the warehouse connection; its suite (``expectations.suites``) then checks
the frame row by row, so a failure names the ward, year or feed that is off.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Final

import duckdb
import pandas as pd

from warehouse.landing.compaction import superseded_files
from warehouse.landing.schemas import TABLES
from warehouse.landing.zone import LandingZone

__all__ = [
    "FEEDS",
    "OWN_TABLES",
    "crimes_by_ward_year",
    "feed_freshness",
    "landed_offsets",
    "residents_by_ward",
]

# The source feeds a running deployment receives continuously (reference topics change rarely).
FEEDS: Final = ("camera_events", "lodging_checkins", "incident_reports", "population_updates")
# Tables a worker lands under a topic's own offsets; rejected and alerts gather side rows whose
# replays may legitimately land twice, and dq_results is written by `antt dq run`.
OWN_TABLES: Final = tuple(t for t in TABLES if t not in ("rejected", "alerts", "dq_results"))

# Social-order crimes per ward and year at three layers, with the province total (ward NULL).
# The years and their dates are agg_ward_years' own (reporting or calendar years, year to date
# for the running one), so this check follows the model's definition instead of restating it;
# what it adds is that staging, the mart and the indicator count the same reports in them.
_CRIMES = """
with wards as (
    select ward_code from dim_wards where province_code = getvariable('province_code')
),
periods as (
    select ward_code, year, year_start, data_through from agg_ward_years
),
staged_reports as (
    select ward_code, local_date(occurred_at) as occurred_on
    from stg_incident_reports semi join wards using (ward_code)
    where category = 'social_order_crime' and status <> 'dismissed'
),
mart_reports as (
    select ward_code, occurred_on
    from fct_incidents semi join wards using (ward_code)
    where category = 'social_order_crime' and not is_dismissed
),
staged as (
    select periods.ward_code, periods.year, count(reports.occurred_on) as staged
    from periods left join staged_reports as reports
        on (periods.ward_code is null or reports.ward_code = periods.ward_code)
        and reports.occurred_on between periods.year_start and periods.data_through
    group by all
),
marts as (
    select periods.ward_code, periods.year, count(reports.occurred_on) as mart
    from periods left join mart_reports as reports
        on (periods.ward_code is null or reports.ward_code = periods.ward_code)
        and reports.occurred_on between periods.year_start and periods.data_through
    group by all
)
select indicator.ward_code, indicator.year, staged.staged, marts.mart, indicator.crimes as indicator
from ind_crime_reduction as indicator
left join staged
    on indicator.ward_code is not distinct from staged.ward_code and indicator.year = staged.year
left join marts
    on indicator.ward_code is not distinct from marts.ward_code and indicator.year = marts.year
order by indicator.ward_code nulls first, indicator.year
"""

# Residents per ward in the mart and in the Project 06 indicator's 'all' band, province total too.
_RESIDENTS = """
with wards as (
    select ward_code from dim_wards where province_code = getvariable('province_code')
),
registered as (
    select ward_code, count(*) as registered
    from fct_residents semi join wards using (ward_code)
    group by rollup (ward_code)
)
select indicator.ward_code, coalesce(registered.registered, 0) as registered, indicator.residents
from ind_project06_coverage as indicator
left join registered on indicator.ward_code is not distinct from registered.ward_code
where indicator.age_band = 'all'
order by indicator.ward_code nulls first
"""


def crimes_by_ward_year(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Columns ward_code, year, staged, mart, indicator: three counts that must agree."""
    return con.sql(_CRIMES).df()


def residents_by_ward(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Columns ward_code, registered (fct_residents), residents (ind_project06_coverage)."""
    return con.sql(_RESIDENTS).df()


def feed_freshness(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> pd.DataFrame:
    """One row, one column per feed: hours from its newest landed row to ``now`` (NaN: none)."""
    newest = ", ".join(f"(select max(landed_at) from landed_{feed}) as {feed}" for feed in FEEDS)
    (row,) = con.sql(f"select {newest}").fetchall()
    ages = [None if at is None else (now - at).total_seconds() / 3600 for at in row]
    return pd.DataFrame([ages], columns=list(FEEDS), dtype="float64")


def landed_offsets(con: duckdb.DuckDBPyConnection, landing: Path) -> pd.DataFrame:
    """One row, one column per topic table: source offsets present in more than one landed file.

    A worker never lands an offset at or below the highest one it has landed, so the same
    message in two files of a topic's own table means the sink's exactly-once broke: the views
    hide it by keeping the first copy, and this check is where it shows. Files that compaction
    has merged and that wait for their grace period are left out: the merged file has their rows.
    """
    zone = LandingZone(landing)
    superseded = sorted(str(path) for path in superseded_files(landing))
    counts = ", ".join(
        "(select count(*) - count(distinct (source_partition, source_offset)) "
        f"from read_parquet('{_quoted(zone.glob(table))}', union_by_name = true) "
        f"where filename not in (select unnest($superseded::varchar[]))) as {table}"
        for table in OWN_TABLES
    )
    frame = con.sql(f"select {counts}", params={"superseded": superseded}).df()
    return frame.astype("int64")


def _quoted(text: str) -> str:
    return text.replace("'", "''")
