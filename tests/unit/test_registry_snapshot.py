"""The registry snapshot (warehouse/snapshots.py): the registry's views read the same rows with
and without it, whatever landed after it; and when compaction writes and drops snapshots."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from warehouse import connect, snapshots
from warehouse.landing.compaction import CompactionPolicy, compact
from warehouse.landing.zone import LandingZone, OwnTable

UTC = dt.UTC
TOPIC = "population.updates"
CHANGES = ("registered", "moved", "id_card_issued", "vneid_activated", "removed")
VIEWS = (
    "stg_population_updates",
    "fct_resident_states",
    "fct_residents",
    "ind_project06_coverage",
    "ind_crime_periods",
)
AS_OF = (dt.date(2024, 3, 31), dt.date(2024, 12, 14), dt.date(2025, 6, 30))
NOW = dt.datetime(2025, 7, 1, tzinfo=UTC)


class Registry:
    """Lands random registry changes as workers would, with every kind of copy they can leave."""

    def __init__(self, root: Path, seed: int, wards: list[str]) -> None:
        self.zone = LandingZone(root)
        self.zone.ensure()
        self.rng = random.Random(seed)
        self.wards = wards
        # A NULL person too: the views must treat it as the same one, snapshot or not.
        self.people: list[str | None] = [*(f"{n:064x}" for n in range(1, 41)), None]
        self.next_offset = {0: 0, 1: 0, 2: 0}
        self.sent: list[dict[str, Any]] = []  # every record sent, for retries and replays
        self.landed_files: list[tuple[int, int, int, list[dict[str, Any]]]] = []
        self.loads = 0

    def change(self, person: str | None, occurred_at: dt.datetime) -> dict[str, Any]:
        kind = self.rng.choice(CHANGES)
        return {
            "event_id": f"ev-{len(self.sent)}-{self.rng.random():.6f}",
            "occurred_at": occurred_at,
            "change": kind,
            "person_key": person,
            "birth_date": self.rng.choice([None, dt.date(1950 + self.rng.randrange(70), 1, 1)]),
            "sex": self.rng.choice([None, "male", "female"]),
            "birth_province_code": None,
            "ward_code": self.rng.choice(self.wards) if kind in ("registered", "moved") else None,
            "residence": self.rng.choice(["permanent", "temporary"]),
            "vneid_level": self.rng.choice([1, 2]) if kind == "vneid_activated" else None,
        }

    def instant(self, first: dt.datetime, last: dt.datetime) -> dt.datetime:
        seconds = int((last - first).total_seconds())
        # Whole hours, so that one person's changes often share a day or even an instant.
        return first + dt.timedelta(hours=self.rng.randrange(seconds // 3600))

    def land_batch(self, records: list[dict[str, Any]], partition: int) -> None:
        """Send ``records`` to a partition and land them as one file (the worker's batch)."""
        first = self.next_offset[partition]
        self.loads += 1
        stamped = [
            {
                **record,
                "source_topic": TOPIC,
                "source_partition": partition,
                "source_offset": first + i,
                "load_id": f"load-{self.loads:04d}",
                "landed_at": NOW + dt.timedelta(seconds=self.loads),
            }
            for i, record in enumerate(records)
        ]
        self.next_offset[partition] = first + len(records)
        self.sent.extend(stamped)
        self._write(partition, first, first + len(records) - 1, stamped)

    def replay(self, partition: int) -> None:
        """A crash between landing and committing: a landed range lands again, later."""
        landed = [f for f in self.landed_files if f[0] == partition]
        if not landed:
            return
        _, first, last, rows = self.rng.choice(landed)
        self.loads += 1
        again = [
            {
                **row,
                "load_id": f"load-{self.loads:04d}",
                "landed_at": NOW + dt.timedelta(seconds=self.loads),
            }
            for row in rows
        ]
        # Under another name than the original, as a replay's batch boundaries differ.
        self._write(partition, first, last + 1_000_000, again)

    def retry(self, count: int) -> list[dict[str, Any]]:
        """A producer retry: records sent again, each under a new offset, any partition."""
        picked = self.rng.sample(self.sent, min(count, len(self.sent)))
        return [
            {k: v for k, v in row.items() if not k.startswith(("source_", "load", "landed"))}
            for row in picked
        ]

    def _write(self, partition: int, first: int, last: int, rows: list[dict[str, Any]]) -> None:
        self.zone.write("population_updates", OwnTable, partition, first, last, rows)
        self.landed_files.append((partition, first, last, rows))

    def land_history(self, first: dt.datetime, last: dt.datetime, batches: int) -> None:
        for _ in range(batches):
            partition = self.rng.randrange(3)
            records = [
                self.change(self.rng.choice(self.people), self.instant(first, last))
                for _ in range(self.rng.randrange(1, 12))
            ]
            if self.rng.random() < 0.3:
                records += self.retry(self.rng.randrange(1, 4))
            if self.rng.random() < 0.2 and records:  # two changes of one person at one instant
                twin = dict(self.change(records[0]["person_key"], records[0]["occurred_at"]))
                records.append(twin)
            self.rng.shuffle(records)
            self.land_batch(records, partition)
            if self.rng.random() < 0.15:
                self.replay(self.rng.randrange(3))


@pytest.fixture(scope="module")
def wards(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    con = connect(landing_dir=tmp_path_factory.mktemp("wards"))
    try:
        rows = con.execute("select ward_code from province_wards() order by 1 limit 3").fetchall()
    finally:
        con.close()
    return [str(code) for (code,) in rows]


def _read(root: Path) -> dict[tuple[str, dt.date], list[tuple[Any, ...]]]:
    con = connect(landing_dir=root)
    try:
        read = {}
        for as_of in AS_OF:
            con.execute("SET VARIABLE as_of = ?", [as_of]).fetchall()
            for view in VIEWS:
                read[view, as_of] = con.execute(f"select * from {view} order by all").fetchall()
        return read
    finally:
        con.close()


def _without_snapshot(root: Path, copy: Path) -> Path:
    shutil.copytree(root, copy)
    (copy / "_meta" / snapshots.POINTER).unlink()
    return copy


@pytest.fixture(params=[1, 2, 3, 4])
def registry(
    request: pytest.FixtureRequest, tmp_path: Path, wards: list[str]
) -> Iterator[Registry]:
    """Four random histories."""
    yield Registry(tmp_path / "landing", request.param, wards)


@pytest.fixture
def small(tmp_path: Path, wards: list[str]) -> Iterator[Registry]:
    """A registry landed by hand."""
    yield Registry(tmp_path / "landing", 0, wards)


def test_the_views_read_the_same_with_a_snapshot_as_without(
    registry: Registry, tmp_path: Path
) -> None:
    early, late = dt.datetime(2023, 1, 1, tzinfo=UTC), dt.datetime(2025, 6, 1, tzinfo=UTC)
    registry.land_history(early, late, batches=25)
    path, rows = snapshots.write(registry.zone.root, now=NOW)
    assert snapshots.pinned(registry.zone.root) == path and rows > 0
    # After it: new changes, changes that occurred long before, retries of what it holds, and
    # replays of ranges it holds; then compaction merges the small files across its watermarks.
    registry.land_history(early, late, batches=15)
    registry.replay(0)
    registry.replay(1)
    for read_after in ("landed", "compacted"):
        if read_after == "compacted":
            compact(registry.zone.root, CompactionPolicy(grace=dt.timedelta(0)))
        baseline = _read(_without_snapshot(registry.zone.root, tmp_path / f"plain-{read_after}"))
        assert _read(registry.zone.root) == baseline, read_after
        assert baseline["fct_residents", AS_OF[-1]], "the random history left nobody registered"


def test_copies_at_or_below_a_watermark_are_not_read_again(registry: Registry) -> None:
    first = dt.datetime(2024, 1, 1, tzinfo=UTC)
    registry.land_history(first, first + dt.timedelta(days=300), batches=6)
    snapshots.write(registry.zone.root, now=NOW)
    for partition in range(3):  # replays of ranges the snapshot holds, in files named above it
        registry.replay(partition)
    registry.land_batch([registry.change(registry.people[0], first)], partition=1)
    con = connect(landing_dir=registry.zone.root)
    try:
        since = con.execute(
            "select source_partition, source_offset from landed_copies_since("
            "getvariable('registry_watermarks'), 'population_updates')"
        ).fetchall()
    finally:
        con.close()
    assert since == [(1, registry.next_offset[1] - 1)]


def test_refresh_writes_when_enough_has_landed_and_drops_replaced_ones_after_grace(
    small: Registry,
) -> None:
    registry, root = small, small.zone.root
    policy = snapshots.SnapshotPolicy(min_rows=5, grace=dt.timedelta(hours=1))
    person, day = registry.people[0], dt.datetime(2024, 5, 1, tzinfo=UTC)
    registry.land_batch([registry.change(person, day) for _ in range(3)], partition=0)

    first = snapshots.refresh(root, policy, now=NOW)  # none yet: any copy calls for one
    assert (first.rows, first.since, first.deleted) == (3, 3, 0) and first.written is not None

    registry.land_batch([registry.change(person, day) for _ in range(4)], partition=2)
    kept = snapshots.refresh(root, policy, now=NOW + dt.timedelta(minutes=5))
    assert (kept.written, kept.rows, kept.since) == (None, 3, 4)
    assert snapshots.pinned(root) == first.written

    registry.land_batch([registry.change(person, day)], partition=1)
    second = snapshots.refresh(root, policy, now=NOW + dt.timedelta(minutes=10))
    assert (second.rows, second.since, second.deleted) == (8, 5, 0)
    assert second.written is not None and first.written.exists()  # within its grace period

    later = snapshots.refresh(root, policy, now=NOW + dt.timedelta(hours=2))
    assert (later.written, later.since, later.deleted) == (None, 0, 1)
    assert not first.written.exists() and snapshots.pinned(root) == second.written
    # Each snapshot with its residents' steps: the replaced one's go with it.
    left = {p.name for p in second.written.parent.glob("*.parquet") if not snapshots.is_seed(p)}
    assert left == {second.written.name, snapshots.steps_of(second.written).name}


def test_a_snapshot_written_by_other_sql_is_not_read(small: Registry) -> None:
    registry, root = small, small.zone.root
    registry.land_batch([registry.change(registry.people[0], NOW)], partition=0)
    path, _ = snapshots.write(root, now=NOW)
    pointer = registry.zone.read_meta(snapshots.POINTER) or {}
    registry.zone.write_meta(snapshots.POINTER, {**pointer, "fingerprint": "older"})
    seed = snapshots.pinned(root)
    assert seed != path and seed.name.startswith("_seed-")
    con = connect(landing_dir=root)
    try:
        assert con.execute("select count(*) from stg_population_updates").fetchone() == (1,)
    finally:
        con.close()
