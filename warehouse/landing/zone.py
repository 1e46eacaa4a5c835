"""The landing zone: immutable Parquet files, one per table, source partition and offset range.

Layout: ``<landing>/<table>/<source>/p<partition>/<first>-<last>.parquet`` where ``<source>`` is the
source topic's table (for ``rejected`` and ``alerts``, which gather rows from several topics) or
``_`` (for a topic's own table). A file is written under a temporary name, fsynced, then renamed
into place, so a reader sees a whole file or none. Offsets are committed to Kafka only after the
rename, and the accepted file of a batch is written last and always (even with no rows): it marks
the batch's range as landed. On restart the writer skips offsets at or below the highest landed
range, so a replay after a crash lands nothing twice; readers still keep one row per
(source_topic, source_partition, source_offset) in case a crash fell between the two files.
Compaction (``compaction.py``) merges a partition's files into larger ones named the same way.

``<landing>/_meta/`` holds small JSON documents about the zone as a whole (which key made its
pseudonyms, which incarnation of each topic its offsets belong to, the compaction journal, the
newest registry snapshot); no view reads them. ``<landing>/_snapshots/`` holds the registry
snapshots the compaction job writes (``warehouse/snapshots.py``), outside every table's glob.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.landing.schemas import TABLES, table_schema

__all__ = ["LandedFile", "LandingZone", "OwnTable", "offset_range"]

OwnTable = "_"
_FILE = re.compile(r"^(\d{20})-(\d{20})\.parquet$")
_SEED = "_seed.parquet"
_META = "_meta"


def offset_range(name: str) -> tuple[int, int] | None:
    """The (first, last) source offsets a landed file's name covers; None for any other file."""
    match = _FILE.match(name)
    return (int(match.group(1)), int(match.group(2))) if match else None


@dataclass(frozen=True, slots=True)
class LandedFile:
    """A file that was renamed into place."""

    path: Path
    rows: int


class LandingZone:
    """Writes and lists landed files under one root folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def ensure(self) -> None:
        """Give every table a zero-row seed file with its current schema, so views resolve.

        A seed written before a column was added is rewritten: views read files by column name,
        and the seed is what tells them a new column exists before any file carries it.
        """
        for table, schema in TABLES.items():
            seed = self.root / table / _SEED
            if not seed.exists() or not pq.read_schema(seed).equals(schema, check_metadata=False):
                self._write_atomic(seed, schema.empty_table())

    def glob(self, table: str) -> str:
        """The glob that matches every file of ``table``, its seed included."""
        table_schema(table)
        return str(self.root / table / "**" / "*.parquet")

    def write(
        self,
        table: str,
        source: str,
        partition: int,
        first_offset: int,
        last_offset: int,
        rows: Sequence[Mapping[str, Any]],
    ) -> LandedFile:
        """Land ``rows`` as the file for one source partition's offset range."""
        schema = table_schema(table)
        path = self._path(table, source, partition, first_offset, last_offset)
        data = pa.Table.from_pylist(list(rows), schema=schema)
        self._write_atomic(path, data)
        return LandedFile(path, data.num_rows)

    def landed_through(self, table: str, source: str, partition: int) -> int:
        """The highest source offset landed for a partition (-1 when none)."""
        folder = self.root / table / source / f"p{partition:04d}"
        best = -1
        if folder.is_dir():
            for entry in os.scandir(folder):
                match = _FILE.match(entry.name)
                if match:
                    best = max(best, int(match.group(2)))
        return best

    def has_landed(self, table: str) -> bool:
        """Whether any batch of the topic that lands in ``table`` has landed."""
        return any((self.root / table / OwnTable).glob("p*/*.parquet"))

    def read_meta(self, name: str) -> dict[str, Any] | None:
        """The JSON document ``name`` under ``_meta``, or None when there is none."""
        try:
            data: dict[str, Any] = json.loads((self.root / _META / name).read_bytes())
        except FileNotFoundError:
            return None
        return data

    def write_meta(self, name: str, data: dict[str, Any]) -> None:
        """Replace the JSON document ``name`` under ``_meta`` atomically."""
        path = self.root / _META / name
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{name}.{uuid.uuid4().hex}.tmp")
        try:
            tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
            _replace_durably(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def _path(self, table: str, source: str, partition: int, first: int, last: int) -> Path:
        return (
            self.root / table / source / f"p{partition:04d}" / f"{first:020d}-{last:020d}.parquet"
        )

    @staticmethod
    def _write_atomic(path: Path, data: pa.Table) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            pq.write_table(data, tmp, compression="zstd")
            _replace_durably(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)


def _replace_durably(tmp: Path, path: Path) -> None:
    """Rename a written file into place, with its data and the rename both on disk."""
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
