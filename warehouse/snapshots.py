"""The registry snapshot: the population registry's changes and states, folded ahead of queries.

Every query over the registry used to pick one row per change from all 2.6 million landed copies
(a province of a million residents) and fold them per person: about 2 s on two cores. A snapshot
holds, over the files landed when it was written, first_offset's row of every change together
with the person's state after it (``person_states``), in one immutable Parquet file under
``<landing>/_snapshots/registry/``, and beside it the residents' steps per ward and day summed over
those states (``resident_steps``, in ``steps_of(snapshot)``). ``stg_population_updates``,
``fct_resident_states`` and ``ind_crime_periods`` read them and only the copies landed since
(``first_offset_since``, ``resident_state_revisions``), and return the same rows as without them:
a snapshot changes how fast the views answer, never what.

A connection keeps the snapshot it opened with (``pinned``): DuckDB's table functions take only
constant paths, and a query that listed snapshots twice could see a new one in one scan and not
in the other. ``_meta/registry_snapshot.json`` names the newest; the compaction job writes a new
one when enough has landed since (``refresh``) and deletes a replaced one only after a grace
period, so that connections opened before keep working. With no snapshot, or one whose columns
no longer match, a connection pins the zero-row seed and the views read every copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb
import pyarrow.parquet as pq

from warehouse.landing.zone import LandingZone
from warehouse.project import SQL_DIR, render
from warehouse.seeds import create_seed_tables

__all__ = [
    "POINTER",
    "WATERMARKS",
    "WITHOUT_SNAPSHOT",
    "SnapshotPolicy",
    "SnapshotReport",
    "is_seed",
    "pinned",
    "refresh",
    "steps_of",
    "write",
]

POINTER: Final = "registry_snapshot.json"
# A snapshot's watermarks (landed_copies_since), from the snapshot at the query's one parameter.
WATERMARKS: Final = """
    select list({'source_partition': source_partition, 'watermark': watermark})
    from (
        select source_partition, max(source_offset) as watermark
        from read_parquet(?)
        group by source_partition
    )
"""
FOLDER: Final = Path("_snapshots") / "registry"
_SEED_PREFIX: Final = "_seed-"
_STEPS_SUFFIX: Final = ".steps.parquet"
_TABLE: Final = "population_updates"


@dataclass(frozen=True, slots=True)
class SnapshotPolicy:
    """When the compaction job writes a new registry snapshot and drops replaced ones."""

    min_rows: int = 10_000  # copies landed since the current snapshot that call for a new one
    max_age: dt.timedelta = dt.timedelta(hours=24)  # after this, any copy landed since does
    grace: dt.timedelta = dt.timedelta(hours=24)  # a replaced snapshot stays readable this long


@dataclass(frozen=True, slots=True)
class SnapshotReport:
    """What one refresh did."""

    written: Path | None  # the new snapshot, or None when the current one still served
    rows: int  # changes in the snapshot now current
    since: int  # copies landed after the snapshot that was current before the refresh
    deleted: int  # replaced snapshots deleted (their grace period had passed)

    def summary(self) -> str:
        """One line for operators."""
        action = "written" if self.written is not None else "kept"
        return (
            f"registry snapshot {action}: {self.rows:,} changes "
            f"({self.since:,} copies had landed since the previous one), "
            f"{self.deleted:,} replaced snapshot(s) deleted"
        )


# With no snapshot, staging picks from every copy directly: first_offset_since's merge of a
# snapshot with the copies since would only add a pass over every copy.
WITHOUT_SNAPSHOT: Final = """
    create or replace macro first_offset_since(
        snapshot_path, partition_watermarks, landed_table, event_key
    ) as table
        select * from first_offset(landed_table, event_key);
