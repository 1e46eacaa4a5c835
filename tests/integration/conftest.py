"""Fixtures shared by the integration tests: a producer and running workers on the platform."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from antt.settings import Settings
from pipelines.worker_process import WorkerProcess
from tests.integration.kafka_io import Producer


@pytest.fixture
def producer(platform: Settings) -> Iterator[Producer]:
    p = Producer(platform)
    yield p
    p.close()


@pytest.fixture
def worker(platform: Settings) -> Iterator[WorkerProcess]:
    w = WorkerProcess(platform)
    w.start()
    yield w
    w.stop()


@pytest.fixture
def two_workers(platform: Settings) -> Iterator[list[WorkerProcess]]:
    """Two worker processes in one consumer group, on one data folder."""
    workers = [WorkerProcess(platform, name=f"worker-{n}") for n in (1, 2)]
    try:
        for w in workers:
            w.start()
        yield workers
    finally:
        for w in workers:
            w.stop()
