"""`antt reconcile` on real files and a real broker: a real mismatch fails; compaction is no gap."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from antt.settings import Settings
from pipelines.reconcile import reconcile
from pipelines.topics import topic_offsets
from pipelines.worker_process import WorkerProcess, settings_env
from tests import factories as f
from tests.conftest import REPO
from tests.integration.kafka_io import Producer, read_topic
from tests.integration.scenarios import land_camera_events

pytestmark = pytest.mark.integration


def _antt_reconcile(settings: Settings) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "reconcile"],
        env=settings_env(settings),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_committed_offsets_missing_from_the_landing_zone_are_a_mismatch_not_lag(
    platform: Settings, producer: Producer, worker: WorkerProcess
) -> None:
    land_camera_events(producer, worker, 20)
    worker.stop()
    assert _antt_reconcile(platform).returncode == 0

    # Three more events nobody processes (lag), and one landed batch lost from the disk.
    for i in range(3):
        producer.event("camera.events", f.camera_event(f"late-{i}"))
    files = (platform.landing_dir / "camera_events" / "_").glob("p*/*.parquet")
    rows = {p: int(duckdb.sql(f"SELECT count(*) FROM '{p}'").fetchall()[0][0]) for p in files}
    lost = max(rows, key=rows.__getitem__)
    lost_rows = rows[lost]
    assert lost_rows > 0
    lost.unlink()

    result = _antt_reconcile(platform)
    assert result.returncode == 1
    camera = next(b for b in reconcile(platform) if b.topic == "camera.events")
    assert (camera.produced, camera.landed, camera.lag, camera.unlanded) == (
        23, 20 - lost_rows, 3, lost_rows,
    )  # fmt: skip
    assert camera.status == "mismatch"
    line = next(x for x in result.stdout.splitlines() if x.startswith("camera.events"))
    assert line.split() == ["camera.events", "23", str(20 - lost_rows), "0", "0", "3",
                            str(lost_rows), "mismatch"]  # fmt: skip
    assert "reconcile FAILED for: camera.events" in result.stderr


def _compact_quickly(settings: Settings, topic: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    try:
        configs = {"segment.ms": "100", "min.cleanable.dirty.ratio": "0.001",
                   "delete.retention.ms": "100", "min.compaction.lag.ms": "0"}  # fmt: skip
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs=configs)])
    finally:
        admin.close()


def test_a_compacted_topic_counts_the_records_it_holds(
    platform: Settings, producer: Producer
) -> None:
    _compact_quickly(platform, "ref.cameras")
    for version in range(6):
        producer.event("ref.cameras", f.camera_ref("CAM-1", name=f"v{version}"))
        time.sleep(0.2)  # each version in a segment of its own, ready to be cleaned
    deadline = time.monotonic() + 120
    while True:
        # Each new record rolls the segment, so the cleaner can drop the older versions.
        producer.event("ref.cameras", f.camera_ref("CAM-2"))
        offsets = topic_offsets(platform, ["ref.cameras"])["ref.cameras"]
        span = sum(end - start for start, end in offsets.values())
        held = len(read_topic(platform, "ref.cameras"))
        if held < span:
            break
        assert time.monotonic() < deadline, "Kafka did not compact ref.cameras"
        time.sleep(2)

    worker = WorkerProcess(platform)
    worker.start()
    try:
        balances = worker.wait_until_reconciled(timeout_s=120)
    finally:
        worker.stop()
    cameras = next(b for b in balances if b.topic == "ref.cameras")
    # end − earliest would count the versions compaction removed before the worker read them.
    assert cameras.status == "ok"
    assert cameras.produced == cameras.landed <= held < span
    assert _antt_reconcile(platform).returncode == 0
