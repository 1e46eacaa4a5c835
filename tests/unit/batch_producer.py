"""An aiokafka producer as ``antt.record_batches`` uses it, taking batches as a broker would."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any


class Batch:
    """A record batch that holds ``capacity`` records, then refuses more (as a full one does)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.records: list[tuple[bytes | None, bytes]] = []

    def append(self, *, key: bytes | None, value: bytes, timestamp: float | None) -> Any:
        if len(self.records) == self.capacity or len(value) > 1_000:
            return None
        self.records.append((key, value))
        return SimpleNamespace(offset=len(self.records) - 1)


class BatchProducer:
    """Each partition's offsets count up from 100; every batch sent is kept."""

    def __init__(self, capacity: int = 2) -> None:
        self.capacity = capacity
        self.sent: list[tuple[str, int, list[tuple[bytes | None, bytes]]]] = []
        self._next: dict[int, int] = {}

    def create_batch(self) -> Batch:
        return Batch(self.capacity)

    async def send_batch(self, batch: Batch, topic: str, *, partition: int) -> Any:
        self.sent.append((topic, partition, batch.records))
        base = self._next.get(partition, 100)
        self._next[partition] = base + len(batch.records)
        done = asyncio.get_running_loop().create_future()
        done.set_result(SimpleNamespace(partition=partition, offset=base))
        return done

    def records(self) -> list[tuple[str, int, bytes | None, bytes]]:
        """Every record sent, batch by batch."""
        return [(t, p, k, v) for t, p, batch in self.sent for k, v in batch]
