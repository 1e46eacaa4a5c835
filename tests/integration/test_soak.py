"""Soak: the real worker against the live simulator for minutes, watched through its /metrics.

While a small province's backfill and then three minutes of live events at 200/s stream through
the broker, the test scrapes the worker's endpoint every few seconds, as Prometheus would. At the
end the lag must be back to zero, resident memory must not have grown in the second half of the
live phase beyond what a leak would need, and the counts on /metrics must be exactly reconcile's
and the simulator's.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from antt.settings import Settings
from pipelines.simulator import SimulationConfig, SimulationReport, publish
from pipelines.status import scrape
from pipelines.worker_process import WorkerProcess
from streams.health.address import running_endpoints
from tests.integration.health_io import lag_back_to_zero, wait_for_endpoint

pytestmark = pytest.mark.integration

LIVE_S = 180.0
RATE = 200.0
SCRAPE_S = 3.0
# Growth allowed over the second half of the live phase (about 18,000 events). Measured here:
# 1.8 MB as the worker is; 14.7 MB with a deliberate leak of every batch's plan (its landed
# rows and dead letters, under 1 kB an event), which this bound catches.
FLAT_MB = 8


def _publish_in_background(settings: Settings) -> tuple[threading.Thread, list[SimulationReport]]:
    now = datetime.now(UTC)
    config = SimulationConfig(
        seed=11,
        days=30,
        residents_per_ward=30,
        dirty_share=0.02,
        end_at=now.replace(minute=0, second=0, microsecond=0),
        future_anchor=now,
    )
    reports: list[SimulationReport] = []

    def run() -> None:
        reports.append(publish(settings, config, live_seconds=LIVE_S, rate=RATE, progress=False))

    thread = threading.Thread(target=run, name="simulator", daemon=True)
    thread.start()
    return thread, reports


def test_a_worker_under_the_live_simulator_keeps_up_stays_flat_and_counts_exactly(
    platform: Settings, worker: WorkerProcess
) -> None:
    endpoint = wait_for_endpoint(platform, worker)
    thread, reports = _publish_in_background(platform)
    rss: list[tuple[float, float]] = []  # (seconds since start, resident MB)
    started = time.monotonic()
    while thread.is_alive():
        memory = scrape(endpoint).value("process_resident_memory_bytes")
        assert memory is not None
        rss.append((time.monotonic() - started, memory / 2**20))
        assert worker.alive(), f"the worker died; see {worker.log_path}"
        time.sleep(SCRAPE_S)
    thread.join()
    ended = time.monotonic() - started
    [report] = reports
    assert report.send_errors == 0
    assert report.live_messages >= LIVE_S * RATE

    balances = worker.wait_until_reconciled(timeout_s=300)
    final = lag_back_to_zero(endpoint, after=time.time())
    assert final.healthy, final.health
    assert [endpoint.pid] == [e.pid for e in running_endpoints(platform.worker_state_dir)]

    # Exactly reconcile's numbers: accepted rows are its landed plus duplicates.
    for balance in balances:
        topic = balance.topic
        expected = report.topics[topic]  # the simulator publishes on every source topic
        counted = {
            outcome: final.total("antt_events_total", topic=topic, outcome=outcome)
            for outcome in ("accepted", "rejected", "replayed")
        }
        assert counted == {
            "accepted": balance.landed + balance.duplicates,
            "rejected": balance.rejected,
            "replayed": 0,
        }, topic
        assert final.total("antt_rejections_total", topic=topic) == balance.rejected, topic
        # And the simulator's labels, reason by reason.
        assert counted["accepted"] == expected.accepted + expected.duplicates, topic
        reasons = {
            labels["reason"]: int(value)
            for labels, value in final.samples.get("antt_rejections_total", [])
            if labels["topic"] == topic
        }
        assert reasons == dict(expected.rejected), topic

    # Flat: the second half of the live phase, which runs until the publisher returns.
    live_second_half = [mb for at, mb in rss if at >= ended - LIVE_S / 2]
    assert len(live_second_half) >= 20, rss
    first, last = live_second_half[:5], live_second_half[-5:]
    growth = sorted(last)[2] - sorted(first)[2]
    print(f"RSS MB over the run (s, MB): {[(round(t), round(m)) for t, m in rss]}")
    print(f"second half of the live phase: growth {growth:.1f} MB (bound {FLAT_MB} MB)")
    assert growth < FLAT_MB, rss
