"""``antt dq run``: validate the warehouse, append the results, render the offline report.

GX Core 1.x has no DuckDB datasource, so each view is read through ``warehouse.connect()`` into a
pandas DataFrame and validated by a checkpoint over GX's pandas datasource, in an ephemeral
context (nothing is written under ``gx/``; see docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast

import duckdb
import pandas as pd

from antt.settings import Settings
from expectations import cross
from expectations.facts import DEFAULT_MAX_AGE_HOURS, VIEWS, unknown_wards_column
from expectations.models import ModelHeader, model_headers
from expectations.results import DqResult, Severity, land_results

__all__ = [
    "CROSS_SUITES",
    "QualityRun",
    "Suite",
    "plan_suites",
    "read_frame",
    "run_quality",
    "validate",
]

CROSS_SUITES: Final = ("reconcile_crimes", "reconcile_residents", "freshness", "landing")
_EXAMPLES: Final = 3
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Suite:
    """A named set of expectations and the frame they are checked against (read when run)."""

    name: str
    frame: Callable[[], pd.DataFrame]
    expectations: Callable[[], list[Any]]


@dataclass(frozen=True, slots=True)
class QualityRun:
    """What one run found and where it put it."""

    run_id: str
    run_at: dt.datetime
    results: tuple[DqResult, ...]
    docs: Path | None

    @property
    def critical_failures(self) -> tuple[DqResult, ...]:
        return tuple(r for r in self.results if not r.success and r.severity == "critical")

    def failure_line(self) -> str:
        """One line naming the first critical failure and how many more there are."""
        failures = self.critical_failures
        if not failures:
            return "no critical expectation failed"
        first = failures[0]
        where = f"{first.suite}.{first.column_name}" if first.column_name else first.suite
        found = f"{first.unexpected_count} unexpected" if first.unexpected_count else ""
        seen = f"observed {first.observed_value}" if first.observed_value else ""
        facts = "; ".join(part for part in (found, seen) if part)
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        return (
            f"critical expectation failed: {where} {first.check_name} "
            f"[{first.expectation}]{f': {facts}' if facts else ''}{more}"
        )


def run_quality(
    settings: Settings,
    *,
    landing_dir: Path | None = None,
    suite: str | None = None,
    docs_dir: Path | None = None,
    max_age_hours: float = DEFAULT_MAX_AGE_HOURS,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> QualityRun:
    """Validate every suite (or the one named), land the results and write the report."""
    import warehouse
    from expectations.docs import write_report

    landing = Path(landing_dir) if landing_dir is not None else settings.landing_dir
    now = now if now is not None else dt.datetime.now(dt.UTC)
    run_id = f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    say = progress if progress is not None else _stderr
    con = warehouse.connect(settings, landing_dir=landing)
    try:
        con.execute("SET enable_progress_bar = false").fetchall()
        suites = plan_suites(con, landing, now, max_age_hours)
        if suite is not None:
            suites = [s for s in suites if s.name == suite]
            if not suites:
                raise ValueError(f"no suite named {suite!r}; see `antt dq list`")
        results = validate(suites, run_id=run_id, now=now, progress=say)
        land_results(landing, results)
        report = None
        if docs_dir is not None:
            report = write_report(con, run_id, docs_dir)
            say(f"report: {report}")
    finally:
        con.close()
    return QualityRun(run_id, now, results, report)


def plan_suites(
    con: duckdb.DuckDBPyConnection, landing: Path, now: dt.datetime, max_age_hours: float
) -> list[Suite]:
    """One suite per validated view, then the cross-view ones; a view without facts is an error."""
    headers = model_headers()
    missing = sorted(set(headers) - set(VIEWS))
    stale = sorted(set(VIEWS) - set(headers))
    if missing or stale:
        raise ValueError(
            "expectations/facts.py is out of step with warehouse/sql: "
            f"no entry for {', '.join(missing) or '-'}; no view for {', '.join(stale) or '-'}"
        )
    naive_now = now.astimezone(dt.UTC).replace(tzinfo=None)
    suites = [_view_suite(con, headers[view], naive_now) for view in headers]
    suites += [
        Suite("reconcile_crimes", lambda: cross.crimes_by_ward_year(con), _lazy("crimes_suite")),
        Suite("reconcile_residents", lambda: cross.residents_by_ward(con), _lazy("people_suite")),
        Suite(
            "freshness",
            lambda: cross.feed_freshness(con, now),
            lambda: _suites().freshness_suite(max_age_hours),
        ),
        Suite(
            "landing",
            lambda: cross.landed_offsets(con, landing),
            lambda: _suites().landing_suite(cross.OWN_TABLES),
        ),
    ]
    return suites


def _suites() -> Any:
    from expectations import suites

    return suites


def _lazy(name: str) -> Callable[[], list[Any]]:
    return lambda: cast(list[Any], getattr(_suites(), name)())


def _view_suite(con: duckdb.DuckDBPyConnection, header: ModelHeader, now: dt.datetime) -> Suite:
    facts = VIEWS[header.view]
    relation = con.sql(f"select * from {header.view} limit 0")
    strings = [c for c, t in zip(relation.columns, relation.types, strict=True) if t == "VARCHAR"]
    return Suite(
        header.view,
        lambda: read_frame(con, header.view, facts.wards),
        lambda: _suites().view_suite(header, facts, strings, now),
    )


def read_frame(
    con: duckdb.DuckDBPyConnection, view: str, wards: Sequence[str] = ()
) -> pd.DataFrame:
    """A view as pandas, in the dtypes GX's pandas checks understand.

    Strings become plain objects (GX's type check does not know pandas' string dtype), and
    timestamps and dates naive UTC nanoseconds (the storage convention, comparable with naive
    bounds, and the one datetime dtype GX compares without a Python call per row). Each ward
    column gets a companion holding the codes dim_wards does not know: checking 3,321 codes as
    a GX value set costs more than the whole rest of a suite.
    """
    unknown = "".join(
        f", case when {column} not in (select ward_code from dim_wards) then {column} end "
        f"as {unknown_wards_column(column)}"
        for column in wards
    )
    relation = con.sql(f"select *{unknown} from {view}")
    kinds = dict(zip(relation.columns, map(str, relation.types), strict=True))
    frame = relation.df()
    for column, kind in kinds.items():
        if kind == "VARCHAR":
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
        elif kind == "TIMESTAMP WITH TIME ZONE":
            frame[column] = frame[column].dt.tz_convert("UTC").dt.tz_localize(None)
            frame[column] = frame[column].astype("datetime64[ns]")
        elif kind == "DATE":
            frame[column] = frame[column].astype("datetime64[ns]")
    return frame


def validate(
    suites: Sequence[Suite], *, run_id: str, now: dt.datetime, progress: Progress | None = None
) -> tuple[DqResult, ...]:
    """Run each suite's checkpoint on its frame, in one ephemeral GX context."""
    return tuple(_validate(suites, run_id, now, progress if progress is not None else _stderr))


