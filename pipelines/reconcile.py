"""Reconcile: for every source topic, produced = landed + rejected + duplicates, and no lag.

Produced is what Kafka holds (end − earliest offset, per partition). Every one of those offsets
must be in the landing zone exactly once, either as an accepted row or as a rejected one; the
accepted rows split into distinct events (landed) and repeats of an event already landed
(duplicates). An offset that is both accepted and rejected, or one that is missing, breaks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import duckdb

from antt.settings import Settings
from pipelines.topics import group_offsets, topic_offsets
from streams.contract.topics import SOURCE_TOPICS, TopicSpec
from warehouse.landing.zone import LandingZone

__all__ = ["TopicBalance", "format_balances", "reconcile"]

Status = Literal["ok", "lagging", "mismatch"]


@dataclass(frozen=True, slots=True)
class TopicBalance:
    topic: str
    produced: int
    landed: int
    rejected: int
    duplicates: int
    both: int  # offsets landed as accepted and as rejected: must be 0
    lag: int  # offsets not yet committed by the worker group

    @property
    def status(self) -> Status:
        if self.produced != self.landed + self.rejected + self.duplicates or self.both:
            return "lagging" if self.lag else "mismatch"
        return "lagging" if self.lag else "ok"


def _balance(
    con: duckdb.DuckDBPyConnection,
    zone: LandingZone,
    spec: TopicSpec,
    produced: int,
    lag: int,
) -> TopicBalance:
    # Reference topics have no identity: every message is a version, none is a duplicate.
    identity = ", ".join(spec.identity) or "source_partition, source_offset"
    extra = f", {identity}" if spec.identity else ""
    row = con.execute(
        f"""
        WITH accepted AS MATERIALIZED (
            SELECT DISTINCT source_partition, source_offset{extra}
            FROM read_parquet('{zone.glob(spec.table)}', union_by_name = true)
            WHERE source_topic = $topic
        ),
        rejected AS (
            SELECT source_partition, source_offset
            FROM rejected_offsets
            WHERE source_topic = $topic
        )
        SELECT
            (SELECT count(*) FROM (SELECT DISTINCT source_partition, source_offset FROM accepted)),
            (SELECT count(*) FROM (SELECT DISTINCT {identity} FROM accepted)),
            (SELECT count(*) FROM rejected),
            (SELECT count(*) FROM rejected JOIN accepted USING (source_partition, source_offset))
        """,
        {"topic": spec.name},
    ).fetchone()
    assert row is not None
    accepted, distinct, rejected, both = (int(v) for v in row)
    return TopicBalance(spec.name, produced, distinct, rejected, accepted - distinct, both, lag)


def reconcile(settings: Settings) -> list[TopicBalance]:
    """The balance of every source topic, from the broker's offsets and the landing zone."""
    zone = LandingZone(settings.landing_dir)
    zone.ensure()
    names = [spec.name for spec in SOURCE_TOPICS]
    offsets = topic_offsets(settings, names)
    committed = group_offsets(settings, settings.app_id)
    balances = []
    with duckdb.connect() as con:
        # The rejected files hold every topic's rejections: read them once, not once per topic.
        con.execute(
            "CREATE TEMP TABLE rejected_offsets AS "
            "SELECT DISTINCT source_topic, source_partition, source_offset "
            f"FROM read_parquet('{zone.glob('rejected')}', union_by_name = true)"
        )
        for spec in SOURCE_TOPICS:
            partitions = offsets.get(spec.name, {})
            produced = sum(end - start for start, end in partitions.values())
            lag = sum(
                max(0, end - max(start, committed.get(spec.name, {}).get(p, start)))
                for p, (start, end) in partitions.items()
            )
            balances.append(_balance(con, zone, spec, produced, lag))
    return balances


def format_balances(balances: list[TopicBalance]) -> str:
    """A table for operators, one line per topic."""
    header = f"{'topic':<20}{'produced':>10}{'landed':>10}{'rejected':>10}{'duplicates':>12}"
    lines = [header + f"{'lag':>8}  status"]
    for b in balances:
        lines.append(
            f"{b.topic:<20}{b.produced:>10}{b.landed:>10}{b.rejected:>10}{b.duplicates:>12}"
            f"{b.lag:>8}  {b.status}"
        )
    return "\n".join(lines)
