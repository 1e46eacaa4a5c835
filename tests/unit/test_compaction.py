"""Compaction on a temporary landing zone: exact file counts, every row once, crash at each step."""

from __future__ import annotations

import datetime as dt
import fcntl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import warehouse
from warehouse.landing import compaction
from warehouse.landing.compaction import CompactionPolicy, compact, superseded_files
from warehouse.landing.schemas import table_schema
from warehouse.landing.zone import LandingZone, OwnTable

AT = dt.datetime(2026, 11, 21, 3, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
NO_GRACE = CompactionPolicy(grace=dt.timedelta(0))
CAMERAS = "camera_events/_/p0000"
REJECTED = "rejected/camera_events/p0000"


def _row(offset: int, **values: Any) -> dict[str, Any]:
    return {
        "source_topic": "camera.events",
        "source_partition": 0,
        "source_offset": offset,
        "load_id": f"load-{offset // 5}",
        "landed_at": AT + dt.timedelta(seconds=offset),
        **values,
    }


def _land_batches(zone: LandingZone, batches: int, size: int = 5) -> None:
    """``batches`` batches of ``size`` events; the last event of each batch is a rejection."""
    for batch in range(batches):
        first, last = batch * size, batch * size + size - 1
        rejected = [_row(last, reason_codes=["malformed_json"], message="not JSON")]
        zone.write("rejected", "camera_events", 0, last, last, rejected)
        accepted = [_row(o, event_id=f"e{o}", kind="person") for o in range(first, last)]
        zone.write("camera_events", OwnTable, 0, first, last, accepted)


def _names(root: Path, folder: str) -> list[str]:
    return sorted(p.name for p in (root / folder).glob("*.parquet"))


def _rows(root: Path, folder: str) -> list[tuple[Any, ...]]:
    """Every row of a folder's files (duplicates kept), in a stable order."""
    table = pa.concat_tables(
        [pq.read_table(p) for p in sorted((root / folder).glob("*.parquet"))],
        promote_options="default",
    )
    return sorted((tuple(row.values()) for row in table.to_pylist()), key=repr)


def _seen(root: Path) -> dict[str, tuple[Any, ...]]:
    """What an analyst reads: count and checksum of every landed view touched here."""
    con = warehouse.connect(landing_dir=root)
    try:
        return {
            view: con.execute(
                f"select count(*), sum(hash(source_offset, load_id, landed_at)) from {view}"
            ).fetchall()[0]
            for view in ("landed_camera_events", "landed_rejected")
        }
    finally:
        con.close()


@pytest.fixture
def zone(tmp_path: Path) -> LandingZone:
    zone = LandingZone(tmp_path / "landing")
    zone.ensure()
    _land_batches(zone, 10)  # offsets 0..49: 10 own files of 4 rows, 10 rejected files of 1
    return zone


def test_small_files_merge_into_one_per_folder_keeping_every_row_once(zone: LandingZone) -> None:
    root = zone.root
    own_before, rejected_before, seen = _rows(root, CAMERAS), _rows(root, REJECTED), _seen(root)

    report = compact(root, NO_GRACE, now=lambda: NOW)

    # The newest own file is the worker's latest batch and stays; the other nine merge.
    assert _names(root, CAMERAS) == [
        "00000000000000000000-00000000000000000044.parquet",
        "00000000000000000045-00000000000000000049.parquet",
    ]
    assert _names(root, REJECTED) == ["00000000000000000004-00000000000000000049.parquet"]
    assert (report.files_before, report.files_after) == (20, 3)
    assert (report.merged, report.written, report.rows, report.deleted) == (19, 2, 46, 19)
    assert report.waiting == 0
    assert _rows(root, CAMERAS) == own_before and len(own_before) == 40
    assert _rows(root, REJECTED) == rejected_before and len(rejected_before) == 10
    assert zone.landed_through("camera_events", OwnTable, 0) == 49
    assert zone.landed_through("rejected", "camera_events", 0) == 49
    assert _seen(root) == seen
    assert (seen["landed_camera_events"][0], seen["landed_rejected"][0]) == (40, 10)


def test_a_second_run_changes_nothing(zone: LandingZone) -> None:
    compact(zone.root, NO_GRACE, now=lambda: NOW)
    files = sorted(p.relative_to(zone.root) for p in zone.root.rglob("*.parquet"))

    report = compact(zone.root, NO_GRACE, now=lambda: NOW)

    assert (report.files_before, report.files_after, report.written, report.deleted) == (3, 3, 0, 0)
    assert sorted(p.relative_to(zone.root) for p in zone.root.rglob("*.parquet")) == files


def test_side_files_above_the_landed_offset_stay_for_a_replay(zone: LandingZone) -> None:
    # A crash after the side files of the batch 50..54 and before its own file.
    zone.write("rejected", "camera_events", 0, 52, 52, [_row(52, message="x")])
    zone.write("rejected", "camera_events", 0, 54, 54, [_row(54, message="y")])

    compact(zone.root, NO_GRACE, now=lambda: NOW)

    assert _names(zone.root, REJECTED) == [
        "00000000000000000004-00000000000000000049.parquet",
        "00000000000000000052-00000000000000000052.parquet",
        "00000000000000000054-00000000000000000054.parquet",
    ]


def test_files_without_rows_merge_and_count_too(zone: LandingZone) -> None:
    # Batches of partition 1 whose events were all rejected: own files with no rows.
    for first in range(0, 12, 3):
        zone.write("camera_events", OwnTable, 1, first, first + 2, [])

    report = compact(zone.root, NO_GRACE)

    assert _names(zone.root, "camera_events/_/p0001") == [
        "00000000000000000000-00000000000000000008.parquet",
        "00000000000000000009-00000000000000000011.parquet",
    ]
    assert (report.merged, report.written, report.rows, report.deleted) == (22, 3, 46, 22)


def test_merged_files_stop_growing_at_the_target_size(zone: LandingZone) -> None:
    report = compact(zone.root, CompactionPolicy(target_rows=9, grace=dt.timedelta(0)))

    # Own files of 4 rows pair up (8 rows; a third would pass 9), the newest stays alone.
    assert _names(zone.root, CAMERAS) == [
        "00000000000000000000-00000000000000000009.parquet",
        "00000000000000000010-00000000000000000019.parquet",
        "00000000000000000020-00000000000000000029.parquet",
        "00000000000000000030-00000000000000000039.parquet",
        "00000000000000000040-00000000000000000044.parquet",
        "00000000000000000045-00000000000000000049.parquet",
    ]
    # Rejected files of 1 row: nine make one file, the tenth is alone and stays.
    assert _names(zone.root, REJECTED) == [
        "00000000000000000004-00000000000000000044.parquet",
        "00000000000000000049-00000000000000000049.parquet",
    ]
    assert (report.merged, report.written) == (8 + 9, 4 + 1)
    # A file already at the target size is left alone by the next run.
    assert compact(zone.root, CompactionPolicy(target_rows=8)).written == 0


def test_rows_stream_through_bounded_row_groups(zone: LandingZone) -> None:
    compact(zone.root, CompactionPolicy(row_group_rows=3, grace=dt.timedelta(0)))

    merged = pq.ParquetFile(zone.root / CAMERAS / _names(zone.root, CAMERAS)[0])
    sizes = [merged.metadata.row_group(i).num_rows for i in range(merged.num_row_groups)]
    assert sum(sizes) == 36 and max(sizes) == 3
    offsets = merged.read(columns=["source_offset"]).column(0).to_pylist()
    assert offsets == [o for o in range(45) if o % 5 != 4]  # offset order


def test_a_column_an_older_file_lacks_reads_as_null(zone: LandingZone) -> None:
    older = table_schema("camera_events").remove(
        table_schema("camera_events").get_field_index("vehicle_type")
    )
    folder = zone.root / "camera_events/_/p0001"
    folder.mkdir(parents=True)
    for first in (0, 3, 6):
        rows = [{**_row(o), "source_partition": 1} for o in range(first, first + 3)]
        path = folder / f"{first:020d}-{first + 2:020d}.parquet"
        pq.write_table(pa.Table.from_pylist(rows, schema=older), path)

    compact(zone.root, NO_GRACE)

    merged = pq.read_table(folder / "00000000000000000000-00000000000000000005.parquet")
    assert merged.schema.equals(table_schema("camera_events"), check_metadata=False)
    assert merged.column("vehicle_type").null_count == 6


def test_superseded_files_stay_readable_for_the_grace_period(zone: LandingZone) -> None:
    seen = _seen(zone.root)
    policy = CompactionPolicy(grace=dt.timedelta(minutes=15))

    first = compact(zone.root, policy, now=lambda: NOW)

    assert (first.files_after, first.deleted, first.waiting) == (22, 0, 19)
    assert len(superseded_files(zone.root)) == 19
    assert _seen(zone.root) == seen  # both copies visible: the views keep one
    early = compact(zone.root, policy, now=lambda: NOW + dt.timedelta(minutes=14))
    assert (early.written, early.deleted, early.waiting) == (0, 0, 19)
    late = compact(zone.root, policy, now=lambda: NOW + dt.timedelta(minutes=15))
    assert (late.files_after, late.written, late.deleted, late.waiting) == (3, 0, 19, 0)
    assert superseded_files(zone.root) == frozenset()
    assert _seen(zone.root) == seen


def _fail_after(monkeypatch: pytest.MonkeyPatch, name: str, calls: int = 1) -> Callable[..., Any]:
    """Make compaction's step ``name`` die right after its ``calls``-th call completes."""
    original = getattr(compaction, name)
    count = 0

    def step(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        result = original(*args, **kwargs)
        count += 1
        if count == calls:
            raise KeyboardInterrupt(f"killed after {name}")
        return result

    monkeypatch.setattr(compaction, name, step)
    return step


@pytest.mark.parametrize(
    ("step", "calls"),
    [
        ("_write_merged", 1),  # the merged file written under its temporary name
        ("_save_journal", 1),  # the journal records it, not yet in place
        ("_place", 1),  # in place; nothing superseded yet
        ("_place", 2),  # the second folder's file in place
        ("_fsync_dir", 3),  # the first superseded files deleted, the journal not yet updated
    ],
)
def test_a_kill_at_any_step_leaves_a_zone_that_reads_the_same(
    zone: LandingZone, monkeypatch: pytest.MonkeyPatch, step: str, calls: int
) -> None:
    seen, own, rejected = _seen(zone.root), _rows(zone.root, CAMERAS), _rows(zone.root, REJECTED)
    expected = LandingZone(zone.root.parent / "clean")
    expected.ensure()
    _land_batches(expected, 10)
    compact(expected.root, NO_GRACE, now=lambda: NOW)

    _fail_after(monkeypatch, step, calls)
    with pytest.raises(KeyboardInterrupt):
        compact(zone.root, NO_GRACE, now=lambda: NOW)
    # A kill leaves the temporary file behind; the raise above already removed it.
    (zone.root / CAMERAS / ".compact-x.parquet.0.tmp").write_bytes(b"partial")

    assert _seen(zone.root) == seen
    assert zone.landed_through("camera_events", OwnTable, 0) == 49
    monkeypatch.undo()
    compact(zone.root, NO_GRACE, now=lambda: NOW)
    assert _seen(zone.root) == seen
    assert _rows(zone.root, CAMERAS) == own and _rows(zone.root, REJECTED) == rejected
    for folder in (CAMERAS, REJECTED):
        assert _names(zone.root, folder) == _names(expected.root, folder)
    assert not list(zone.root.rglob("*.tmp"))
    assert superseded_files(zone.root) == frozenset()


def test_one_run_at_a_time(zone: LandingZone) -> None:
    lock = zone.root / "_meta" / "compaction.lock"
    lock.parent.mkdir(exist_ok=True)
    with open(lock, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(RuntimeError, match="another compaction is running"):
            compact(zone.root, NO_GRACE)
    assert compact(zone.root, NO_GRACE).written == 2


def test_antt_compact_says_files_before_and_after(
    zone: LandingZone, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipelines.cli import main

    assert main(["--data-dir", str(zone.root.parent), "compact", "--grace-minutes", "0"]) == 0

    assert capsys.readouterr().out.splitlines()[-2:] == [
        "landed files 20 → 3: 19 merged into 2 (46 rows), 19 superseded deleted, "
        "0 waiting for the 0-minute grace period",
        "registry snapshot kept: 0 changes (0 copies had landed since the previous one), "
        "0 replaced snapshot(s) deleted",
    ]
