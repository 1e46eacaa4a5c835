"""The registry's RocksDB store: Faust's own, with a bloom filter on the memtables too, and a
read and a write of a whole batch at once.

``read_many`` asks each partition database once per batch, for the keys no database before it
held. Faust reads a global table's key by asking each partition's database in turn whether the key
may exist (a bloom filter) and reading it where it may: for a person not in the registry yet, as
in a bootstrap, every database is asked, one Python call into RocksDB at a time.

Every batch of population updates asks each partition database for the batch's people
(``streams.population.lookup``), and in a bootstrap almost none of them is there yet. Faust's
options give RocksDB's files a bloom filter, which answers "not here" without a read, but not its
memtables, where the last 64 MiB written to each database stay until they are flushed: a million
residents fit in the memtables, and each "not here" was a search of a skip list. With a whole-key
bloom filter on the memtables, asking six databases for a key none holds took 3.1 µs instead of
15.7 µs with a million keys written (docs/performance.md).

``write_many`` puts a batch's records with one RocksDB write per partition database, and encodes
each key and value once, for the store and the changelog both: the records Faust writes one at a
time (``table[key] = value``, or its store's ``store[key] = value``), each encoded again for its
changelog record, took 33.7 µs a record against 14.4 µs (200,000 records, docs/performance.md).

Faust finds a store class by the scheme of the app's ``store`` URL, among its own and those
registered under the ``faust.stores`` entry point (``pyproject.toml``): ``antt-rocksdb://``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, Final, cast

from faust.exceptions import ImproperlyConfigured
from faust.stores import rocksdb
from rocksdict import Options, WriteBatch

__all__ = ["MEMTABLE_BLOOM_RATIO", "SCHEME", "EncodedRecord", "Store"]

SCHEME: Final = "antt-rocksdb"
#: Bytes of memtable bloom filter per byte of write buffer: 640 KiB per 64 MiB memtable, about 20
#: bits per key at the registry's record size, so that a false "may be here" is rare.
MEMTABLE_BLOOM_RATIO: Final = 0.01


EncodedRecord = tuple[int, bytes, bytes]  # partition, key, value


class _Options(rocksdb.RocksDBOptions):
    def as_options(self) -> Options:
        options = cast("Options", super().as_options())
        options.set_memtable_prefix_bloom_ratio(MEMTABLE_BLOOM_RATIO)
        options.set_memtable_whole_key_filtering(True)
        return options


class Store(rocksdb.Store):
    """Faust's RocksDB store with ``_Options``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.use_rocksdict:
            raise ImproperlyConfigured("the registry's store needs the rocksdict driver")
        # Faust has already taken its own keys (driver, read_only) out of self.options.
        self.rocksdb_options = _Options(**(self.options or {}), use_rocksdict=self.use_rocksdict)

    def read_many(self, keys: Collection[Any]) -> dict[Any, Any]:
        """The values held for ``keys``, decoded as Faust's own read decodes them; a key no
        partition database holds is left out."""
        wanted = {self._encode_key(key): key for key in keys}
        found = {}
        for db in self._dbs.values():
            if not wanted:
                break
            asked = list(wanted)
            for raw_key, raw_value in zip(asked, db.get(asked), strict=True):
                if raw_value is not None:
                    found[wanted.pop(raw_key)] = self._decode_value(raw_value)
        return found

    def write_many(self, records: Iterable[tuple[int, Any, Any]]) -> list[EncodedRecord]:
        """Put ``(partition, key, value)`` records into their partitions' databases, in order,
        and return them encoded: the same bytes the table's changelog carries for them (the
        changelog topic encodes with the table's serializers too)."""
        encoded = []
        batches: dict[int, WriteBatch] = {}
        for partition, key, value in records:
            raw_key = self._encode_key(key)
            # A value is a record, never None: the registry deletes no key.
            raw_value = cast("bytes", self._encode_value(value))
            batch = batches.get(partition)
            if batch is None:
                batch = batches[partition] = WriteBatch(raw_mode=True)
            batch.put(raw_key, raw_value)
            # Faust reads a key from the partition this index names, when it names one.
            self._key_index[raw_key] = partition
            encoded.append((partition, raw_key, raw_value))
        for partition, batch in batches.items():
            self._db_for_partition(partition).write(batch)
        return encoded
