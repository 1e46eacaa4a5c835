"""The broker stopped for 15 s in the middle of a stream: producer and worker recover by themselves.

The broker is this module's own (free ports, a temporary data folder): stopping the session's
broker would break every other test running on it. A producer streams camera events at a steady
rate with the worker running; a quarter of the way through, the broker is stopped, left down for
15 s while the producer keeps sending, and started again on the same folder and ports. Neither the
producer nor the worker is touched; every event must land exactly once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from kafka import KafkaProducer

from antt.kafka import client_options
from antt.settings import Settings
from pipelines.broker import Broker
from pipelines.topics import create_topics
from pipelines.worker_process import WorkerProcess
from tests import factories as f
from tests.conftest import REPO, _free_port
from tests.integration.kafka_io import Producer
from tests.integration.scenarios import Landed, balance, committed_past_landed, landed

pytestmark = pytest.mark.integration

RATE = 250  # events per second
STOP_AFTER = 1000  # sent before the broker stops (4 s)
DOWN_S = 15
AFTER_RESTART = 500  # sent once the broker is back (2 s), then the stream ends
CAMERAS = [f"CAM-{n}" for n in range(1, 10)]  # their keys fall on all three partitions


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    settings = Settings(
        kafka_port=_free_port(),
        controller_port=_free_port(),
        data_dir=tmp_path_factory.mktemp("restarted"),
        cache_dir=REPO / ".antt" / "cache",
        demo_mode=True,
    )
    broker = Broker(settings)
    try:
        broker.start(timeout_s=240)
        create_topics(settings)
        yield broker
    finally:
        broker.stop()


class _Stream:
    """Sends camera events at ``RATE`` a second from a thread until told to end; keeps every
    future."""

    def __init__(self, settings: Settings) -> None:
        self.producer = KafkaProducer(
            acks="all",
            enable_idempotence=True,
            # Long enough to hold what is sent while the broker is away and while the client
            # reconnects, on a loaded machine too (minutes), and to block rather than fail if
            # metadata has to be fetched again then.
            delivery_timeout_ms=600_000,
            request_timeout_ms=10_000,
            max_block_ms=600_000,
            **client_options(settings),
        )
        self.futures: list[Any] = []
        self.error: BaseException | None = None
        self._end = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            started = time.monotonic()
            i = 0
            while not self._end.is_set():
                time.sleep(max(0.0, started + i / RATE - time.monotonic()))
                event = f.camera_event(f"live-{i}", camera_id=CAMERAS[i % len(CAMERAS)])
                key, value = f.encode("camera.events", event)
                self.futures.append(self.producer.send("camera.events", key=key, value=value))
                i += 1
        except BaseException as exc:  # reported by join(), in the test's thread
            self.error = exc

    def wait_sent(self, count: int, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.futures) < count:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, f"only {len(self.futures)} sent"
            time.sleep(0.05)

    def end(self) -> list[BaseException]:
        """Ends the stream, waits for the last send to be acknowledged; returns the failures."""
        self._end.set()
        self._thread.join(timeout=300)
        assert not self._thread.is_alive(), "the producer thread did not finish"
        assert self.error is None, self.error
        self.producer.flush(timeout=600)
        self.producer.close(timeout=30)
        return [future.exception for future in self.futures if not future.succeeded()]


def test_a_broker_stopped_mid_stream_loses_and_doubles_nothing(own_broker: Broker) -> None:
    # Clients see the broker away for the stop, the 15 s and the JVM's start: 50 s on this
    # machine, minutes when it is loaded. The default bound on a batch's wait for the references
    # (30 s) would end the worker with exit 75 for its supervisor to restart; here it must ride
    # the outage out by itself.
    settings = own_broker.settings.model_copy(
        update={"app_id": "antt-broker-restart", "reference_timeout_s": 600.0}
    )
    refs = Producer(settings)
    for camera_id in CAMERAS:
        refs.event("ref.cameras", f.camera_ref(camera_id))
    refs.close()

    worker = WorkerProcess(settings)
    worker.start()
    stream = _Stream(settings)
    try:
        stream.start()
        stream.wait_sent(STOP_AFTER, timeout_s=120)
        deadline = time.monotonic() + 300
        while not landed(settings, "camera_events").rows:
            assert time.monotonic() < deadline, f"nothing landed; see {worker.log_path}"
            time.sleep(0.5)
        sent_before_stop = len(stream.futures)
        own_broker.stop()
        time.sleep(DOWN_S)
        own_broker.start(timeout_s=240)
        sent_while_down = len(stream.futures) - sent_before_stop
        stream.wait_sent(sent_before_stop + sent_while_down + AFTER_RESTART, timeout_s=300)
        assert stream.end() == []
        worker.wait_until_reconciled(timeout_s=600)
        assert worker.alive(), "the worker did not ride out the broker's absence"
    finally:
        worker.stop()

    # The outage fell mid-stream: thousands of events were sent before it, during it and after.
    assert sent_while_down >= DOWN_S * RATE
    events = len(stream.futures)
    assert landed(settings, "camera_events") == Landed(events, events, events)
    camera = balance(settings, "camera.events")
    assert (camera.produced, camera.landed, camera.rejected, camera.duplicates) == (
        events, events, 0, 0,
    )  # fmt: skip
    assert committed_past_landed(settings, "camera.events") == {}
