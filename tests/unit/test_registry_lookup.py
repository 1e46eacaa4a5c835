"""Reading a batch's people at once from the registry's RocksDB store finds what Faust's own
per-key read finds, in whichever partition's database a person was written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import cast

import faust

from streams.population.lookup import read_many
from streams.population.registry import Resident
from streams.population.store import SCHEME, Store


def _resident(ward: str) -> Resident:
    at = datetime(2025, 8, 1, 2, tzinfo=UTC)
    return Resident(birth_date=date(1995, 4, 12), sex="female", updated_at=at, ward_code=ward,
                    residence="permanent", placed_at=at)  # fmt: skip


def _table(tmp_path: Path, store: str) -> faust.GlobalTable:
    app = faust.App("antt", store=store, datadir=str(tmp_path))
    table = app.GlobalTable("population_registry", key_type=str, value_type=Resident)
    return cast("faust.GlobalTable", table)


def test_a_batch_is_read_from_every_partition_database(tmp_path: Path) -> None:
    table = _table(tmp_path, f"{SCHEME}://")
    store = table.data
    assert isinstance(store, Store)
    written = {"p-0": (0, "31117"), "p-1": (3, "31120"), "p-2": (5, "31123"), "p-3": (3, "31126")}
    for partition in range(6):
        store._db_for_partition(partition)  # opened as recovery opens every one of them
    for key, (partition, ward) in written.items():
        raw = store._encode_value(_resident(ward))
        store._db_for_partition(partition).put(store._encode_key(key), raw)
    asked = ["p-0", "p-1", "p-2", "p-3", "unknown-1", "unknown-2"]

    found = read_many(table, asked)

    assert {key: r.ward_code for key, r in found.items()} == {
        "p-0": "31117", "p-1": "31120", "p-2": "31123", "p-3": "31126"
    }  # fmt: skip
    assert found == {key: table[key] for key in asked if key in written}  # Faust's own read


def test_the_in_memory_store_is_read_key_by_key(tmp_path: Path) -> None:
    table = _table(tmp_path, "memory://")
    table.data["p-0"] = _resident("31117")
    assert read_many(table, ["p-0", "unknown"]) == {"p-0": _resident("31117")}
