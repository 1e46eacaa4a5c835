"""From a cleaned batch to what must be made durable: landed files, dead letters and alerts.

``plan_batch`` is pure; ``Lander`` writes a plan into the landing zone in the order that makes a
replay after a crash safe (see ``warehouse.landing.zone``): side files first, the accepted file
of each partition last, because its offset range is what the writer trusts on restart.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from streams.cleaning.context import Row
from streams.contract.topics import TopicSpec
from streams.processing import Outcome
from warehouse.landing.zone import LandingZone, OwnTable

__all__ = ["BatchPlan", "KafkaRecord", "Lander", "PlannedFile", "plan_batch"]


@dataclass(frozen=True, slots=True)
class PlannedFile:
    table: str
    source: str
    partition: int
    first_offset: int
    last_offset: int
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    key: bytes | None
    value: bytes


@dataclass(frozen=True, slots=True)
class BatchPlan:
    """Files in write order, and the records for the deadletter and alerts topics."""

    files: tuple[PlannedFile, ...]
    deadletters: tuple[KafkaRecord, ...] = field(default=())
    alerts: tuple[KafkaRecord, ...] = field(default=())

    def count(self, table: str) -> int:
        return sum(len(f.rows) for f in self.files if f.table == table)


def _lineage(outcome: Outcome, load_id: str, landed_at: datetime) -> dict[str, Any]:
    message = outcome.message
    return {
        "source_topic": message.topic,
        "source_partition": message.partition,
        "source_offset": message.offset,
        "load_id": load_id,
        "landed_at": landed_at,
    }


def _rfc3339(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def _deadletter(outcome: Outcome, rejected_at: datetime) -> KafkaRecord:
    message, rejection = outcome.message, outcome.rejection
    assert rejection is not None
    value = {
        "schema_version": 1,
        "source_topic": message.topic,
        "partition": message.partition,
        "offset": message.offset,
        "key_b64": base64.b64encode(message.key).decode() if message.key is not None else None,
        "value_b64": base64.b64encode(message.value).decode()
        if message.value is not None
        else None,
        "reason_codes": list(rejection.reasons),
        "message": rejection.message,
        "rejected_at": _rfc3339(rejected_at),
    }
    return KafkaRecord(message.key, orjson.dumps(value))


def _alert_record(outcome: Outcome, alert: Row) -> KafkaRecord:
    value = {
        "schema_version": 1,
        **{k: alert[k] for k in ("alert_id", "kind", "entry_id", "source_event_id", "ward_code")},
        "source_topic": outcome.message.topic,
        "observed_at": _rfc3339(alert["observed_at"]),
        "raised_at": _rfc3339(alert["raised_at"]),
    }
    return KafkaRecord(alert["entry_id"].encode(), orjson.dumps(value))


def plan_batch(
    spec: TopicSpec,
    outcomes: Sequence[Outcome],
    alerts: Sequence[tuple[Outcome, Row]],
    load_id: str,
    landed_at: datetime,
) -> BatchPlan:
    """Group a batch by source partition into the files and records that make it durable."""
    by_partition: dict[int, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_partition[outcome.message.partition].append(outcome)
    alerts_by_partition: dict[int, list[tuple[Outcome, Row]]] = defaultdict(list)
    for outcome, alert in alerts:
        alerts_by_partition[outcome.message.partition].append((outcome, alert))

    side_files: list[PlannedFile] = []
    own_files: list[PlannedFile] = []
    for partition, group in sorted(by_partition.items()):
        first, last = group[0].message.offset, group[-1].message.offset
        rejected = tuple(
            {
                "reason_codes": list(o.rejection.reasons),
                "message": o.rejection.message,
                "rejected_at": landed_at,
                **_lineage(o, load_id, landed_at),
            }
            for o in group
            if o.rejection is not None
        )
        if rejected:
            side_files.append(PlannedFile("rejected", spec.table, partition, first, last, rejected))
        raised = tuple(
            {**alert, **_lineage(o, load_id, landed_at)}
            for o, alert in alerts_by_partition[partition]
        )
        if raised:
            side_files.append(PlannedFile("alerts", spec.table, partition, first, last, raised))
        accepted = tuple(
            {**o.row, **_lineage(o, load_id, landed_at)} for o in group if o.row is not None
        )
        own_files.append(PlannedFile(spec.table, OwnTable, partition, first, last, accepted))

    return BatchPlan(
        files=tuple(side_files + own_files),
        deadletters=tuple(_deadletter(o, landed_at) for o in outcomes if o.rejection is not None),
        alerts=tuple(_alert_record(o, alert) for o, alert in alerts),
    )


class Lander:
    """Writes planned files and remembers, per partition, how far a topic has landed."""

    def __init__(self, zone: LandingZone) -> None:
        self.zone = zone
        self._landed: dict[tuple[str, int], int] = {}

    def landed_through(self, spec: TopicSpec, partition: int) -> int:
        """The highest offset of ``partition`` already landed (-1 when none)."""
        key = (spec.table, partition)
        if key not in self._landed:
            self._landed[key] = self.zone.landed_through(spec.table, OwnTable, partition)
        return self._landed[key]

    def forget(self, spec: TopicSpec, partition: int) -> None:
        """Read ``partition``'s landed offset from the landing zone again on next use."""
        self._landed.pop((spec.table, partition), None)

    def write(self, plan: BatchPlan) -> None:
        for planned in plan.files:
            self.zone.write(
                planned.table,
                planned.source,
                planned.partition,
                planned.first_offset,
                planned.last_offset,
                planned.rows,
            )
            if planned.source == OwnTable:
                self._landed[(planned.table, planned.partition)] = planned.last_offset
