"""The few aggregates the dashboards need that no warehouse view offers, over the marts.

Weekly series compare each Monday-to-Sunday week with the same weekdays 364 days earlier, as the
CompStat view does, so that a week to date is never compared with a whole week.
"""

from __future__ import annotations

from typing import Final

import duckdb
import polars as pl

__all__ = [
    "WEEKS",
    "alert_months",
    "category_labels",
    "dq_latest",
    "ward_names",
    "weekly_checkins",
    "weekly_incidents",
]

WEEKS: Final = 52

# Monday-based weeks ending with the week of as_of; prior-year rows are shifted forward by 364
# days onto the week they are compared with, and stop on the same weekday as as_of.
_WEEKS_CTE: Final = f"""
params as (
    select
        getvariable('as_of') as as_of,
        cast(date_trunc('week', getvariable('as_of')) as date) - 7 * {WEEKS - 1} as first_week
),
weeks as (
    select cast(unnest(generate_series(first_week, as_of, interval 7 day)) as date) as week_start
    from params
)
"""


def _weekly(con: duckdb.DuckDBPyConnection, source: str, group: str) -> pl.DataFrame:
    """Counts per (group, week) this year and the same weeks a year earlier, zeros filled in."""
    sql = f"""
    with {_WEEKS_CTE},
    events as ({source}),
    shifted as (
        select grp, day as shifted_day, true as is_current from events, params
        where day between first_week and as_of
        union all
        select grp, day + 364, false from events, params
        where day + 364 between first_week and as_of
    ),
    counted as (
        select
            grp,
            cast(date_trunc('week', shifted_day) as date) as week_start,
            count(*) filter (where is_current) as current,
            count(*) filter (where not is_current) as prior_year
        from shifted
        group by all
    ),
    groups as ({group})
    select groups.grp as "group", weeks.week_start,
        coalesce(counted.current, 0) as current,
        coalesce(counted.prior_year, 0) as prior_year
    from groups cross join weeks
    left join counted on counted.grp = groups.grp and counted.week_start = weeks.week_start
    order by 1, 2
    """
    frame: pl.DataFrame = con.sql(sql).pl()
    return frame


def weekly_incidents(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Incidents of the province per category label and week (dismissed reports left out)."""
    return _weekly(
        con,
        """
        select category_label as grp, occurred_on as day from fct_incidents
        where not is_dismissed and province_code = getvariable('province_code')
        """,
        "select category_label as grp from incident_categories()",
    )


def weekly_checkins(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Lodging check-ins in the province per week (one group, 'all')."""
    return _weekly(
        con,
        """
        select 'all' as grp, occurred_on as day from fct_lodging_checkins
        where action = 'check_in'
            and ward_code in (
                select ward_code from dim_wards where province_code = getvariable('province_code')
            )
        """,
        "select 'all' as grp",
    )


def alert_months(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Watchlist alerts of the province per alert kind and local month, the last 12 months."""
    sql = """
    with months as (
        select cast(unnest(generate_series(
            cast(date_trunc('month', getvariable('as_of')) as date) - interval 11 month,
            cast(date_trunc('month', getvariable('as_of')) as date),
            interval 1 month
        )) as date) as month_start
    ),
    kinds as (select distinct alert_kind as kind from stg_alerts),
    alerts as (
        select alert_kind, cast(date_trunc('month', local_date(observed_at)) as date) as month_start
        from stg_alerts
        where local_date(observed_at) <= getvariable('as_of')
            and ward_code in (
                select ward_code from dim_wards where province_code = getvariable('province_code')
            )
    )
    select kinds.kind, months.month_start, count(alerts.alert_kind) as count
    from kinds cross join months
    left join alerts
        on alerts.alert_kind = kinds.kind and alerts.month_start = months.month_start
    group by all
    order by 1, 2
    """
    frame: pl.DataFrame = con.sql(sql).pl()
    return frame


def category_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Incident categories and the names dashboards show for them."""
    rows = con.sql("select category, category_label from incident_categories()").fetchall()
    return {str(category): str(label) for category, label in rows}


def ward_names(con: duckdb.DuckDBPyConnection) -> tuple[str, pl.DataFrame]:
    """The province's name, and its wards' codes and names."""
    frame = con.sql(
        """
        select ward_code, ward_name, province_name from dim_wards
        where province_code = getvariable('province_code')
        order by ward_name
        """
    ).pl()
    province = frame["province_name"][0] if frame.height else ""
    return str(province), frame.select("ward_code", "ward_name")


def dq_latest(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    """The latest data-quality run's results (issue 9's ``antt dq run``), None before any run."""
    views = con.sql("select view_name from duckdb_views() where view_name = 'stg_dq_results'")
    if not views.fetchall():
        return None
    frame = con.sql(
        """
        select suite, coalesce(check_name, expectation) as check_name, severity, success, run_at
        from stg_dq_results
        where is_latest_run
        order by success, severity = 'critical' desc, suite, check_name
        """
    ).pl()
    return frame if frame.height else None
