"""Landing-zone compaction: many small landed files of a partition become a few large ones.

The worker lands one file per batch, so a partition collects thousands of small files and every
query lists and opens all of them. Compaction merges runs of small files of one table, source and
partition (in offset order) into one file named ``<first>-<last>.parquet`` after the run's lowest
and highest offsets, so ``LandingZone.landed_through`` reads the same before and after. Rows are
copied as they are, lineage included: every row of the run appears exactly once in the merged
file, and the views, which keep the first landed copy of each source offset, return the same
rows whether they see the small files, the merged file or both.

What it never touches:

- the newest file of each own-table partition: it is the worker's latest batch, the one a replay
  after a crash would land again;
- side files (``rejected``, ``alerts``) above the offset their topic's own table has landed: a
  crash between a side file and its batch's own file lands that range again;
- files already at the target size, and files a previous run has superseded.

Each merged file goes through these steps, and a crash between any two leaves a zone that reads
the same: (1) written under a ``.compact-*.tmp`` name, which no view glob matches, and fsynced;
(2) recorded in the journal ``_meta/compaction.json`` with the files it supersedes; (3) linked
into place under its final name (a link never replaces an existing file), the folder fsynced.
The superseded files stay where they are for a grace period while the merged file carries the
same rows (the views' dedup makes the overlap invisible), and are deleted by the first run after
it. A run starts by finishing what a crashed run left: a journal entry whose merged file is not in
place is dropped (its files stay live), leftover temporary files are removed.

Readers list files by glob when a query starts and open them while it runs, so a query that is
running at the instant a superseded file is deleted, and listed it, fails with "Cannot open file"
and succeeds when run again. Deletions happen once per run, in one short burst, only after the
grace period; ``docs/operations.md`` says how to schedule runs.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.landing.schemas import TABLES, table_schema
from warehouse.landing.zone import LandingZone, OwnTable, offset_range

__all__ = [
    "CompactionPolicy",
    "CompactionReport",
    "compact",
    "superseded_files",
]

log = logging.getLogger(__name__)

JOURNAL: Final = "compaction.json"
_LOCK: Final = "compaction.lock"
_TMP_PREFIX: Final = ".compact-"

Progress = Callable[[int, int, str], None]  # (folders done, folders in all, table)


@dataclass(frozen=True, slots=True)
class CompactionPolicy:
    """How large merged files grow and how long superseded files stay readable."""

    target_rows: int = 1_000_000  # a run stops growing here; files this large are left alone
    row_group_rows: int = 128 * 1024  # bounds memory: one row group is buffered at a time
    grace: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class CompactionReport:
    """What one run did; file counts are of landed files (seeds not counted)."""

    files_before: int
    files_after: int
    merged: int  # small files merged in this run
    written: int  # merged files written in this run
    rows: int  # rows copied into the merged files
    deleted: int  # superseded files deleted (their grace period had passed)
    waiting: int  # superseded files still within their grace period

    def summary(self, grace: dt.timedelta) -> str:
        """One line for operators."""
        minutes = grace.total_seconds() / 60
        return (
            f"landed files {self.files_before:,} → {self.files_after:,}: "
            f"{self.merged:,} merged into {self.written:,} ({self.rows:,} rows), "
            f"{self.deleted:,} superseded deleted, {self.waiting:,} waiting for the "
            f"{minutes:g}-minute grace period"
        )


@dataclass(frozen=True, slots=True)
class _Landed:
    path: Path
    first: int
    last: int
    metadata: pq.FileMetaData  # the footer, read once

    @property
    def rows(self) -> int:
        return int(self.metadata.num_rows)


def compact(
    root: Path,
    policy: CompactionPolicy = CompactionPolicy(),
    *,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    progress: Progress | None = None,
) -> CompactionReport:
    """Merge the small files of every table, source and partition under ``root``.

    Idempotent: a second run with nothing new landed writes nothing. One run at a time per zone
    (a lock file under ``_meta``); a second concurrent run raises at once.
    """
    zone = LandingZone(root)
    with _locked(root):
        _recover(zone)
        before = _count_landed(root)
        deleted = _retire(zone, now(), policy.grace)
        waiting = superseded_files(root)
        folders = [(t, folder) for t in TABLES for folder in sorted((root / t).glob("*/p*"))]
        merged = written = rows = 0
        # One folder at a time: only its files' footers are held in memory.
        for done, (table, folder) in enumerate(folders, start=1):
            files = [f for f in _landed(folder) if f.path not in waiting]
            for run in _runs(_settled(zone, folder, files), policy.target_rows):
                placed = _merge(zone, table, run, policy, now())
                if placed is not None:  # a run of empty files is placed with 0 rows
                    merged, written, rows = merged + len(run), written + 1, rows + placed
            if progress is not None:
                progress(done, len(folders), table)
        deleted += _retire(zone, now(), policy.grace)
        left = sum(len(entry["superseded"]) for entry in _journal(zone))
        return CompactionReport(before, _count_landed(root), merged, written, rows, deleted, left)


def superseded_files(root: Path) -> frozenset[Path]:
    """Files a merged file already carries, waiting for their grace period to end."""
    zone = LandingZone(root)
    return frozenset(root / rel for entry in _journal(zone) for rel in entry["superseded"])


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    path = root / "_meta" / _LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another compaction is running on {root}") from None
        yield


def _journal(zone: LandingZone) -> list[dict[str, Any]]:
    data = zone.read_meta(JOURNAL) or {}
    pending: list[dict[str, Any]] = data.get("pending", [])
    return pending


def _save_journal(zone: LandingZone, pending: list[dict[str, Any]]) -> None:
    zone.write_meta(JOURNAL, {"pending": pending})


def _recover(zone: LandingZone) -> None:
    """Undo what a run that died half-way left: unplaced entries, temporary files."""
    pending = _journal(zone)
    placed = [entry for entry in pending if _is_placed(zone.root, entry)]
    if len(placed) != len(pending):
        _save_journal(zone, placed)
    for folder, _, names in os.walk(zone.root):
        for name in names:
            if name.startswith(_TMP_PREFIX):
                (Path(folder) / name).unlink(missing_ok=True)


def _is_placed(root: Path, entry: dict[str, Any]) -> bool:
    try:
        size = (root / entry["merged"]).stat().st_size
    except FileNotFoundError:
        return False
    return bool(size == entry["bytes"])


def _retire(zone: LandingZone, now: dt.datetime, grace: dt.timedelta) -> int:
    """Delete the superseded files whose grace period has passed; the journal entry goes last."""
    pending = _journal(zone)
    due = [e for e in pending if now - dt.datetime.fromisoformat(e["placed_at"]) >= grace]
    deleted = 0
    for entry in due:
        folders = set()
        for rel in entry["superseded"]:
            path = zone.root / rel
            if path.exists():
                path.unlink()
                deleted += 1
            folders.add(path.parent)
        for folder in folders:
            _fsync_dir(folder)
        pending = [e for e in pending if e is not entry]
        _save_journal(zone, pending)
    return deleted


def _landed(folder: Path) -> list[_Landed]:
    files = []
    for entry in os.scandir(folder):
        offsets = offset_range(entry.name)
        if offsets is not None:
            path = Path(entry.path)
            files.append(_Landed(path, *offsets, pq.read_metadata(path)))
    return sorted(files, key=lambda f: (f.first, f.last))


def _settled(zone: LandingZone, folder: Path, files: list[_Landed]) -> list[_Landed]:
    """The files no replay can land again (see the module docstring)."""
    source, partition = folder.parent.name, int(folder.name.removeprefix("p"))
    if source == OwnTable:
        newest = max(files, key=lambda f: (f.last, f.first), default=None)
        return [f for f in files if f is not newest]
    confirmed = zone.landed_through(source, OwnTable, partition)
    return [f for f in files if f.last <= confirmed]


def _runs(files: list[_Landed], target_rows: int) -> Iterator[list[_Landed]]:
    run: list[_Landed] = []
    rows = 0
    for landed in files:
        if landed.rows >= target_rows or (run and rows + landed.rows > target_rows):
            if len(run) > 1:
                yield run
            run, rows = [], 0
        if landed.rows < target_rows:
            run.append(landed)
            rows += landed.rows
    if len(run) > 1:
        yield run


def _merge(
    zone: LandingZone, table: str, run: list[_Landed], policy: CompactionPolicy, at: dt.datetime
) -> int | None:
    """Write, record and place one merged file; the rows it holds (None when its name was taken)."""
    folder = run[0].path.parent
    final = folder / f"{run[0].first:020d}-{max(f.last for f in run):020d}.parquet"
    if final.exists():  # a file of the run already has the merged range's name
        return None
    tmp = folder / f"{_TMP_PREFIX}{final.name}.{uuid.uuid4().hex}.tmp"
    try:
        rows = _write_merged(table, run, tmp, policy.row_group_rows)
        entry = {
            "merged": str(final.relative_to(zone.root)),
            "bytes": tmp.stat().st_size,
            "superseded": [str(f.path.relative_to(zone.root)) for f in run],
            "placed_at": at.isoformat(),
        }
        pending = _journal(zone)
        _save_journal(zone, [*pending, entry])
        if not _place(tmp, final):
            _save_journal(zone, pending)
            return None
        return rows
    finally:
        tmp.unlink(missing_ok=True)


def _write_merged(table: str, run: list[_Landed], tmp: Path, row_group_rows: int) -> int:
    """Stream the run's rows into ``tmp``, one row group at a time, and fsync it."""
    try:
        schemas = [f.metadata.schema.to_arrow_schema() for f in run]
        schema = pa.unify_schemas([table_schema(table), *schemas])
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise RuntimeError(f"cannot merge the files of {run[0].path.parent}: {exc}") from exc
    expected = sum(f.rows for f in run)
    written = 0
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        buffer: list[pa.RecordBatch] = []
        buffered = 0
        for landed in run:
            source = pq.ParquetFile(landed.path, metadata=landed.metadata)
            for batch in source.iter_batches(batch_size=row_group_rows):
                buffer.append(_conform(batch, schema))
                buffered += batch.num_rows
                if buffered >= row_group_rows:
                    writer.write_table(pa.Table.from_batches(buffer, schema), row_group_rows)
                    written, buffer, buffered = written + buffered, [], 0
        if buffer:
            writer.write_table(pa.Table.from_batches(buffer, schema), row_group_rows)
            written += buffered
    if written != expected or pq.read_metadata(tmp).num_rows != expected:
        raise RuntimeError(f"merging {run[0].path.parent} wrote {written} of {expected} rows")
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    return written


def _conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """The batch with the merged file's columns: a column an older file lacks is NULL."""
    names = batch.schema.names
    columns = [
        batch.column(field.name) if field.name in names else pa.nulls(batch.num_rows, field.type)
        for field in schema
    ]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _place(tmp: Path, final: Path) -> bool:
    """Link ``tmp`` in as ``final`` unless that name exists; the link is on disk on return."""
    try:
        os.link(tmp, final)
    except FileExistsError:
        return False
    _fsync_dir(final.parent)
    return True


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _count_landed(root: Path) -> int:
    return sum(
        1
        for table in TABLES
        for folder in (root / table).glob("*/p*")
        for entry in os.scandir(folder)
        if offset_range(entry.name) is not None
    )
