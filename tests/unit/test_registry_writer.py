"""The registry writer: the store, and one changelog record per person on the update's partition,
decodable as Faust's recovery decodes it; the store remembers each partition's last offset."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import faust
from faust.types import TP

from streams.population.keeper import Placed
from streams.population.registry import Resident
from streams.population.store import SCHEME
from streams.population.writer import RegistryWriter
from tests.unit.batch_producer import BatchProducer

CHANGELOG = "antt-population_registry-changelog"


class _Event:
    """What the writer reads of a Faust event: its message's partition."""

    def __init__(self, partition: int) -> None:
        self.message = SimpleNamespace(partition=partition)


def _event(partition: int) -> Any:
    return _Event(partition)


def _resident(ward: str) -> Resident:
    at = datetime(2025, 8, 1, 2, tzinfo=UTC)
    return Resident(birth_date=date(1995, 4, 12), sex="male", updated_at=at, ward_code=ward,
                    residence="permanent", placed_at=at)  # fmt: skip


def test_each_record_goes_to_the_store_and_to_its_updates_partition_of_the_changelog(
    tmp_path: Path,
) -> None:
    app = faust.App("antt", store=f"{SCHEME}://", datadir=str(tmp_path))
    table = app.GlobalTable("population_registry", key_type=str, value_type=Resident)
    producer = BatchProducer(capacity=1)  # a batch per record: offsets as one send each
    app.producer = SimpleNamespace(_ensure_producer=lambda: producer)  # type: ignore[assignment]
    persisted: dict[TP, int] = {}
    table.data.set_persisted_offset = lambda tp, offset: persisted.__setitem__(tp, offset)  # type: ignore[method-assign]
    placed = [
        Placed(_event(partition), key, _resident(ward))
        for partition, key, ward in ((2, "k1", "31117"), (0, "k2", "31120"), (2, "k3", "31123"))
    ]

    asyncio.run(RegistryWriter(table).write(placed))

    assert [(topic, partition) for topic, partition, _, _ in producer.records()] == [
        (CHANGELOG, 2), (CHANGELOG, 0), (CHANGELOG, 2)
    ]  # fmt: skip
    # Decoded as the table's store decodes what recovery copies into it from the changelog.
    loads_key, loads_value = app.serializers.loads_key, app.serializers.loads_value
    recovered = {
        loads_key(str, key, serializer=table.key_serializer): loads_value(
            Resident, value, serializer=table.value_serializer
        )
        for _, _, key, value in producer.records()
    }
    assert recovered == {p.key: p.resident for p in placed}
    assert {key: table.data[key] for key in ("k1", "k2", "k3")} == recovered
    assert persisted == {TP(CHANGELOG, 2): 101, TP(CHANGELOG, 0): 100}
