"""Great Expectations suites built from the per-view facts, the model headers and the contract.

This module imports Great Expectations: only ``expectations.run`` imports it, when a run starts.
Every expectation carries ``meta["check"]``, the short name reports use, and checks on columns
that may hold personal data carry ``meta["redact"]``: their failing values are never stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

import great_expectations.expectations as _gxe
from great_expectations.expectations.expectation import Expectation

from expectations.contract import contract_enum
from expectations.cross import FEEDS
from expectations.facts import (
    PSEUDONYM_PATTERN,
    RAW_IDENTIFIER_PATTERN,
    ViewFacts,
    unknown_wards_column,
)
from expectations.models import ModelHeader
from streams.cleaning.times import FUTURE_TOLERANCE

# GX's package does not declare its re-exports; typed access goes through Expectation.
gxe: Any = _gxe

__all__ = [
    "crimes_suite",
    "freshness_suite",
    "landing_suite",
    "people_suite",
    "view_suite",
]

_INT: Final = [
    "int8", "int16", "int32", "int64", "Int8Dtype", "Int16Dtype", "Int32Dtype", "Int64Dtype"
]  # fmt: skip
_NUMBER: Final = ["float64", "Float64Dtype", *_INT]
_INSTANT: Final = ["datetime64[ns]"]
_EARLIEST_INSTANT: Final = dt.datetime(2000, 1, 1)
_EARLIEST_BIRTH: Final = dt.datetime(1900, 1, 1)


def _meta(check: str, *, redact: bool = False) -> dict[str, Any]:
    return {"check": check, "redact": redact}


def view_suite(
    header: ModelHeader,
    facts: ViewFacts,
    string_columns: Sequence[str],
    now: dt.datetime,
) -> list[Expectation]:
    """The expectations of one view; ``now`` is naive UTC, like the frames' timestamps."""
    enums = {column: contract_enum(reference) for column, reference in facts.enums.items()}
    strings = [*facts.pseudonyms, *facts.wards]
    strings += [c for c, values in enums.items() if not all(isinstance(v, int) for v in values)]
    # String roles are typed by their own pattern or value set; the others by dtype, which is
    # an aggregate check (a per-value type check costs seconds on a large view).
    typed: dict[str, list[str]] = {
        column: _INSTANT for column in facts.instants + facts.birth_dates
    }
    typed |= {column: _INT for column in facts.counts}
    typed |= {column: _INT for column in enums if column not in strings}
    typed |= {column: _NUMBER for column in facts.percentages + facts.changes}
    required = dict.fromkeys(
        [*header.key, *facts.not_null, *strings, *typed, *(c for p in facts.at_least for c in p)]
    )
    suite: list[Expectation] = [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=list(required), exact_match=False, meta=_meta("column_present")
        )
    ]
    suite += [
        gxe.ExpectColumnValuesToBeInTypeList(column=c, type_list=t, meta=_meta("column_type"))
        for c, t in typed.items()
    ]
    suite += [
        gxe.ExpectColumnValuesToNotBeNull(column=column, meta=_meta("key_not_null"))
        for column in header.key
        if column not in header.nullable_key
    ]
    if len(header.key) == 1:
        suite.append(
            gxe.ExpectColumnValuesToBeUnique(column=header.key[0], meta=_meta("key_unique"))
        )
    else:
        suite.append(
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=list(header.key), meta=_meta("key_unique")
            )
        )
    suite += [
        gxe.ExpectColumnValuesToNotBeNull(column=column, meta=_meta("not_null"))
        for column in facts.not_null
        if column not in header.key
    ]
    suite += [
        gxe.ExpectColumnValuesToMatchRegex(
            column=column, regex=PSEUDONYM_PATTERN, meta=_meta("pseudonym_format", redact=True)
        )
        for column in facts.pseudonyms
    ]
    suite += [
        gxe.ExpectColumnValuesToNotMatchRegex(
            column=column, regex=RAW_IDENTIFIER_PATTERN, meta=_meta("raw_identifier", redact=True)
        )
        for column in string_columns
        if column not in strings
    ]
    suite += [
        gxe.ExpectColumnValuesToBeNull(
            column=unknown_wards_column(column), meta={**_meta("ward_known"), "column": column}
        )
        for column in facts.wards
    ]
    suite += [
        gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values, meta=_meta("in_contract"))
        for column, values in enums.items()
    ]
    suite += _range(facts.instants, "instant_range", _EARLIEST_INSTANT, now + FUTURE_TOLERANCE)
    suite += _range(facts.birth_dates, "birth_date_range", _EARLIEST_BIRTH, now, redact=True)
    suite += _range(facts.counts, "count_range", 0, None)
    suite += _range(facts.percentages, "percentage_range", 0, 100)
    suite += _range(facts.changes, "change_range", -100, None)
    suite += [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=larger,
            column_B=smaller,
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=_meta("at_least"),
        )
        for larger, smaller in facts.at_least
    ]
    if facts.expect_rows:
        suite.append(
            gxe.ExpectTableRowCountToBeBetween(
                min_value=1, severity="warning", meta=_meta("has_rows")
            )
        )
    return suite


def _range(
    columns: Sequence[str], check: str, low: object, high: object, *, redact: bool = False
) -> list[Expectation]:
    meta = _meta(check, redact=redact)
    bounds: list[Expectation] = [
        gxe.ExpectColumnValuesToBeBetween(column=c, min_value=low, max_value=high, meta=meta)
        for c in columns
    ]
    return bounds


def _equal(column_a: str, column_b: str) -> Expectation:
    equal: Expectation = gxe.ExpectColumnPairValuesToBeEqual(
        column_A=column_a, column_B=column_b, meta=_meta("reconciles")
    )
    return equal


def crimes_suite() -> list[Expectation]:
    """Social-order crimes per ward and year: staging = marts = ind_crime_reduction."""
    return [_equal("staged", "mart"), _equal("mart", "indicator")]


def people_suite() -> list[Expectation]:
    """Residents per ward: fct_residents = ind_project06_coverage (all ages)."""
    return [_equal("registered", "residents")]


def freshness_suite(max_age_hours: float) -> list[Expectation]:
    """One column per feed, holding the age in hours of its newest landed row (NaN: none yet).

    A feed that never landed anything is a warning, like an empty staging table: a deployment
    may run without, say, lodging facilities; one that stopped is critical.
    """
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column=feed, min_value=0, max_value=max_age_hours, meta=_meta("fresh")
        )
        for feed in FEEDS
    ] + [
        gxe.ExpectColumnValuesToNotBeNull(column=feed, severity="warning", meta=_meta("has_rows"))
        for feed in FEEDS
    ]


def landing_suite(tables: Sequence[str]) -> list[Expectation]:
    """One column per topic table, holding its source offsets landed more than once."""
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column=table, min_value=0, max_value=0, meta=_meta("landed_once")
        )
        for table in tables
    ]
