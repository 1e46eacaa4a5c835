"""Finding a running worker's /metrics endpoint, as `antt status` does."""

from __future__ import annotations

import time

from antt.settings import Settings
from pipelines.status import Snapshot, scrape
from pipelines.worker_process import WorkerProcess
from streams.health.address import Endpoint, running_endpoints


def wait_for_endpoint(
    settings: Settings, worker: WorkerProcess, timeout_s: float = 180
) -> Endpoint:
    """The endpoint of ``worker``, once it listens (after the registry is recovered)."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = [e for e in running_endpoints(settings.worker_state_dir) if e.pid == worker.pid]
        if found:
            return found[0]
        assert worker.alive(), f"the worker exited; see {worker.log_path}"
        assert time.monotonic() < deadline, f"no endpoint within {timeout_s} s; {worker.log_path}"
        time.sleep(0.5)


def lag_back_to_zero(endpoint: Endpoint, after: float, timeout_s: float = 60) -> Snapshot:
    """The first scrape whose lag was measured after ``after`` and is zero everywhere."""
    deadline = time.monotonic() + timeout_s
    while True:
        snapshot = scrape(endpoint)
        measured = snapshot.value("antt_consumer_lag_measured_timestamp_seconds") or 0
        lag = snapshot.samples.get("antt_consumer_lag", [])
        if measured > after and lag and all(value == 0 for _, value in lag):
            return snapshot
        assert time.monotonic() < deadline, f"lag not back to zero on /metrics: {lag}"
        time.sleep(1)
