"""Reads a batch's people from the registry at once: one RocksDB multi-get per partition database.

Faust reads a global table's key from its RocksDB store by asking each partition's database in
turn whether the key may exist (a bloom filter) and reading it where it may: for a person not in
the registry yet, as in a bootstrap, every database is asked, one Python call into RocksDB at a
time. Here every database is asked once per batch, for the keys no database before it held.
Keys and values are encoded and decoded by the store, as Faust's own read does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import cast

from faust.stores.rocksdb import Store as RocksDBStore

from streams.population.registry import Resident

__all__ = ["read_many"]


def read_many(residents: Mapping[str, Resident], keys: Collection[str]) -> dict[str, Resident]:
    """The records ``residents`` (the app's Faust table, or a dict in tests) holds for ``keys``;
    a key it does not hold is left out."""
    store = getattr(residents, "data", None)
    if not isinstance(store, RocksDBStore) or not store.use_rocksdict:
        # A dict, or a table in memory: no databases to ask.
        return {key: value for key in keys if (value := residents.get(key)) is not None}
    wanted = {store._encode_key(key): key for key in keys}
    found: dict[str, Resident] = {}
    for db in store._dbs.values():
        if not wanted:
            break
        asked = list(wanted)
        for raw_key, raw_value in zip(asked, db.get(asked), strict=True):
            if raw_value is not None:
                found[wanted.pop(raw_key)] = cast("Resident", store._decode_value(raw_value))
    return found
