"""Compaction on a live platform: the worker keeps landing and a reader keeps querying meanwhile.

The reader must never fail, and never see a count go down or pass what was produced (a row seen
twice); reconcile must balance exactly afterwards, and a restarted worker must resume after the
merged files' offsets.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import warehouse
from antt.settings import Settings
from expectations.run import run_quality
from pipelines.worker_process import WorkerProcess
from tests import factories as f
from tests.integration.kafka_io import Producer
from warehouse.api import INDICATORS
from warehouse.landing.compaction import CompactionPolicy, compact, superseded_files

pytestmark = pytest.mark.integration

CAMERAS = ("CAM-1", "CAM-2", "CAM-3")  # keys spread the events over the partitions
WATCHED = "65-B1 234.56"  # the plate of watchlist entry WL-1
ROUND = 12  # camera messages per round: 9 clean (3 on the watchlist), 3 malformed
ROUND_PAUSE_S = 0.6  # longer than a batch window, so each round lands as files of its own
LONG_GRACE = CompactionPolicy(grace=dt.timedelta(hours=1))
VIEWS = ("landed_camera_events", "landed_rejected", "landed_alerts")


@dataclass
class Produced:
    """What the producer thread has sent so far; read under the lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    rounds: int = 0

    def expected(self) -> dict[str, int]:
        with self.lock:
            return {
                "landed_camera_events": 9 * self.rounds,
                "landed_rejected": 3 * self.rounds,
                "landed_alerts": 3 * self.rounds,
            }


def _send_round(producer: Producer, number: int) -> None:
    for i in range(9):
        plate = WATCHED if i % 3 == 0 else f"51F-{number:03d}.{i:02d}"
        event = f.camera_event(f"r{number}-{i}", camera_id=CAMERAS[i % 3], plate=plate)
        producer.event("camera.events", event)
    for camera in CAMERAS:
        producer.raw("camera.events", camera.encode(), b"{")


def _produce(producer: Producer, produced: Produced, stop: threading.Event) -> None:
    number = produced.rounds
    while not stop.is_set():
        # Counted before sending: a reader may see the round's rows as soon as they are sent.
        with produced.lock:
            produced.rounds += 1
        _send_round(producer, number)
        number += 1
        time.sleep(ROUND_PAUSE_S)


@dataclass
class Reads:
    queries: int = 0
    errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


def _read(root: Path, produced: Produced, stop: threading.Event, reads: Reads) -> None:
    con = warehouse.connect(landing_dir=root)
    last = dict.fromkeys(VIEWS, 0)
    try:
        while not stop.is_set():
            try:
                counts = {
                    v: con.execute(f"select count(*) from {v}").fetchall()[0][0] for v in VIEWS
                }
            except Exception as exc:  # the test's point: nothing may fail here
                reads.errors.append(str(exc))
                return
            ceiling = produced.expected()
            reads.queries += 1
            for view, count in counts.items():
                if count < last[view] or count > ceiling[view]:
                    reads.violations.append(f"{view}: {last[view]} then {count} of {ceiling[view]}")
                last[view] = count
    finally:
        con.close()


def _landed_files(root: Path, table: str) -> dict[str, int]:
    """Landed files per folder of ``table`` (seed not counted)."""
    return {
        str(folder.relative_to(root)): len(list(folder.glob("0*.parquet")))
        for folder in sorted((root / table).glob("*/p*"))
    }


