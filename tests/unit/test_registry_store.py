"""The registry's RocksDB store: found by its URL scheme, bloom filters on its memtables, and a
batch written at once as Faust's own writes would leave it, with the changelog's bytes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import cast

import faust
from faust.stores import by_url

from streams.population.registry import Resident
from streams.population.store import MEMTABLE_BLOOM_RATIO, SCHEME, Store


def _resident(ward: str) -> Resident:
    at = datetime(2025, 8, 1, 2, tzinfo=UTC)
    return Resident(birth_date=date(1995, 4, 12), sex="female", updated_at=at, ward_code=ward,
                    residence="permanent", placed_at=at)  # fmt: skip


def _table(tmp_path: Path) -> faust.GlobalTable:
    app = faust.App("antt", store=f"{SCHEME}://", datadir=str(tmp_path))
    table = app.GlobalTable("population_registry", key_type=str, value_type=Resident)
    return cast("faust.GlobalTable", table)


def test_faust_finds_the_store_by_its_scheme(tmp_path: Path) -> None:
    assert by_url(f"{SCHEME}://") is Store
    assert type(_table(tmp_path).data) is Store


def test_every_partition_database_has_a_bloom_filter_on_its_memtables(tmp_path: Path) -> None:
    store = cast("Store", _table(tmp_path).data)
    for partition in (0, 3):
        store._db_for_partition(partition)
    # RocksDB writes the options a database was opened with next to it.
    written = sorted(tmp_path.rglob("OPTIONS-*"))
    assert len(written) == 2
    for options in written:
        lines = {line.strip() for line in options.read_text().splitlines()}
        assert "memtable_whole_key_filtering=true" in lines
        assert f"memtable_prefix_bloom_size_ratio={MEMTABLE_BLOOM_RATIO:.6f}" in lines


def test_a_batch_lands_in_its_partitions_databases_with_the_changelogs_bytes(
    tmp_path: Path,
) -> None:
    table = _table(tmp_path)
    store = cast("Store", table.data)
    batch = [(2, "k1", _resident("31117")), (0, "k2", _resident("31120")),
             (2, "k3", _resident("31123"))]  # fmt: skip

    encoded = store.write_many(batch)

    changelog = table.changelog_topic
    assert encoded == [
        (partition,
         changelog.prepare_key(key, table.key_serializer)[0],
         changelog.prepare_value(value, table.value_serializer)[0])
        for partition, key, value in batch
    ]  # fmt: skip
    for partition, key, value in encoded:
        assert store._db_for_partition(partition).get(key) == value
    assert store._db_for_partition(0).get(encoded[0][1]) is None  # k1 only where it was put
    assert {key: store[key] for key in ("k1", "k2", "k3")} == {k: r for _, k, r in batch}


def test_a_person_written_again_from_another_partition_reads_as_the_latest(
    tmp_path: Path,
) -> None:
    # The same person may reach the updates topic under two spellings of an ID number, so on
    # two partitions; Faust reads a key from the partition its index last saw it written to.
    store = cast("Store", _table(tmp_path).data)
    store.write_many([(2, "k1", _resident("31117"))])
    assert store["k1"].ward_code == "31117"

    store.write_many([(4, "k1", _resident("31120"))])

    assert store["k1"].ward_code == "31120"
