"""Writes a batch of registry records to the Faust table's store and changelog topic at once.

Faust writes a table key with ``table[key] = value``: the store, then one changelog record
through its producer buffer, a future and a callback per record that records the changelog
offset in the store. In a profile of a registry bootstrap that path took more of the event loop
than cleaning the updates did (docs/performance.md). The writer keeps what Faust keeps: the same
store, the same changelog bytes on the same partition (the source partition of the update, as
Faust's own write would choose), and each changelog partition's last offset in the store, which
is where Faust's recovery resumes. It sends the records straight to the producer and waits for
the broker to hold them all, before the batch is acknowledged.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from typing import cast

import faust
from faust.streams import _current_event
from faust.types import TP
from faust.types.stores import StoreT

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
        topic = changelog.get_topic_name()
        producer = table.app.producer
        sent = []
        for record in placed:
            # The store's partition is the one of the event being processed, which Faust finds in
            # a context variable that only plain stream iteration sets (faust-streaming issue 497).
            _current_event.set(weakref.ref(record.source))
            store[record.key] = record.resident  # the store only; no changelog record
            key, _ = changelog.prepare_key(record.key, table.key_serializer)
            value, _ = changelog.prepare_value(record.resident, table.value_serializer)
            partition = record.source.message.partition
            sent.append(await producer.send(topic, key, value, partition, None, None))
        last: dict[int, int] = {}
        for metadata in await asyncio.gather(*sent):
            last[metadata.partition] = max(metadata.offset, last.get(metadata.partition, -1))
        for partition, offset in last.items():
            store.set_persisted_offset(TP(topic, partition), offset)
