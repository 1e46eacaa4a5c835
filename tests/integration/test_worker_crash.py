"""A worker killed with SIGKILL mid-stream loses nothing and lands nothing twice after a restart."""

from __future__ import annotations

import re
import time

import pytest

import warehouse
from antt.settings import Settings
from pipelines.worker_process import WorkerProcess
from tests import factories as f
from tests.integration.kafka_io import Producer
from tests.integration.scenarios import Landed, balance, landed, landed_past_committed

pytestmark = pytest.mark.integration

EVENTS = 30_000
_SKIPPED = re.compile(r"camera\.events: skipped (\d+) message\(s\) already landed \(replay\)")


def _replayed(worker: WorkerProcess) -> int:
    """Messages the worker skipped as already landed, from its log."""
    return sum(int(n) for n in _SKIPPED.findall(worker.log_path.read_text()))


def test_sigkill_mid_stream_then_restart_lands_every_event_once(platform: Settings) -> None:
    producer = Producer(platform)
    producer.event("ref.cameras", f.camera_ref("CAM-1"))
    producer.many("camera.events", [f.camera_event(f"cam-{i}") for i in range(EVENTS)])
    producer.close()
    # Small batches, so the kill falls between many landed batches and some uncommitted ones.
    settings = platform.model_copy(update={"batch_max": 500})

    first = WorkerProcess(settings)
    first.start()
    deadline = time.monotonic() + 120
    while not landed(settings, "camera_events").rows:
        assert time.monotonic() < deadline, "the worker landed nothing"
        time.sleep(0.05)
    # An analyst's connection opened before the crash keeps working across it and the restart.
    # Opened before the wait for the moment to kill: opening it takes long enough for the
    # commits to catch up with the landing, and the kill must follow that moment at once.
    analyst = warehouse.connect(settings)
    # Kill once a quarter has landed, at a moment when some landed batch is not yet committed,
    # so that the restart must replay it and skip it.
    while not (
        landed(settings, "camera_events").rows >= EVENTS // 4
        and landed_past_committed(settings, "camera.events")
    ):
        assert time.monotonic() < deadline, "the worker landed too little before the kill"
        assert first.alive()
        time.sleep(0.05)
    first.kill()
    landed_before_restart = landed(settings, "camera_events").rows
    assert 0 < landed_before_restart < EVENTS
    seen_before = analyst.sql("SELECT count(*) FROM stg_camera_events").fetchall()[0][0]
    assert seen_before == landed_before_restart

    second = WorkerProcess(settings, name="second")
    second.start()
    try:
        second.wait_until_reconciled(timeout_s=180)
    finally:
        second.stop()

    # The replay skip really ran: the restart was handed offsets that had landed already.
    assert _replayed(second) > 0
    assert analyst.sql("SELECT count(*) FROM stg_camera_events").fetchall()[0][0] == EVENTS
    analyst.close()

    assert landed(settings, "camera_events") == Landed(EVENTS, EVENTS, EVENTS)
    camera = balance(settings, "camera.events")
    assert (camera.produced, camera.landed, camera.rejected, camera.duplicates) == (
        EVENTS, EVENTS, 0, 0,
    )  # fmt: skip
