"""Seed tables: the current (2025) wards and provinces, from the vietnam-provinces package.

They are tiny (3,321 wards, 34 provinces), so every connection loads them into memory instead of
reading a file that could drift from the package version the cleaning workers validate against.
DuckDB reads them straight from the package's own data file (``NESTED_DIVISIONS_JSON_PATH``, the
data its objects are generated from), without importing the package: its import builds an Enum
of 3,321 ward codes, and turning its objects into an Arrow table made pyarrow import pandas; the
two took 2-10 s, most of an analyst's ``warehouse.connect()``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb

__all__ = ["create_seed_tables", "divisions_path"]


def divisions_path() -> Path:
    """The package's ``data/nested-divisions.json``: provinces with their wards nested."""
    spec = importlib.util.find_spec("vietnam_provinces")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("the vietnam-provinces package is not installed")
    return Path(spec.origin).with_name("data") / "nested-divisions.json"


def create_seed_tables(con: duckdb.DuckDBPyConnection) -> None:
    """``seed_provinces`` (province_code, name) and ``seed_wards`` (5-digit ward_code, name,
    division type, province code), in the package's order."""
    quoted = divisions_path().as_posix().replace("'", "''")
    source = f"read_json('{quoted}', format = 'array')"
    con.execute(
        f"""
        create table seed_provinces as
        select cast(code as smallint) as province_code, name as province_name
        from {source}
        """
    ).fetchall()
    con.execute(
        f"""
        create table seed_wards as
        select
            printf('%05d', ward.code) as ward_code,
            ward.name as ward_name,
            ward.division_type,
            province_code
        from (
            select cast(code as smallint) as province_code, unnest(wards) as ward
            from {source}
        )
        """
    ).fetchall()
