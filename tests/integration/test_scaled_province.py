"""A share of Cần Thơ at real size through the real broker and worker: exactly its residents land,
every camera detection of real traffic lands, and reconcile holds per topic."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from antt.settings import Settings
from pipelines.simulator import SimulationConfig, publish
from pipelines.simulator.config import REAL_CAMERA_TRAFFIC, real_residents
from pipelines.worker_process import WorkerProcess

pytestmark = pytest.mark.integration


def test_scaled_province_lands_its_exact_residents_and_reconciles(platform: Settings) -> None:
    residents = real_residents(92, 0.0005)  # 1,600 of Cần Thơ's 3.2 million
    config = SimulationConfig(
        seed=31,
        days=30,
        residents=residents,
        camera_traffic=REAL_CAMERA_TRAFFIC,
        camera_days=1,
        end_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    worker = WorkerProcess(platform)
    worker.start()
    try:
        report = publish(platform, config, progress=False)
        balances = worker.wait_until_reconciled(timeout_s=600)
    finally:
        worker.stop()
    assert report.send_errors == 0
    assert (report.residents, report.camera_traffic) == (1_600, REAL_CAMERA_TRAFFIC)

    assert all(b.status == "ok" for b in balances), balances
    balance = {b.topic: b for b in balances}
    for topic, expected in report.topics.items():
        got = balance[topic]
        assert (got.produced, got.landed, got.rejected) == (expected.produced, expected.accepted, 0)
    # Real traffic: a handful of cameras send thousands of detections in one day.
    assert report.topics["camera.events"].produced > 1_000

    landing = platform.landing_dir
    ((registered,),) = duckdb.execute(
        "SELECT count(DISTINCT person_key) FROM read_parquet("
        f"'{landing}/population_updates/**/*.parquet') WHERE change = 'registered'"
    ).fetchall()
    assert registered == residents
    ((detections,),) = duckdb.execute(
        f"SELECT count(*) FROM read_parquet('{landing}/camera_events/**/*.parquet')"
    ).fetchall()
    assert detections == report.topics["camera.events"].produced
