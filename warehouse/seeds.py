"""Seed tables: the current (2025) wards and provinces, from the vietnam-provinces package.

They are tiny (3,321 wards, 34 provinces), so every connection loads them into memory instead of
reading a file that could drift from the package version the cleaning workers validate against.
"""

from __future__ import annotations

from functools import cache

import pyarrow as pa

__all__ = ["provinces_table", "wards_table"]


@cache
def wards_table() -> pa.Table:
    """One row per ward: 5-digit ward_code, name, division type and province code."""
    from vietnam_provinces import Ward

    wards = list(Ward.iter_all())
    return pa.table(
        {
            "ward_code": pa.array([f"{ward.code.value:05d}" for ward in wards], pa.string()),
            "ward_name": pa.array([ward.name for ward in wards], pa.string()),
            "division_type": pa.array([ward.division_type.value for ward in wards], pa.string()),
            "province_code": pa.array([ward.province_code.value for ward in wards], pa.int16()),
        }
    )


@cache
def provinces_table() -> pa.Table:
    """One row per province: province_code and name."""
    from vietnam_provinces import Province

    provinces = list(Province.iter_all())
    return pa.table(
        {
            "province_code": pa.array([p.code.value for p in provinces], pa.int16()),
            "province_name": pa.array([p.name for p in provinces], pa.string()),
        }
    )
