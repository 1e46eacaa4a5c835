"""One row per expectation per run, appended to the landing zone's ``dq_results`` table.

Results land like every other table (immutable Parquet, temp name, fsync, rename), so analysts,
notebooks and dashboards query them through ``stg_dq_results``. A run's rows take the next
offsets of the table's own sequence, the way a topic's rows take Kafka offsets; run ``antt dq
run`` from one place at a time, as two runs started at once would pick the same offsets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final, Literal

from warehouse.landing.zone import LandedFile, LandingZone, OwnTable

__all__ = ["TABLE", "DqResult", "Severity", "land_results"]

TABLE: Final = "dq_results"
Severity = Literal["critical", "warning", "info"]
_SOURCE_TOPIC: Final = "antt.dq"
_PARTITION: Final = 0


@dataclass(frozen=True, slots=True)
class DqResult:
    """The outcome of one expectation in one run."""

    run_id: str
    run_at: dt.datetime
    suite: str
    expectation_id: str  # stable across runs: suite, type and arguments
    expectation: str  # the Great Expectations type, e.g. expect_column_values_to_be_unique
    check_name: str  # what the check is for, e.g. key_unique, pseudonym_format
    column_name: str | None
    severity: Severity
    success: bool
    observed_value: str | None  # never a value of a column that may hold personal data
    unexpected_count: int | None
    details: str  # the expectation's arguments as JSON


def land_results(landing: Path, results: Sequence[DqResult]) -> LandedFile:
    """Append ``results`` as one file after the highest offset landed so far."""
    zone = LandingZone(landing)
    first = zone.landed_through(TABLE, OwnTable, _PARTITION) + 1
    landed_at = dt.datetime.now(dt.UTC)
    rows = [
        {
            **asdict(result),
            "source_topic": _SOURCE_TOPIC,
            "source_partition": _PARTITION,
            "source_offset": first + index,
            "load_id": result.run_id,
            "landed_at": landed_at,
        }
        for index, result in enumerate(results)
    ]
    last = first + max(len(rows), 1) - 1
    return zone.write(TABLE, OwnTable, _PARTITION, first, last, rows)
