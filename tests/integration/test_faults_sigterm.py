"""SIGTERM to a worker under load: it exits within 10 s and commits nothing it did not land.

A backlog of camera events keeps the worker busy landing batch after batch; SIGTERM falls while
it works through them. It finishes or abandons the batch in hand and exits 0 within 10 s; the
group's offsets never pass what landed, and a restart lands the rest, each event once.
"""

from __future__ import annotations

import time

import pytest

from antt.settings import Settings
from pipelines.worker_process import WorkerProcess
from tests import factories as f
from tests.integration.kafka_io import Producer
from tests.integration.scenarios import Landed, balance, committed_past_landed, landed

pytestmark = pytest.mark.integration

EVENTS = 20_000
CAMERAS = [f"CAM-{n}" for n in range(1, 10)]  # their keys fall on all three partitions


def test_sigterm_under_load_exits_within_10_s_and_commits_only_what_landed(
    platform: Settings, producer: Producer
) -> None:
    for camera_id in CAMERAS:
        producer.event("ref.cameras", f.camera_ref(camera_id))
    events = [
        f.camera_event(f"cam-{i}", camera_id=CAMERAS[i % len(CAMERAS)]) for i in range(EVENTS)
    ]
    producer.many("camera.events", events)

    first = WorkerProcess(platform)
    first.start()
    deadline = time.monotonic() + 120
    while landed(platform, "camera_events").rows < EVENTS // 5:
        assert time.monotonic() < deadline, f"the worker landed too little; see {first.log_path}"
        assert first.alive()
        time.sleep(0.05)
    # Killed with SIGKILL (-9) if it has not exited 10 s after SIGTERM.
    assert first.stop(timeout_s=10) == 0
    at_stop = landed(platform, "camera_events")
    assert at_stop.rows < EVENTS, "the backlog was gone before SIGTERM: nothing was in hand"
    assert at_stop == Landed(at_stop.rows, at_stop.rows, at_stop.rows)
    assert committed_past_landed(platform, "camera.events") == {}
    stopped = balance(platform, "camera.events")
    assert (stopped.unlanded, stopped.both, stopped.status) == (0, 0, "lagging")

    second = WorkerProcess(platform, name="second")
    second.start()
    try:
        second.wait_until_reconciled(timeout_s=180)
    finally:
        second.stop()

    assert landed(platform, "camera_events") == Landed(EVENTS, EVENTS, EVENTS)
    camera = balance(platform, "camera.events")
    assert (camera.produced, camera.landed, camera.rejected, camera.duplicates) == (
        EVENTS, EVENTS, 0, 0,
    )  # fmt: skip
