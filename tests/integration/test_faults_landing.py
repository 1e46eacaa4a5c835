"""A landing zone that refuses a batch's file stops the worker loudly; offsets stay behind it.

The fault is a real failed write, as root or not: the worker's file-size limit (RLIMIT_FSIZE) is
set below the size of its next Parquet file, so writing it fails with EFBIG ("File too large"),
the way a full disk fails with ENOSPC (Python ignores SIGXFSZ, so the write raises instead of
killing the process). A first worker lands a few events and stops; a second one, limited, starts
on a backlog and cannot land its first batch. It must exit 75 with one line naming the step, with
no offset committed past what landed; once the fault is cleared, a restart lands everything
exactly once.
"""

from __future__ import annotations

import resource
import uuid
from typing import Any

import pytest

from antt.settings import Settings
from pipelines.worker_process import WorkerProcess
from tests import factories as f
from tests.integration.kafka_io import Producer
from tests.integration.scenarios import (
    Landed,
    balance,
    committed_past_landed,
    land_camera_events,
    landed,
    wait_for_exit,
)

pytestmark = pytest.mark.integration

FIRST = 50  # landed before the fault
BURST = 10_000  # a backlog on one partition, taken in batches of up to all of it
LIMIT = 64 * 1024  # bytes a file of the faulty worker may grow to: its log stays far below
# A batch of the backlog waits up to this long to fill up: its file is then of a few hundred KiB.
BATCH_WITHIN_S = 30.0


def _burst_event(i: int) -> dict[str, Any]:
    # Random ids of the longest kind the contract allows, so the file cannot compress them away.
    return f.camera_event(f"burst-{i:05d}-{uuid.uuid4().hex}{uuid.uuid4().hex[:20]}")


def test_a_file_the_landing_zone_refuses_ends_the_worker_with_75_and_commits_nothing_past_it(
    platform: Settings, producer: Producer
) -> None:
    healthy = WorkerProcess(platform)
    healthy.start()
    try:
        land_camera_events(producer, healthy, FIRST, prefix="before")
    finally:
        assert healthy.stop() == 0
    producer.many("camera.events", [_burst_event(i) for i in range(BURST)])

    settings = platform.model_copy(update={"batch_max": BURST, "batch_within_s": BATCH_WITHIN_S})
    faulty = WorkerProcess(settings, name="faulty")
    faulty.start()
    try:
        # At once: the new process needs seconds to start before it writes any file.
        resource.prlimit(faulty.pid, resource.RLIMIT_FSIZE, (LIMIT, resource.RLIM_INFINITY))
        assert wait_for_exit(faulty, timeout_s=180) == 75
    finally:
        faulty.stop()

    [line] = [x for x in faulty.log_path.read_text().splitlines() if "worker stopping" in x]
    stopping = "worker stopping (exit 75): camera.events: step 'land' failed: OSError: [Errno 27]"
    assert stopping in line
    assert "File too large" in line
    # Nothing of the refused batch is committed, and nothing committed is missing. (A first
    # batch cut short by the wait's timer may have landed under the limit before it.)
    rows = landed(settings, "camera_events").rows
    assert FIRST <= rows < FIRST + BURST
    assert landed(settings, "camera_events") == Landed(rows, rows, rows)
    assert committed_past_landed(settings, "camera.events") == {}
    failed = balance(settings, "camera.events")
    assert (failed.produced, failed.landed, failed.unlanded, failed.status) == (
        FIRST + BURST, rows, 0, "lagging",
    )  # fmt: skip
    assert failed.lag >= FIRST + BURST - rows

    # The fault cleared (a new process has no such limit), a restart lands the rest once.
    restarted = WorkerProcess(platform, name="restarted")
    restarted.start()
    try:
        restarted.wait_until_reconciled(timeout_s=180)
    finally:
        restarted.stop()
    total = FIRST + BURST
    assert landed(settings, "camera_events") == Landed(total, total, total)
    camera = balance(settings, "camera.events")
    assert (camera.produced, camera.landed, camera.rejected, camera.duplicates) == (
        total, total, 0, 0,
    )  # fmt: skip
