"""A worker killed with SIGKILL mid-stream loses nothing and lands nothing twice after a restart."""

from __future__ import annotations

import time

import duckdb
import pytest

import warehouse
from antt.settings import Settings
from pipelines.reconcile import reconcile
from pipelines.worker_process import WorkerProcess
from tests import factories as f
from tests.integration.kafka_io import Producer

pytestmark = pytest.mark.integration

EVENTS = 30_000


def _landed_rows(settings: Settings) -> int:
    if not (settings.landing_dir / "camera_events").is_dir():
        return 0
    glob = settings.landing_dir / "camera_events" / "**" / "*.parquet"
    return int(duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}')").fetchall()[0][0])


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
    while _landed_rows(settings) < EVENTS // 4:
        assert time.monotonic() < deadline, "the worker landed too little before the kill"
        assert first.alive()
        time.sleep(0.2)
    # An analyst's connection opened before the crash keeps working across it and the restart.
    analyst = warehouse.connect(settings)
    first.kill()
    landed_before_restart = _landed_rows(settings)
    assert 0 < landed_before_restart < EVENTS
    seen_before = analyst.sql("SELECT count(*) FROM stg_camera_events").fetchall()[0][0]
    assert seen_before == landed_before_restart

    second = WorkerProcess(settings)
    second.start()
    try:
        second.wait_until_reconciled(timeout_s=180)
    finally:
        second.stop()

    assert analyst.sql("SELECT count(*) FROM stg_camera_events").fetchall()[0][0] == EVENTS
    analyst.close()

    glob = settings.landing_dir / "camera_events" / "**" / "*.parquet"
    rows, offsets, events = duckdb.sql(
        "SELECT count(*), count(DISTINCT (source_partition, source_offset)), "
        f"count(DISTINCT event_id) FROM read_parquet('{glob}')"
    ).fetchall()[0]
    assert (rows, offsets, events) == (EVENTS, EVENTS, EVENTS)
    camera = next(b for b in reconcile(settings) if b.topic == "camera.events")
    assert (camera.produced, camera.landed, camera.rejected, camera.duplicates) == (
        EVENTS, EVENTS, 0, 0,
    )  # fmt: skip
