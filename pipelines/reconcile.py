"""Reconcile: for every source topic, produced = landed + rejected + duplicates, and no lag.

Produced is what Kafka holds: every offset from the earliest to the end of each partition, or,
for a compacted topic, the offsets compaction has left (read from the topic: end − earliest would
count the ones compacted away). Every offset Kafka holds must be in the landing zone exactly
once, either as an accepted row or as a rejected one; the accepted rows split into distinct events
(landed) and repeats of an event already landed (duplicates). Landed rows of offsets compacted
away since are left out of the counts.

A topic is ``lagging`` while the worker group has not committed up to the end, and ``mismatch``
when something is wrong whatever the lag: an offset landed both as accepted and rejected, more
landed than produced, or an offset the group has committed (so the worker is done with it) that
is in neither table. ``ok`` is ``produced = landed + rejected + duplicates`` with no lag.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import duckdb
from kafka import KafkaConsumer, TopicPartition

from antt.kafka import client_options
from antt.settings import Settings
from pipelines.topics import group_offsets, topic_offsets
from streams.contract.topics import SOURCE_TOPICS, TopicSpec
from warehouse.landing.zone import LandingZone

__all__ = ["TopicBalance", "format_balances", "reconcile"]

Status = Literal["ok", "lagging", "mismatch"]
Bounds = dict[int, tuple[int, int]]  # partition: (earliest, end) offsets

_READ_TIMEOUT_S = 60


@dataclass(frozen=True, slots=True)
class TopicBalance:
    topic: str
    produced: int
    landed: int
    rejected: int
    duplicates: int
    both: int  # offsets landed as accepted and as rejected: must be 0
    lag: int  # offsets not yet committed by the worker group
    unlanded: int = 0  # offsets committed by the group but in neither table: must be 0

    @property
    def status(self) -> Status:
        accounted = self.landed + self.rejected + self.duplicates
        if self.both or self.unlanded or accounted > self.produced:
            return "mismatch"
        if self.lag:
            return "lagging"
        return "ok" if accounted == self.produced else "mismatch"


def _balance(
    con: duckdb.DuckDBPyConnection,
    zone: LandingZone,
    spec: TopicSpec,
    lag: int,
) -> TopicBalance:
    # Reference topics have no identity: every message is a version, none is a duplicate.
    identity = ", ".join(f"a.{c}" for c in spec.identity) or "source_partition, source_offset"
    extra = f", {identity}" if spec.identity else ""
    row = con.execute(
        f"""
        WITH held AS MATERIALIZED (
            SELECT source_partition, source_offset, next_unread
            FROM held_offsets WHERE source_topic = $topic
        ),
        accepted AS MATERIALIZED (
            SELECT DISTINCT a.source_partition, a.source_offset{extra}
            FROM read_parquet('{zone.glob(spec.table)}', union_by_name = true) AS a
            SEMI JOIN held USING (source_partition, source_offset)
            WHERE a.source_topic = $topic
        ),
        rejected AS MATERIALIZED (
            SELECT source_partition, source_offset
            FROM rejected_offsets SEMI JOIN held USING (source_partition, source_offset)
            WHERE source_topic = $topic
        )
        SELECT
            (SELECT count(*) FROM held),
            (SELECT count(*) FROM (SELECT DISTINCT source_partition, source_offset FROM accepted)),
            (SELECT count(*) FROM (SELECT DISTINCT {identity} FROM accepted AS a)),
            (SELECT count(*) FROM rejected),
            (SELECT count(*) FROM rejected JOIN accepted USING (source_partition, source_offset)),
            (SELECT count(*) FROM held
             ANTI JOIN accepted USING (source_partition, source_offset)
             ANTI JOIN rejected USING (source_partition, source_offset)
             WHERE source_offset < next_unread)
        """,
        {"topic": spec.name},
    ).fetchone()
    assert row is not None
    produced, accepted, distinct, rejected, both, unlanded = (int(v) for v in row)
    return TopicBalance(
        spec.name, produced, distinct, rejected, accepted - distinct, both, lag, unlanded
    )


def reconcile(settings: Settings) -> list[TopicBalance]:
    """The balance of every source topic, from the broker's offsets and the landing zone."""
    zone = LandingZone(settings.landing_dir)
    zone.ensure()
    offsets = topic_offsets(settings, [spec.name for spec in SOURCE_TOPICS])
    committed = group_offsets(settings, settings.app_id)
    compacted = _offsets_held(
        settings, {s.name: offsets.get(s.name, {}) for s in SOURCE_TOPICS if s.compacted}
    )
    balances = []
    with duckdb.connect() as con:
        # The rejected files hold every topic's rejections: read them once, not once per topic.
        con.execute(
            "CREATE TEMP TABLE rejected_offsets AS "
            "SELECT DISTINCT source_topic, source_partition, source_offset "
            f"FROM read_parquet('{zone.glob('rejected')}', union_by_name = true)"
        )
        con.execute(
            "CREATE TEMP TABLE held_offsets (source_topic VARCHAR, source_partition INTEGER, "
            "source_offset BIGINT, next_unread BIGINT)"
        )
        for spec in SOURCE_TOPICS:
            partitions = offsets.get(spec.name, {})
            done = {
                p: committed.get(spec.name, {}).get(p, start)
                for p, (start, _) in partitions.items()
            }
            if spec.compacted and compacted[spec.name]:
                con.executemany(
                    "INSERT INTO held_offsets VALUES (?, ?, ?, ?)",
                    [(spec.name, p, o, done[p]) for p, o in compacted[spec.name]],
                )
            elif not spec.compacted:
                for p, (start, end) in partitions.items():
                    con.execute(
                        "INSERT INTO held_offsets SELECT $topic, $p, range, $done "
                        "FROM range($start, $end)",
                        {"topic": spec.name, "p": p, "start": start, "end": end, "done": done[p]},
                    )
            lag = sum(max(0, end - max(start, done[p])) for p, (start, end) in partitions.items())
            balances.append(_balance(con, zone, spec, lag))
    return balances


