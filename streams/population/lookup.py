"""Reads a batch's people from the registry at once: from the registry's RocksDB store with one
multi-get per partition database (``Store.read_many``), from any other mapping key by key.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from streams.population.registry import Resident
from streams.population.store import Store

__all__ = ["read_many"]


def read_many(residents: Mapping[str, Resident], keys: Collection[str]) -> dict[str, Resident]:
    """The records ``residents`` (the app's Faust table, or a dict in tests) holds for ``keys``;
    a key it does not hold is left out."""
    store = getattr(residents, "data", None)
    if isinstance(store, Store):
        return store.read_many(keys)
    # A dict, or a table in memory: no databases to ask.
    return {key: value for key in keys if (value := residents.get(key)) is not None}