def _validate(
    suites: Sequence[Suite], run_id: str, now: dt.datetime, say: Progress
) -> Iterator[DqResult]:
    # GX narrates its import and set-up at INFO; operators need its warnings only.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("warehouse")
    for index, planned in enumerate(suites, start=1):
        started = time.monotonic()
        # Built whole, then added: a suite already in the context writes its store on every
        # add_expectation, which took half of a run's time.
        suite = context.suites.add(
            gx.ExpectationSuite(name=planned.name, expectations=planned.expectations())
        )
        batch = source.add_dataframe_asset(planned.name).add_batch_definition_whole_dataframe("all")
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=planned.name, data=batch, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=planned.name,
                validation_definitions=[definition],
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": _EXAMPLES},
            )
        )
        outcome = checkpoint.run(batch_parameters={"dataframe": planned.frame()})
        results = [
            _result(run_id, now, planned.name, r)
            for validation in outcome.run_results.values()
            for r in validation.results
        ]
        failed = sum(not r.success for r in results)
        say(
            f"[{index}/{len(suites)}] {planned.name}: {len(results) - failed}/{len(results)} "
            f"passed ({time.monotonic() - started:.1f} s)"
        )
        yield from results


def _result(run_id: str, now: dt.datetime, suite: str, outcome: Any) -> DqResult:
    config = outcome.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    meta = config.meta or {}
    details = json.dumps(kwargs, default=str, ensure_ascii=False, sort_keys=True)
    # Two checks may ask GX the same question of one column (a range that is both a share and
    # a count, say); the check's own name keeps their ids apart.
    identity = f"{suite}|{meta.get('check', '')}|{config.type}|{details}"
    result: dict[str, Any] = outcome.result or {}
    raised = (outcome.exception_info or {}).get("raised_exception", False)
    observed: str | None
    if raised:
        observed = f"error: {outcome.exception_info.get('exception_message', '')}".strip()
    elif meta.get("redact"):
        observed = None
    elif "observed_value" in result:
        observed = _show(result["observed_value"])
    elif result.get("unexpected_count"):
        observed = ", ".join(_show(v) for v in result.get("partial_unexpected_list", []))
    else:
        observed = None
    unexpected = result.get("unexpected_count")
    return DqResult(
        run_id=run_id,
        run_at=now,
        suite=suite,
        expectation_id=hashlib.sha256(identity.encode()).hexdigest()[:16],
        expectation=config.type,
        check_name=str(meta.get("check", config.type)),
        column_name=meta.get("column") or _columns(kwargs),
        severity=cast(Severity, getattr(config.severity, "value", "critical")),
        success=bool(outcome.success) and not raised,
        observed_value=observed,
        unexpected_count=int(unexpected) if unexpected is not None else None,
        details=details,
    )


def _columns(kwargs: dict[str, Any]) -> str | None:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    if "column_A" in kwargs:
        return (
            f"{kwargs['column_A']} ≥ {kwargs['column_B']}"
            if "or_equal" in kwargs
            else (f"{kwargs['column_A']} = {kwargs['column_B']}")
        )
    return None


def _show(value: Any) -> str:
    if isinstance(value, float) and not math.isnan(value):
        return f"{value:g}"
    return str(value)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
