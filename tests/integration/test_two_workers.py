"""Two worker processes on one machine, in one consumer group, on one data folder.

Each gets a state folder of its own (no RocksDB lock to block on), and a watchlist entry added
after both started raises alerts for camera events on partitions owned by BOTH workers: each one
follows every partition of the reference topics, not only the ones the group gave it.
"""

from __future__ import annotations

import pytest

from antt.settings import Settings
from pipelines.worker_process import WorkerProcess
from tests import factories as f
from tests.integration.kafka_io import Producer, read_topic
from tests.integration.scenarios import landed_by, share_camera_partitions

pytestmark = pytest.mark.integration

CAMERAS = [f"CAM-{n}" for n in range(1, 10)]
PLATE = "65-B1 234.56"  # the plate of f.watch_entry


def test_two_workers_each_own_a_state_folder_and_both_see_a_new_watchlist_entry(
    platform: Settings, producer: Producer, two_workers: list[WorkerProcess]
) -> None:
    for c in CAMERAS:
        producer.event("ref.cameras", f.camera_ref(c))
    share_camera_partitions(producer, two_workers, CAMERAS)
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

    landers = landed_by(platform, "camera_events", "hit-")
    assert len(landers) == len(CAMERAS)
    assert len({run for run, _ in landers.values()}) == 2, "one worker landed every hit"
    alerts = sorted(
        a["source_event_id"] for a in read_topic(platform, "alerts") if a["entry_id"] == "WL-1"
    )
    assert alerts == sorted(f"hit-{c}" for c in CAMERAS)
    assert hit_partitions == {0, 1, 2}
