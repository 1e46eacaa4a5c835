"""`antt status` and the endpoint it reads, against a real worker on the real broker."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest

from antt.settings import Settings
from pipelines.worker_process import WorkerProcess, settings_env
from tests import factories as f
from tests.integration.health_io import lag_back_to_zero, wait_for_endpoint
from tests.integration.kafka_io import Producer

pytestmark = pytest.mark.integration


def _status(settings: Settings) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "--data-dir", str(settings.data_dir), "status",
         "--interval", "1"],
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip


def test_status_shows_the_running_worker_with_exact_counts_then_says_none_runs(
    platform: Settings, producer: Producer, worker: WorkerProcess
) -> None:
    endpoint = wait_for_endpoint(platform, worker)
    producer.event("ref.cameras", f.camera_ref("CAM-1"))
    for i in range(6):
        producer.event("camera.events", f.camera_event(f"cam-{i}"))
    producer.event("camera.events", f.camera_event("cam-1"))  # a duplicate: accepted again
    producer.raw("camera.events", b"CAM-1", b"{")
    producer.raw("camera.events", b"CAM-1", b"[]")
    producer.event("camera.events", f.camera_event("cam-9", camera_id="CAM-404"))
    [cameras] = [b for b in worker.wait_until_reconciled(120) if b.topic == "camera.events"]
    assert (cameras.landed, cameras.duplicates, cameras.rejected) == (6, 1, 3)
    lag_back_to_zero(endpoint, after=time.time())

    with urllib.request.urlopen(f"{endpoint.url}/healthz", timeout=5) as health:
        assert (health.status, health.read()) == (200, b"ok: up and landing\n")
    with urllib.request.urlopen(f"{endpoint.url}/metrics", timeout=5) as metrics:
        assert metrics.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        text = metrics.read().decode()
    assert 'antt_events_total{topic="camera.events",outcome="accepted"} 7\n' in text
    assert 'antt_rejections_total{topic="camera.events",reason="malformed_json"} 1\n' in text
    assert 'antt_rejections_total{topic="camera.events",reason="not_an_object"} 1\n' in text
    assert 'antt_rejections_total{topic="camera.events",reason="unknown_camera"} 1\n' in text

    shown = _status(platform)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == (
        f"worker pid {worker.pid} ({endpoint.slot.name}) at {endpoint.url}: ok: up and landing"
    )
    rows = {line.split()[0]: line.split() for line in lines[2:9]}
    # accepted, rejected, alerts, lag, then the last batch's age, events per second.
    assert rows["camera.events"][1:5] == ["7", "3", "0", "0"]
    assert rows["ref.cameras"][1:5] == ["1", "0", "0", "0"]
    assert rows["lodging.checkins"][1:] == ["0", "0", "0", "0", "never", "0.0"]
    assert rows["camera.events"][-1] == "0.0"  # nothing arrived between the two scrapes
    assert lines[9] == "rejections: malformed_json 1, not_an_object 1, unknown_camera 1"
    assert lines[10].startswith("registry: 0 residents; memory: ")

    worker.stop()
    gone = _status(platform)
    assert (gone.returncode, gone.stdout) == (1, "")
    assert gone.stderr == (
        f"antt status: no worker is running on {platform.data_dir} (no live endpoint under "
        f"{platform.worker_state_dir}); start one with `antt worker`\n"
    )
