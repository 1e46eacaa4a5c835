"""A worker that cannot finish a batch ends loudly (exit 75) and commits nothing it did not land.

The cause is real: a reference topic deleted under a running worker, so the batch's reference
catch-up can never finish. Today's code waited 60 s, then Faust restarted the agent, which landed
and committed nothing more while the process stayed up; SIGTERM then hung.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from kafka import KafkaAdminClient
from pydantic import SecretStr

from antt.settings import Settings
from pipelines.topics import group_offsets
from pipelines.worker_process import WorkerProcess
from tests import factories as f
from tests.conftest import _reset_topics
from tests.integration.kafka_io import Producer
from tests.integration.scenarios import land_camera_events, wait_for_exit
from warehouse.landing.zone import LandingZone, OwnTable

pytestmark = pytest.mark.integration


def _delete_topic(settings: Settings, name: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    try:
        admin.delete_topics([name], timeout_ms=30_000)
        deadline = time.monotonic() + 60
        while name in admin.list_topics():
            assert time.monotonic() < deadline, f"{name} was not deleted"
            time.sleep(0.2)
    finally:
        admin.close()


@contextmanager
def _stuck_worker(
    platform: Settings, producer: Producer, reference_timeout_s: float
) -> Iterator[tuple[Settings, WorkerProcess, int]]:
    """A worker with landed events, then a batch whose reference catch-up cannot finish.

    Yields the settings, the worker and the offset of the stuck event.
    """
    settings = platform.model_copy(update={"reference_timeout_s": reference_timeout_s})
    worker = WorkerProcess(settings)
    worker.start()
    try:
        land_camera_events(producer, worker, 5)
        _delete_topic(settings, "ref.facilities")
        stuck = producer.event("camera.events", f.camera_event("cam-stuck"))
        yield settings, worker, stuck.offset
    finally:
        worker.stop()


def test_a_batch_that_cannot_be_cleaned_ends_the_worker_with_75(
    platform: Settings, producer: Producer
) -> None:
    with _stuck_worker(platform, producer, reference_timeout_s=5) as (settings, worker, offset):
        assert wait_for_exit(worker, timeout_s=60) == 75
    log = worker.log_path.read_text()
    assert "camera.events: step 'read the reference topics to their end' failed" in log
    assert "ReferencesUnavailable" in log
    # Every event before the stuck one landed; the stuck one did not, and its offset, on the
    # one partition all CAM-1 events go to, was not committed.
    zone = LandingZone(settings.landing_dir)
    landed = {p: zone.landed_through("camera_events", OwnTable, p) for p in range(3)}
    assert max(landed.values()) == offset - 1
    committed = group_offsets(settings, settings.app_id)["camera.events"]
    assert all(committed[p] <= landed[p] + 1 for p in committed)
    assert max(committed.values()) == offset


def test_sigterm_while_waiting_for_the_references_exits_within_10_s(
    platform: Settings, producer: Producer
) -> None:
    with _stuck_worker(platform, producer, reference_timeout_s=120) as (_, worker, _):
        time.sleep(3)  # the stuck batch is taken within a second, then waits up to 120 s
        assert worker.alive()
        # Killed with SIGKILL (-9) if it has not exited 10 s after SIGTERM.
        assert worker.stop(timeout_s=10) == 0


def test_a_worker_refuses_another_key_and_topics_recreated_since_they_landed(
    platform: Settings, producer: Producer, worker: WorkerProcess
) -> None:
    land_camera_events(producer, worker, 3)
    worker.stop()

    other_key = platform.model_copy(update={"pseudonym_key": SecretStr("x" * 32)})
    refused = WorkerProcess(other_key, name="other-key")
    refused.start()
    assert wait_for_exit(refused, timeout_s=60) == 1
    [line] = [x for x in refused.log_path.read_text().splitlines() if x.startswith("antt worker:")]
    assert line.startswith("antt worker: the pseudonymisation key (fingerprint ")
    assert "is not the one that made the pseudonyms landed in" in line

    _reset_topics(platform)  # every topic deleted and created again: offsets restart at 0
    producer.event("camera.events", f.camera_event("after-reset"))
    refused = WorkerProcess(platform, name="recreated")
    refused.start()
    assert wait_for_exit(refused, timeout_s=60) == 1
    [line] = [x for x in refused.log_path.read_text().splitlines() if x.startswith("antt worker:")]
    assert line.startswith(
        "antt worker: topic(s) camera.events, ref.cameras were deleted and created again"
    )
