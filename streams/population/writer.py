"""Writes a batch of registry records to the Faust table's store and changelog topic at once.

Faust writes a table key with ``table[key] = value``: the store, then one changelog record
through its producer buffer, a future and a callback per record that records the changelog
offset in the store. In a profile of a registry bootstrap that path took more of the event loop
than cleaning the updates did (docs/performance.md). The writer keeps what Faust keeps: the same
store, the same changelog bytes on the same partition (the source partition of the update, as
Faust's own write would choose), and each changelog partition's last offset in the store, which
is where Faust's recovery resumes. It sends the changelog records as whole record batches and
waits until the broker holds them all, before the batch of updates is acknowledged.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import cast

import faust
from faust.streams import _current_event
from faust.transport.drivers.aiokafka import Producer as AiokafkaDriverProducer
from faust.types import TP
from faust.types.stores import StoreT

from antt.record_batches import send_batches
from streams.population.keeper import Placed

__all__ = ["RegistryWriter"]


class RegistryWriter:
    """Writes ``Placed`` records of a batch to ``table``'s store and changelog."""

    def __init__(self, table: faust.GlobalTable) -> None:
        self.table = table

    async def write(self, placed: Sequence[Placed[faust.EventT[bytes]]]) -> None:
        """Write every record; returns once the broker holds their changelog records."""
        if not placed:
            return
        table = self.table
        store = cast("StoreT[str, object]", table.data)
        changelog = table.changelog_topic
        records = []
        for record in placed:
            # The store's partition is the one of the event being processed, which Faust finds in
            # a context variable that only plain stream iteration sets (faust-streaming issue 497).
            # Only the variable, not Stream.current_event, which take_events reads while it
            # buffers the next batch.
            _current_event.set(weakref.ref(record.source))
            store[record.key] = record.resident  # the store only; no changelog record
            key, _ = changelog.prepare_key(record.key, table.key_serializer)
            value, _ = changelog.prepare_value(record.resident, table.value_serializer)
            records.append((record.source.message.partition, key, value))
        topic = changelog.get_topic_name()
        # Faust's producer does not wrap aiokafka's batch API: the aiokafka producer under it.
        producer = cast("AiokafkaDriverProducer", table.app.producer)._ensure_producer()
        for partition, offset in (await send_batches(producer, topic, records)).items():
            store.set_persisted_offset(TP(topic, partition), offset)
