"""Reference data in memory: cameras, facilities and the watchlist, read from the ref.* topics.

Every worker process holds the whole of each compacted topic (they are small), like a Faust
global table. The store reads the topics to their end before the first batch is cleaned, and
again whenever a batch names a camera or facility it does not know yet: a camera installed a
second ago must not turn its first detections into rejections. The reading happens in a thread;
rows are applied on the event loop, so cleaners never see a half-updated store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from streams.cleaning.context import CleanContext, Row
from streams.processing import Message, clean_message
from streams.reference.models import CameraRef, FacilityRef, WatchEntry

__all__ = ["REFERENCE_TOPICS", "ReferenceStore"]

log = logging.getLogger(__name__)

REFERENCE_TOPICS = ("ref.cameras", "ref.facilities", "ref.watchlist")
Applied = tuple[str, int, int, Row]  # topic, partition, offset, cleaned row


class ReferenceStore:
    """The latest version of every reference entity, keyed by its id."""

    def __init__(self) -> None:
        self.cameras: dict[str, CameraRef] = {}
        self.facilities: dict[str, FacilityRef] = {}
        self.watch_entries: dict[str, WatchEntry] = {}
        self.watchlist: dict[str, tuple[WatchEntry, ...]] = {}
        self._applied: dict[tuple[str, int], int] = {}
        self._lock = asyncio.Lock()

    def apply(self, topic: str, partition: int, offset: int, row: Row) -> None:
        """Apply one cleaned reference row unless a later one of its partition is applied."""
        if offset <= self._applied.get((topic, partition), -1):
            return
        self._applied[(topic, partition)] = offset
        if topic == "ref.cameras":
            self._upsert(self.cameras, row["camera_id"], row, _camera)
        elif topic == "ref.facilities":
            self._upsert(self.facilities, row["facility_id"], row, _facility)
        elif topic == "ref.watchlist":
            self._upsert(self.watch_entries, row["entry_id"], row, _watch_entry)
            self._index_watchlist()

    def position(self, topic: str, partition: int) -> int:
        """The next offset to read for a partition."""
        return self._applied.get((topic, partition), -1) + 1

    async def catch_up(
        self,
        bootstrap_servers: str,
        make_context: Callable[[], CleanContext],
    ) -> int:
        """Read every ref topic to its current end; returns how many records were applied."""
        async with self._lock:
            positions = {
                (topic, partition): self.position(topic, partition)
                for topic, partition in self._applied
            }
            loop = asyncio.get_running_loop()
            records = await loop.run_in_executor(None, _read_to_end, bootstrap_servers, positions)
            return self._apply_records(records, make_context())

    def _apply_records(self, records: Sequence[Any], ctx: CleanContext) -> int:
        applied = 0
        for record in records:
            message = Message(
                record.topic,
                record.partition,
                record.offset,
                record.key,
                record.value,
                record.timestamp,
            )
            outcome = clean_message(message, ctx)
            if outcome.row is not None:
                self.apply(record.topic, record.partition, record.offset, outcome.row)
                applied += 1
        return applied

    @staticmethod
    def _upsert(
        target: dict[str, Any], entity_id: str, row: Row, build: Callable[[Row], Any]
    ) -> None:
        if row.get("is_deleted"):
            target.pop(entity_id, None)
        else:
            target[entity_id] = build(row)

    def _index_watchlist(self) -> None:
        index: dict[str, list[WatchEntry]] = {}
        for entry in self.watch_entries.values():
            if not entry.is_active:
                continue  # a deactivated entry stops alerting at once
            index.setdefault(entry.value_key, []).append(entry)
        self.watchlist = {key: tuple(entries) for key, entries in index.items()}


def _camera(row: Row) -> CameraRef:
    return CameraRef(row["camera_id"], row["ward_code"], row["owner"], row["is_connected"])


def _facility(row: Row) -> FacilityRef:
    return FacilityRef(row["facility_id"], row["ward_code"], row["kind"], row["on_platform_since"])


def _watch_entry(row: Row) -> WatchEntry:
    return WatchEntry(
        row["entry_id"], row["kind"], row["value_key"], row["reason"], row["is_active"]
    )


def _read_to_end(bootstrap_servers: str, positions: dict[tuple[str, int], int]) -> list[Any]:
    """Every ref record from the given positions (or the beginning) to the end, in offset order."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        consumer_timeout_ms=1000,
    )
    try:
        partitions = [
            TopicPartition(topic, partition)
            for topic in REFERENCE_TOPICS
            for partition in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(partitions)
        ends = consumer.end_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, positions.get((tp.topic, tp.partition), 0))
        records: list[Any] = []
        pending = {tp for tp in partitions if consumer.position(tp) < ends[tp]}
        started = datetime.now(UTC)
        while pending:
            for tp, batch in consumer.poll(timeout_ms=500, max_records=5000).items():
                records.extend(r for r in batch if r.offset < ends[tp])
            pending = {tp for tp in pending if consumer.position(tp) < ends[tp]}
            if (datetime.now(UTC) - started).total_seconds() > 60:
                raise TimeoutError(f"reading the reference topics took over 60 s: {pending}")
        return records
    finally:
        consumer.close()
