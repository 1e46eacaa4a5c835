"""Writes a batch of registry records to the Faust table's store and changelog topic at once.

Faust writes a table key with ``table[key] = value``: the store, then one changelog record
through its producer buffer, a future and a callback per record that records the changelog
offset in the store. In a profile of a registry bootstrap that path took more of the event loop
than cleaning the updates did (docs/performance.md). The writer keeps what Faust keeps: the same
store, the same changelog bytes on the same partition (the source partition of the update, as
Faust's own write would choose), and each changelog partition's last offset in the store, which
is where Faust's recovery resumes. It writes the store a batch at a time
(``streams.population.store``), sends the changelog records as whole record batches and waits
until the broker holds them all, before the batch of updates is acknowledged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import faust
from faust.transport.drivers.aiokafka import Producer as AiokafkaDriverProducer
from faust.types import TP

from antt.record_batches import send_batches
from streams.population.keeper import Placed
from streams.population.store import Store

__all__ = ["RegistryWriter"]


class RegistryWriter:
    """Writes ``Placed`` records of a batch to ``table``'s store (``Store``) and changelog."""

    def __init__(self, table: faust.GlobalTable) -> None:
        self.table = table

    async def write(self, placed: Sequence[Placed[faust.EventT[bytes]]]) -> None:
        """Write every record; returns once the broker holds their changelog records."""
        if not placed:
            return
        store = cast("Store", self.table.data)
        records = store.write_many(
            (record.source.message.partition, record.key, record.resident) for record in placed
        )
        topic = self.table.changelog_topic.get_topic_name()
        # Faust's producer does not wrap aiokafka's batch API: the aiokafka producer under it.
        producer = cast("AiokafkaDriverProducer", self.table.app.producer)._ensure_producer()
        for partition, offset in (await send_batches(producer, topic, records)).items():
            store.set_persisted_offset(TP(topic, partition), offset)