def _offsets_held(
    settings: Settings, topics: dict[str, Bounds]
) -> dict[str, list[tuple[int, int]]]:
    """(partition, offset) of every record compacted topics hold, read from the broker."""
    held: dict[str, list[tuple[int, int]]] = {name: [] for name in topics}
    wanted = {
        TopicPartition(name, p): (start, end)
        for name, bounds in topics.items()
        for p, (start, end) in bounds.items()
        if end > start
    }
    if not wanted:
        return held
    consumer = KafkaConsumer(**client_options(settings), enable_auto_commit=False)
    try:
        consumer.assign(list(wanted))
        for tp, (start, _) in wanted.items():
            consumer.seek(tp, start)
        pending = set(wanted)
        deadline = time.monotonic() + _READ_TIMEOUT_S
        while pending:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"could not read the compacted topics within {_READ_TIMEOUT_S} s"
                )
            for tp, records in consumer.poll(timeout_ms=500).items():
                end = wanted[tp][1]
                held[tp.topic].extend((tp.partition, r.offset) for r in records if r.offset < end)
            pending = {tp for tp in pending if consumer.position(tp) < wanted[tp][1]}
    finally:
        consumer.close()
    return held


def format_balances(balances: list[TopicBalance]) -> str:
    """A table for operators, one line per topic."""
    header = f"{'topic':<20}{'produced':>10}{'landed':>10}{'rejected':>10}{'duplicates':>12}"
    lines = [header + f"{'lag':>8}{'unlanded':>10}  status"]
    for b in balances:
        lines.append(
            f"{b.topic:<20}{b.produced:>10}{b.landed:>10}{b.rejected:>10}{b.duplicates:>12}"
            f"{b.lag:>8}{b.unlanded:>10}  {b.status}"
        )
    return "\n".join(lines)
