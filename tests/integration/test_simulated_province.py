"""The simulator's province through the real broker and worker: every record meets the fate the
simulator labelled it with, counted per topic and per reason, and reconcile holds."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import duckdb
import pytest

from antt.settings import Settings
from pipelines.reconcile import reconcile
from pipelines.simulator import SimulationConfig, publish
from pipelines.worker_process import WorkerProcess

pytestmark = pytest.mark.integration


def test_simulated_province_lands_exactly_as_labelled(platform: Settings) -> None:
    config = SimulationConfig(
        seed=7,
        days=45,
        residents_per_ward=4,
        dirty_share=0.1,
        end_at=datetime(2026, 11, 1, tzinfo=UTC),
        future_anchor=datetime.now(UTC),
    )
    worker = WorkerProcess(platform)
    worker.start()
    try:
        report = publish(platform, config, live_seconds=3, rate=50, progress=False)
        balances = worker.wait_until_reconciled(timeout_s=240)
    finally:
        worker.stop()
    assert report.send_errors == 0

    balance = {b.topic: b for b in balances}
    glob = platform.landing_dir / "rejected" / "**" / "*.parquet"
    reasons = Counter(
        (topic, codes[0])
        for topic, codes in duckdb.sql(
            "SELECT DISTINCT source_topic, source_partition, source_offset, reason_codes "
            f"FROM read_parquet('{glob}')"
        )
        .project("source_topic, reason_codes")
        .fetchall()
    )
    for topic, expected in report.topics.items():
        got = balance[topic]
        assert (got.produced, got.landed, got.duplicates) == (
            expected.produced, expected.accepted, expected.duplicates,
        ), topic  # fmt: skip
        assert {r: n for (t, r), n in reasons.items() if t == topic} == dict(expected.rejected)
    assert sum(b.rejected for b in reconcile(platform)) > 0