"""


def is_seed(snapshot: Path) -> bool:
    """Whether ``snapshot`` is a zero-row seed (no snapshot could serve)."""
    return snapshot.name.startswith(_SEED_PREFIX)


def steps_of(snapshot: Path) -> Path:
    """The residents' steps written with ``snapshot`` (a seed's too)."""
    return snapshot.with_name(snapshot.stem + _STEPS_SUFFIX)


def pinned(root: Path) -> Path:
    """The snapshot a new connection reads: the newest, or the seed when it cannot serve."""
    fingerprint = _fingerprint(root)
    pointer = LandingZone(root).read_meta(POINTER)
    # A snapshot written by other SQL or over another landed schema would not read the same.
    if pointer is not None and pointer.get("fingerprint") == fingerprint:
        path = root / str(pointer["file"])
        if path.exists() and steps_of(path).exists():
            return path
    return _seed(root, fingerprint)


def write(root: Path, *, now: dt.datetime) -> tuple[Path, int]:
    """Write a snapshot of the registry's files as they are now and make it the newest.

    Returns the snapshot and its row count. The files are listed once, here, and the snapshot
    covers exactly those: a file landed while it is written is read after it, as a copy since.
    """
    zone = LandingZone(root)
    files = _listed(root)
    name = f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.parquet"
    path = root / FOLDER / name
    rows = _write(root, files, path)
    zone.write_meta(
        POINTER,
        {
            "file": str(path.relative_to(root)),
            "written_at": now.isoformat(),
            "rows": rows,
            "files": len(files),
            "fingerprint": _fingerprint(root),
        },
    )
    return path, rows


def refresh(
    root: Path, policy: SnapshotPolicy = SnapshotPolicy(), *, now: dt.datetime
) -> SnapshotReport:
    """Write a new snapshot when enough has landed since the newest; drop expired old ones."""
    current = pinned(root)
    since = _count_since(root, current)
    pointer = LandingZone(root).read_meta(POINTER)
    written_at = dt.datetime.fromisoformat(pointer["written_at"]) if pointer else None
    stale = written_at is None or now - written_at >= policy.max_age
    written: Path | None = None
    if since >= max(policy.min_rows, 1) or (since > 0 and stale):
        written, rows = write(root, now=now)
    else:
        rows = _count(current)
    deleted = _retire(root, now, policy.grace)
    return SnapshotReport(written, rows, since, deleted)


def _fingerprint(root: Path) -> str:
    """What a snapshot's rows depend on besides the data: the SQL and the landed schema."""
    digest = hashlib.sha256()
    digest.update((SQL_DIR / "00_macros" / "macros.sql").read_bytes())
    digest.update(pq.read_schema(root / _TABLE / "_seed.parquet").to_string().encode())
    return digest.hexdigest()[:16]


def _seed(root: Path, fingerprint: str) -> Path:
    """The zero-row snapshot of this fingerprint, written when missing."""
    path = root / FOLDER / f"{_SEED_PREFIX}{fingerprint}.parquet"
    if not (path.exists() and steps_of(path).exists()):
        _write(root, [root / _TABLE / "_seed.parquet"], path)
    return path


def _listed(root: Path) -> list[Path]:
    return sorted((root / _TABLE).rglob("*.parquet"))


def _connect(root: Path, files: list[Path]) -> duckdb.DuckDBPyConnection:
    """DuckDB with the macros, the registry's landed table bound to exactly ``files``."""
    con = _macros(root)
    listed = ", ".join(_quoted(f) for f in files)
    con.execute(
        f"""
        create or replace macro landed_files(landed_table) as table
            select unnest([{listed}]::varchar[]) as file;
        create or replace macro landed_copies(landed_table) as table
            select * from read_parquet(
                [{listed}], union_by_name = true, hive_partitioning = false, filename = true
            );
        """
    ).fetchall()
    return con


def _write(root: Path, files: list[Path], path: Path) -> int:
    """Write the snapshot of ``files`` at ``path``, then its steps: both exist before a pointer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(root, files)
    try:
        # Sorted by person, so that a query folding a few people again reads few row groups.
        _copy(
            con,
            f"""
                with picks as materialized (
                    select * from first_offset('{_TABLE}', event_id)
                ),

                staged as (
                    select * from population_updates_staged('picks')
                )

                select picks.*, states.* exclude (person_key)
                from picks
                inner join person_states('staged') as states
                    on picks.event_id is not distinct from states.population_update_id
                order by picks.person_key, states.state_from_at, picks.source_offset
            """,
            path,
        )
        con.execute(f"create view snapshot_states as select * from read_parquet({_quoted(path)})")
        _copy(
            con,
            "select * from resident_steps('snapshot_states', 1) order by ward_code, step_on",
            steps_of(path),
        )
    finally:
        con.close()
    return _count(path)


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    """Write ``query``'s rows to ``path`` whole or not at all."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    con.execute(f"copy ({query}) to {_quoted(tmp)} (format parquet, compression zstd)").fetchall()
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _count(path: Path) -> int:
    return int(pq.read_metadata(path).num_rows)


def _macros(root: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    create_seed_tables(con)  # the province macros bind the seed tables when created
    con.execute(render(SQL_DIR / "00_macros" / "macros.sql", root)).fetchall()
    return con


def _count_since(root: Path, snapshot: Path) -> int:
    con = _macros(root)
    try:
        row = con.execute(
            f"select count(*) from landed_copies_since(({WATERMARKS}), '{_TABLE}')", [str(snapshot)]
        ).fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def _retire(root: Path, now: dt.datetime, grace: dt.timedelta) -> int:
    """Delete the snapshots replaced more than ``grace`` ago; the newest and the seeds stay."""
    pointer = LandingZone(root).read_meta(POINTER)
    if pointer is None:
        return 0
    newest = root / pointer["file"]
    # Every other snapshot was replaced by the time the newest was written, if not before.
    if now - dt.datetime.fromisoformat(pointer["written_at"]) < grace:
        return 0
    deleted = 0
    for path in (root / FOLDER).glob("*.parquet"):
        if path != newest and not is_seed(path) and not path.name.endswith(_STEPS_SUFFIX):
            # Its steps first: a crash in between leaves a snapshot, deleted on the next run.
            steps_of(path).unlink(missing_ok=True)
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
