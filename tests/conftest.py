"""Test session fixtures: one real Kafka broker per session, started through the project's code.

If the broker cannot start, every integration test errors: none of them skips into a green run.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from antt.settings import Settings
from pipelines.broker import Broker
from pipelines.topics import create_topics
from streams.contract.topics import TOPICS

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def broker_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    settings = Settings(
        kafka_port=_free_port(),
        controller_port=_free_port(),
        data_dir=tmp_path_factory.mktemp("kafka"),
        cache_dir=REPO / ".antt" / "cache",
        demo_mode=True,
    )
    broker = Broker(settings)
    broker.start(timeout_s=240)
    yield settings
    broker.stop()


def _reset_topics(settings: Settings) -> None:
    names = [spec.name for spec in TOPICS]
    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    try:
        present = [n for n in admin.list_topics() if n in names or n.startswith("antt-")]
        if present:
            admin.delete_topics(present, timeout_ms=30_000)
        deadline = time.monotonic() + 60
        while set(present) & set(admin.list_topics()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"topics not deleted: {present}")
            time.sleep(0.2)
    finally:
        admin.close()
    deadline = time.monotonic() + 60
    while True:
        try:
            create_topics(settings)
            return
        except (KafkaError, RuntimeError):
            # A topic deleted a moment ago can still be on its way out of the metadata log.
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.fixture(scope="session")
def simulated_warehouse(
    broker_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Two and a half years of a simulated province, landed through the real broker and worker.

    Built once per session for the readers of the warehouse (notebooks, dashboards, data-quality
    suites); tests must only read it. Its landing zone outlives the topics, which later tests reset.
    """
    from pipelines.simulator import SimulationConfig, publish
    from pipelines.worker_process import WorkerProcess

    _reset_topics(broker_settings)
    settings = broker_settings.model_copy(
        update={"data_dir": tmp_path_factory.mktemp("simulated"), "app_id": "antt-simulated"}
    )
    now = datetime.now(UTC)
    config = SimulationConfig(
        seed=2024,
        days=900,
        # Incidents, lodging facilities and cameras scale with the residents: 100 a ward (about
        # 10,500) give 3 facilities, 24 cameras and a few incident reports a month.
        residents_per_ward=100,
        dirty_share=0.02,
        end_at=now.replace(minute=0, second=0, microsecond=0),
        future_anchor=now,
    )
    worker = WorkerProcess(settings)
    worker.start()
    try:
        report = publish(settings, config, live_seconds=2, rate=50, progress=False)
        balances = worker.wait_until_reconciled(timeout_s=600)
    finally:
        worker.stop()
    assert report.send_errors == 0
    assert all(b.status == "ok" for b in balances), balances
    return settings


@pytest.fixture
def platform(broker_settings: Settings, tmp_path: Path) -> Settings:
    """A clean platform on the session broker: fresh topics, a new worker group, own data dir."""
    _reset_topics(broker_settings)
    return broker_settings.model_copy(
        update={"data_dir": tmp_path / "antt", "app_id": f"antt-{uuid.uuid4().hex[:8]}"}
    )
