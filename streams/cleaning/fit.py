"""The last check before landing: every value of a cleaned row fits its landed column's Arrow type.

The JSON Schema bounds what it can (and some bounds are the landing zone's, not the domain's): an
integer the contract allows, say 2**31 deaths, would otherwise fail the Parquet write, stop the
worker and crash-loop on replay. One generic check, driven by the landing schemas, makes any such
value a rejection that names the field, never the value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any

import pyarrow as pa

from streams.cleaning.context import Row
from streams.cleaning.reject import Reject
from warehouse.landing.schemas import LINEAGE, table_schema

__all__ = ["check_fits"]

Fits = Callable[[Any], bool]
_LINEAGE_NAMES = frozenset(field.name for field in LINEAGE)


def _integer(dtype: pa.DataType) -> Fits:
    bits = dtype.bit_width
    low, high = (
        (-(2 ** (bits - 1)), 2 ** (bits - 1)) if pa.types.is_signed_integer(dtype) else (0, 2**bits)
    )
    return lambda value: type(value) is int and low <= value < high


def _float(value: Any) -> bool:
    if type(value) is int:
        return -(2**63) <= value < 2**63
    return type(value) is float and math.isfinite(value)


def _fits(dtype: pa.DataType) -> Fits:
    if pa.types.is_integer(dtype):
        return _integer(dtype)
    if pa.types.is_floating(dtype):
        return _float
    if pa.types.is_boolean(dtype):
        return lambda value: type(value) is bool
    if pa.types.is_string(dtype):
        return lambda value: type(value) is str
    if pa.types.is_timestamp(dtype):
        return lambda value: isinstance(value, datetime) and value.tzinfo is not None
    if pa.types.is_date(dtype):
        return lambda value: isinstance(value, date) and not isinstance(value, datetime)
    raise TypeError(f"no fit check for landed type {dtype}")


@cache
def _checks(table: str) -> tuple[tuple[str, pa.DataType, Fits], ...]:
    return tuple(
        (field.name, field.type, _fits(field.type))
        for field in table_schema(table)
        if field.name not in _LINEAGE_NAMES
    )


def check_fits(table: str, row: Row) -> None:
    """Rejects ``row`` (``invalid_field``) when a value cannot be stored in its landed column."""
    for name, dtype, fits in _checks(table):
        value = row.get(name)
        if value is not None and not fits(value):
            raise Reject("invalid_field", f"{name} does not fit the landed column type {dtype}")
