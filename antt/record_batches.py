"""Producing records as whole record batches per partition, with aiokafka's batch API.

A send per record costs a future, a callback and a trip through the producer's accumulator in
Python; a batch is built in C and has one future. The benchmark's backlogs and the registry's
changelog writes both go this way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaProducer

__all__ = ["send_batches"]


async def send_batches(
    producer: AIOKafkaProducer, topic: str, records: Iterable[tuple[int, bytes | None, bytes]]
) -> dict[int, int]:
    """Send ``(partition, key, value)`` records in order per partition; once the broker holds
    every one, the offset of the last record written to each partition."""
    open_batches: dict[int, Any] = {}  # partition: its aiokafka BatchBuilder being filled
    counts: dict[int, int] = {}  # partition: records in that batch
    sent: list[tuple[asyncio.Future[Any], int]] = []

    async def send(partition: int) -> None:
        batch, count = open_batches.pop(partition), counts.pop(partition)
        sent.append((await producer.send_batch(batch, topic, partition=partition), count))

    for partition, key, value in records:
        batch = open_batches.get(partition)
        if batch is None or batch.append(key=key, value=value, timestamp=None) is None:
            if batch is not None:
                await send(partition)  # full: on to a new batch
            batch = open_batches[partition] = producer.create_batch()
            if batch.append(key=key, value=value, timestamp=None) is None:
                raise ValueError(f"a record of {len(value)} bytes does not fit in a batch")
        counts[partition] = counts.get(partition, 0) + 1
    for partition in list(open_batches):
        await send(partition)
    last: dict[int, int] = {}
    for future, count in sent:
        metadata = await future  # raises the first failure
        end = metadata.offset + count - 1
        last[metadata.partition] = max(end, last.get(metadata.partition, -1))
    return last
