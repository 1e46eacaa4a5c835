"""Two worker processes on one machine, in one consumer group, on one data folder.

Each gets a state folder of its own (no RocksDB lock to block on), and a watchlist entry added
after both started raises alerts for camera events on partitions owned by BOTH workers: each one
follows every partition of the reference topics, not only the ones the group gave it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import duckdb
import pytest

from antt.settings import Settings
from pipelines.worker_process import WorkerProcess
from tests import factories as f
from tests.integration.kafka_io import Producer, read_topic

pytestmark = pytest.mark.integration

CAMERAS = [f"CAM-{n}" for n in range(1, 10)]
PLATE = "65-B1 234.56"  # the plate of f.watch_entry


def _landed_by(settings: Settings, event_prefix: str) -> dict[str, str]:
    """event_id: the run id (one per worker process) of the worker that landed it."""
    glob = settings.landing_dir / "camera_events" / "**" / "*.parquet"
    rows = duckdb.sql(
        f"SELECT event_id, load_id FROM read_parquet('{glob}') WHERE starts_with(event_id, ?)",
        params=[event_prefix],
    ).fetchall()
    return {event_id: load_id.rsplit("-", 1)[0] for event_id, load_id in rows}


@pytest.fixture
def two_workers(platform: Settings) -> Iterator[list[WorkerProcess]]:
    workers = [WorkerProcess(platform, name=f"worker-{n}") for n in (1, 2)]
    try:
        for w in workers:
            w.start()
        yield workers
    finally:
        for w in workers:
            w.stop()


def test_two_workers_each_own_a_state_folder_and_both_see_a_new_watchlist_entry(
    platform: Settings, producer: Producer, two_workers: list[WorkerProcess]
) -> None:
    partitions = {producer.event("ref.cameras", f.camera_ref(c)).partition for c in CAMERAS}
    # Warm-up rounds until the group has settled with camera partitions on both workers.
    deadline = time.monotonic() + 180
    for round_ in range(1000):
        sent = [
            producer.event(
                "camera.events", f.camera_event(f"warm-{round_}-{c}", camera_id=c, plate=None)
            )
            for c in CAMERAS
        ]
        two_workers[0].wait_until_reconciled(timeout_s=120)
        assert {s.partition for s in sent} == partitions == {0, 1, 2}
        if len(set(_landed_by(platform, f"warm-{round_}-").values())) == 2:
            break
        assert time.monotonic() < deadline, "the two workers never shared camera.events"
        time.sleep(2)
    assert all(w.alive() for w in two_workers)

    holders = sorted(
        int((platform.worker_state_dir / slot / "owner.lock").read_text())
        for slot in ("slot-0", "slot-1")
    )
    assert holders == sorted(w.pid for w in two_workers)

    # Listed after both workers started, on one partition of ref.watchlist: one worker owns it.
    producer.event("ref.watchlist", f.watch_entry("WL-1"))
    hit_partitions = {
        producer.event(
            "camera.events", f.camera_event(f"hit-{c}", camera_id=c, plate=PLATE)
        ).partition
        for c in CAMERAS
    }
    two_workers[0].wait_until_reconciled(timeout_s=120)

    landed_by = _landed_by(platform, "hit-")
    assert len(landed_by) == len(CAMERAS)
    assert len(set(landed_by.values())) == 2, "one worker landed every hit: nothing proven"
    alerts = sorted(
        a["source_event_id"] for a in read_topic(platform, "alerts") if a["entry_id"] == "WL-1"
    )
    assert alerts == sorted(f"hit-{c}" for c in CAMERAS)
    assert hit_partitions == {0, 1, 2}