def test_compaction_while_the_worker_lands_and_a_reader_queries(
    platform: Settings, producer: Producer, worker: WorkerProcess
) -> None:
    root = platform.landing_dir
    for camera in CAMERAS:
        producer.event("ref.cameras", f.camera_ref(camera))
    producer.event("ref.watchlist", f.watch_entry("WL-1", value=WATCHED))
    worker.wait_until_reconciled(timeout_s=180)
    produced = Produced()
    for number in range(15):  # each round landed before the next: small files to merge
        produced.rounds += 1
        _send_round(producer, number)
        worker.wait_until_reconciled(timeout_s=180)
    before = sum(_landed_files(root, "camera_events").values())
    assert before >= 15  # one file per round and partition at least

    stop_producing, stop_reading, reads = threading.Event(), threading.Event(), Reads()
    threads = [
        threading.Thread(target=_produce, args=(producer, produced, stop_producing)),
        threading.Thread(target=_read, args=(root, produced, stop_reading, reads)),
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        first = compact(root, LONG_GRACE)
        time.sleep(2)
        second = compact(root, LONG_GRACE)  # merges what landed since; deletes nothing yet
    finally:
        stop_producing.set()
        threads[0].join(timeout=60)
    worker.wait_until_reconciled(timeout_s=180)
    time.sleep(1)  # the reader's last queries see everything landed
    stop_reading.set()
    threads[1].join(timeout=120)

    assert reads.errors == [] and reads.violations == []
    assert reads.queries >= 3
    assert first.written >= 3 and first.deleted == 0 and first.waiting == first.merged
    assert second.deleted == 0
    assert len(superseded_files(root)) == first.merged + second.merged

    # Readers gone: the superseded files go, and the zone is small and still balances exactly.
    final = compact(root, CompactionPolicy(grace=dt.timedelta(0)))
    assert final.deleted == first.merged + second.merged + final.merged and final.waiting == 0
    assert superseded_files(root) == frozenset()
    for folder, count in _landed_files(root, "camera_events").items():
        assert count <= 2, folder  # one merged file and the newest batch
    for folder, count in _landed_files(root, "rejected").items():
        assert count <= 2, folder
    balances = {b.topic: b for b in worker.wait_until_reconciled(timeout_s=60)}
    cameras = balances["camera.events"]
    rounds = produced.rounds
    assert (cameras.produced, cameras.landed, cameras.rejected, cameras.duplicates) == (
        12 * rounds, 9 * rounds, 3 * rounds, 0,
    )  # fmt: skip
    con = warehouse.connect(landing_dir=root)
    try:
        counts = {v: con.execute(f"select count(*) from {v}").fetchall()[0][0] for v in VIEWS}
    finally:
        con.close()
    assert counts == produced.expected()

    # A restarted worker resumes after the merged files' offsets: nothing lands twice.
    worker.stop()
    worker.start()
    _send_round(producer, rounds)
    balances = {b.topic: b for b in worker.wait_until_reconciled(timeout_s=180)}
    cameras = balances["camera.events"]
    assert (cameras.produced, cameras.landed, cameras.rejected, cameras.duplicates) == (
        12 * (rounds + 1), 9 * (rounds + 1), 3 * (rounds + 1), 0,
    )  # fmt: skip


def _indicators(root: Path) -> dict[str, list[str]]:
    """Every indicator view's rows, in a stable order."""
    con = warehouse.connect(landing_dir=root)
    try:
        return {
            name: sorted(repr(row) for row in warehouse.indicator(name, con=con).rows())
            for name in INDICATORS
        }
    finally:
        con.close()


def test_a_compacted_province_reads_the_same_during_and_after_the_grace_period(
    simulated_warehouse: Settings, tmp_path: Path
) -> None:
    deployment = simulated_warehouse.model_copy(update={"data_dir": tmp_path / "antt"})
    shutil.copytree(simulated_warehouse.landing_dir, deployment.landing_dir)
    before = _indicators(deployment.landing_dir)

    waiting = compact(deployment.landing_dir, LONG_GRACE)

    assert waiting.written > 0 and waiting.waiting == waiting.merged > 0
    assert _indicators(deployment.landing_dir) == before
    # The landed-once check is not fooled by the merged rows' second copy.
    assert run_quality(deployment, suite="landing").critical_failures == ()
    done = compact(deployment.landing_dir, CompactionPolicy(grace=dt.timedelta(0)))
    assert (done.deleted, done.waiting) == (waiting.merged + done.merged, 0)
    assert done.files_after == done.files_before - done.deleted + done.written
    assert _indicators(deployment.landing_dir) == before
