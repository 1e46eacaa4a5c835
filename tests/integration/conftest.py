"""Fixtures shared by the integration tests: a producer and a running worker on the platform."""

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
