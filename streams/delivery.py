"""Whether offsets missing from what Faust delivered hold records on the broker.

Faust can drop messages a worker has already fetched: a rebalance clears the agents' queues, and
so does resuming the flow after the seek back to committed offsets, even for messages fetched
after that seek. The next messages of the partition then arrive with a hole before them, and
Faust commits past a hole of one offset (its gap check allows one). Measured here under
rebalance churn: one camera event in about 27 rebalances committed and never landed, and
holes of more offsets left the partition's commits stuck.

So ``BatchWorker`` checks every batch for holes against what has landed. A hole alone proves
nothing: compaction removes records and a transaction's marker takes an offset. ``DeliveryCheck``
asks the broker whether the missing offsets hold records; only then were messages dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, TopicPartition

__all__ = ["DeliveryCheck", "RecordsAt"]


class RecordsAt(Protocol):
    """Which of ``offsets`` of a partition hold a record on the broker (bounded in time)."""

    async def __call__(self, topic: str, partition: int, offsets: Sequence[int]) -> list[int]: ...


class DeliveryCheck:
    """Reads a partition's missing offsets from the broker, on a consumer of its own."""

    def __init__(self, client_options: Mapping[str, Any], timeout_s: float) -> None:
        self._client_options = client_options
        self._timeout_s = timeout_s

    async def __call__(self, topic: str, partition: int, offsets: Sequence[int]) -> list[int]:
        return await asyncio.wait_for(self._read(topic, partition, offsets), self._timeout_s)

    async def _read(self, topic: str, partition: int, offsets: Sequence[int]) -> list[int]:
        wanted = set(offsets)
        first, end = min(wanted), max(wanted) + 1
        consumer = AIOKafkaConsumer(
            **self._client_options, enable_auto_commit=False, request_timeout_ms=10_000
        )
        await consumer.start()
        try:
            tp = TopicPartition(topic, partition)
            consumer.assign([tp])
            consumer.seek(tp, first)
            found: list[int] = []
            # Unbounded here: the caller's timeout ends it, and an answer read only in part
            # would pass dropped messages as never written.
            while await consumer.position(tp) < end:
                records = await consumer.getmany(tp, timeout_ms=500)
                found.extend(r.offset for r in records.get(tp, []) if r.offset in wanted)
            return sorted(found)
        finally:
            await consumer.stop()
