"""Analyst entry points: a private in-memory DuckDB over the landing zone, and the indicators.

Nobody opens a shared .duckdb file. Each connection is in memory and its views read the landing
zone's Parquet files when a query runs, so any number of readers work while workers land files,
nobody locks anybody, and a file renamed into place is visible to the next query.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Final, Literal, get_args
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from antt.settings import Settings
from warehouse import snapshots
from warehouse.landing.zone import LandingZone
from warehouse.project import model_files, render
from warehouse.seeds import create_seed_tables

__all__ = [
    "DEFAULT_BASELINE_YEAR",
    "INDICATORS",
    "LOCAL_TZ",
    "IndicatorName",
    "PeriodKind",
    "YearBasis",
    "connect",
    "indicator",
    "local_today",
]

IndicatorName = Literal[
    "ind_crime_reduction",
    "ind_crime_periods",
    "ind_criterion_19_2",
    "ind_project06_coverage",
    "ind_camera_coverage",
    "ind_lodging_platform",
    "ind_petition_resolution",
    "ind_incident_compstat",
]
INDICATORS: Final[tuple[IndicatorName, ...]] = get_args(IndicatorName)
# Reporting years run from 15 December to 14 December (the Ministry's statistics); analysts may ask
# for calendar years instead.
YearBasis = Literal["reporting", "calendar"]
PeriodKind = Literal["month", "quarter", "six_months", "nine_months", "year", "calendar_year"]
LOCAL_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")
# Quyết định 926/QĐ-TTg measures crime reduction against 2019.
DEFAULT_BASELINE_YEAR: Final = 2019
_YEARLY: Final = frozenset({"ind_crime_reduction", "ind_criterion_19_2", "ind_petition_resolution"})
_VARIABLES: Final = ("as_of", "baseline_year", "province_code", "year_basis")
_DEFAULT_YEAR_BASIS: Final[YearBasis] = "reporting"


def local_today() -> dt.date:
    """Today's date in Vietnam, the default as_of."""
    return dt.datetime.now(LOCAL_TZ).date()


def connect(
    settings: Settings | None = None, *, landing_dir: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with every warehouse view over the landing zone.

    The landing zone is ``landing_dir`` or the settings' one; its zero-row seed files are created
    when missing so that every view resolves on an empty zone. The variables ``as_of`` (today's
    local date), ``baseline_year`` (2019), ``province_code`` (from the settings) and ``year_basis``
    (``'reporting'``: years from 15 December; or ``'calendar'``) parameterise the indicators:
    change them with ``SET VARIABLE`` or pass them to :func:`indicator`. The registry's views read
    the newest registry snapshot as of the connection's opening (``warehouse/snapshots.py``):
    a snapshot written later makes a new connection faster, not different.
    """
    settings = settings if settings is not None else Settings()
    root = Path(landing_dir) if landing_dir is not None else settings.landing_dir
    LandingZone(root).ensure()
    snapshot = snapshots.pinned(root)
    con = duckdb.connect(":memory:")
    try:
        # For ad-hoc queries: timestamps display in local time and a bare ::DATE is a local date.
        # The models never rely on it; they bucket with local_date().
        _run(con, "SET TimeZone = 'Asia/Ho_Chi_Minh'")
        _set_variables(
            con,
            {
                "as_of": local_today(),
                "baseline_year": DEFAULT_BASELINE_YEAR,
                "province_code": settings.province_code,
                "year_basis": _DEFAULT_YEAR_BASIS,
            },
        )
        # The registry snapshot this connection reads for as long as it is open (snapshots.py).
        _run(con, "SET VARIABLE registry_snapshot = ?", [str(snapshot)])
        _run(con, "SET VARIABLE registry_snapshot_steps = ?", [str(snapshots.steps_of(snapshot))])
        _run(con, f"SET VARIABLE registry_watermarks = ({snapshots.WATERMARKS})", [str(snapshot)])
        create_seed_tables(con)
        for path in model_files():
            _run(con, render(path, root))
            if path.parent.name == "00_macros" and snapshots.is_seed(snapshot):
                _run(con, snapshots.WITHOUT_SNAPSHOT)
    except BaseException:
        con.close()
        raise
    return con


def indicator(
    name: IndicatorName,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    province: int | None = None,
    ward: str | None = None,
    year: int | None = None,
    as_of: dt.date | None = None,
    baseline_year: int | None = None,
    year_basis: YearBasis | None = None,
    period_kind: PeriodKind | None = None,
) -> pl.DataFrame:
    """One indicator view as a polars DataFrame, province row (ward_code NULL) first.

    ``ward`` keeps that ward's rows only and ``year`` that year's (yearly indicators only),
    ``period_kind`` that kind of period's (``ind_crime_periods`` only). ``province``, ``as_of``,
    ``baseline_year`` and ``year_basis`` (reporting or calendar years, for the yearly indicators)
    apply to this call: the connection's variables are restored afterwards. Without ``con`` a
    connection is opened from the default settings.
    """
    if name not in INDICATORS:
        raise ValueError(f"unknown indicator {name!r}; known: {', '.join(INDICATORS)}")
    if year is not None and name not in _YEARLY:
        raise ValueError(
            f"{name} has no year column; year= applies to {', '.join(sorted(_YEARLY))}"
        )
    if period_kind is not None and name != "ind_crime_periods":
        raise ValueError(
            f"{name} has no period_kind column; period_kind= applies to ind_crime_periods"
        )
    if period_kind is not None and period_kind not in get_args(PeriodKind):
        raise ValueError(
            f"unknown period_kind {period_kind!r}; known: {', '.join(get_args(PeriodKind))}"
        )
    if year_basis is not None and year_basis not in get_args(YearBasis):
        raise ValueError(
            f"unknown year_basis {year_basis!r}; known: {', '.join(get_args(YearBasis))}"
        )
    if isinstance(as_of, dt.datetime):
        raise TypeError("as_of is a local calendar date, not a datetime")
    overrides = {
        "as_of": as_of,
        "baseline_year": baseline_year,
        "province_code": province,
        "year_basis": year_basis,
    }
    filters = {"ward_code": ward, "year": year, "period_kind": period_kind}
    connection = con if con is not None else connect()
    try:
        saved = _get_variables(connection)
        try:
            _set_variables(connection, {k: v for k, v in overrides.items() if v is not None})
            wanted = {column: value for column, value in filters.items() if value is not None}
            where = " AND ".join(f"{column} = ?" for column in wanted)
            query = f"SELECT * FROM {name}" + (f" WHERE {where}" if where else "")
            frame: pl.DataFrame = connection.sql(query, params=list(wanted.values()) or None).pl()
            return frame
        finally:
            _set_variables(connection, saved)
    finally:
        if con is None:
            connection.close()


def _get_variables(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    columns = ", ".join(f"getvariable('{variable}')" for variable in _VARIABLES)
    (row,) = _run(con, f"SELECT {columns}")
    return dict(zip(_VARIABLES, row, strict=True))


def _set_variables(con: duckdb.DuckDBPyConnection, values: dict[str, object]) -> None:
    for variable, value in values.items():
        if variable not in _VARIABLES:
            raise KeyError(variable)
        if value is None:
            _run(con, f"RESET VARIABLE {variable}")
        else:
            _run(con, f"SET VARIABLE {variable} = ?", [value])


def _run(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> list[tuple[Any, ...]]:
    # DuckDB 2.0 streams results: a statement's result holds the connection until it is drained.
    return con.execute(sql, params).fetchall()
