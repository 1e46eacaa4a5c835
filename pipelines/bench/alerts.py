"""``antt bench alerts``: how long a watchlist hit takes from the broker to the ``alerts`` topic,
and to a warehouse query.

The worker under test is the real ``antt worker`` on a real broker. In the same run, a plain
consumer of ``camera.events`` (no processing at all) measures the floor: the time any client
needs to see a record after the broker acknowledged it. A reader connected the way an analyst
connects (``warehouse.connect()``) queries ``stg_camera_events`` every ``_READ_EVERY_S`` for the
hits, which measures freshness: when a landed event becomes visible to a query. All three are
measured from the producer's acknowledgement of the camera event, on the same events, so the
differences are what the platform adds (batching, cleaning, producing the alert, landing).
"""

from __future__ import annotations

import argparse
import math
import statistics
import threading
import time
import uuid
from contextlib import ExitStack
from dataclasses import asdict, dataclass

import orjson
from kafka import KafkaConsumer, KafkaProducer

from antt.kafka import client_options
from antt.settings import Settings
from pipelines.demo import fresh_platform
from pipelines.worker_process import WorkerProcess

__all__ = ["LatencyReport", "add_arguments", "measure", "run"]

_PLATE = "65-B1 234.56"
# A row counts as visible when the query that first returned it started: each freshness is
# overstated by up to this much, never understated.
_READ_EVERY_S = 0.5
_CAMERA = "CAM-BENCH-1"
_WARD = "31135"


@dataclass(frozen=True, slots=True)
class Percentiles:
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Percentiles:
        if not seconds:
            return cls(0, math.nan, math.nan, math.nan, math.nan)
        ms = sorted(s * 1000 for s in seconds)
        cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
        return cls(len(ms), round(cuts[49], 1), round(cuts[94], 1), round(cuts[98], 1),
                   round(ms[-1], 1))  # fmt: skip


@dataclass(frozen=True, slots=True)
class LatencyReport:
    events: int
    rate: float
    hits: int
    alerts_received: int
    alert: Percentiles
    freshness: Percentiles
    consume_only_baseline: Percentiles

    def table(self) -> str:
        rows = [
            ("alert (antt worker)", self.alert),
            ("visible to a warehouse query (freshness)", self.freshness),
            ("consume-only baseline", self.consume_only_baseline),
        ]
        lines = ["| path | n | p50 ms | p95 ms | p99 ms | max ms |", "|---|---|---|---|---|---|"]
        for name, p in rows:
            lines.append(
                f"| {name} | {p.count} | {p.p50_ms} | {p.p95_ms} | {p.p99_ms} | {p.max_ms} |"
            )
        return "\n".join(lines)


class _Watcher(threading.Thread):
    """Records when each wanted id first appears on a topic."""

    def __init__(self, settings: Settings, topic: str, field: str) -> None:
        super().__init__(daemon=True)
        self.seen: dict[str, float] = {}
        self._field = field
        self._done = threading.Event()
        self._consumer = KafkaConsumer(
            topic,
            **client_options(settings),
            group_id=f"bench-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="latest",
            fetch_max_wait_ms=10,
        )
        while not self._consumer.assignment():
            self._consumer.poll(timeout_ms=100)

    def run(self) -> None:
        while not self._done.is_set():
            for batch in self._consumer.poll(timeout_ms=50).values():
                now = time.monotonic()
                for record in batch:
                    key = orjson.loads(record.value).get(self._field)
                    self.seen.setdefault(key, now)

    def close(self) -> None:
        self._done.set()
        self.join(5)
        self._consumer.close()


class _Reader(threading.Thread):
    """Records when each wanted camera event first shows in a warehouse query."""

    def __init__(self, settings: Settings, wanted: set[str]) -> None:
        super().__init__(daemon=True)
        import warehouse

        self.seen: dict[str, float] = {}
        self._wanted = sorted(wanted)
        self._done = threading.Event()
        self._con = warehouse.connect(settings)

    def run(self) -> None:
        query = (
            "SELECT camera_event_id FROM stg_camera_events "
            "WHERE list_contains($wanted, camera_event_id)"
        )
        while not self._done.wait(_READ_EVERY_S):
            started = time.monotonic()
            for (event_id,) in self._con.execute(query, {"wanted": self._wanted}).fetchall():
                self.seen.setdefault(event_id, started)

    def close(self) -> None:
        self._done.set()
        self.join(5)
        self._con.close()


def _event(event_id: str, plate: str) -> bytes:
    return orjson.dumps({
        "schema_version": 1, "event_id": event_id, "camera_id": _CAMERA,
        "observed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "kind": "vehicle",
        "plate": plate, "vehicle_type": "motorbike", "confidence": 0.9,
    })  # fmt: skip


def _publish_references(producer: KafkaProducer) -> None:
    camera = {
        "schema_version": 1,
        "camera_id": _CAMERA,
        "ward_code": _WARD,
        "name": "Benchmark",
        "latitude": 10.03,
        "longitude": 105.78,
        "owner": "public",
        "connected": True,
        "installed_on": "2024-01-01",
        "removed_on": None,
    }
    entry = {
        "schema_version": 1,
        "entry_id": "WL-BENCH",
        "kind": "plate",
        "value": _PLATE,
        "reason": "stolen_vehicle",
        "active": True,
        "listed_at": "2026-01-01T00:00:00Z",
    }
    producer.send("ref.cameras", key=_CAMERA.encode(), value=orjson.dumps(camera))
    producer.send("ref.watchlist", key=b"WL-BENCH", value=orjson.dumps(entry))
    producer.flush()


def measure(settings: Settings, *, events: int, rate: float, hit_every: int) -> LatencyReport:
    """Publish ``events`` camera events at ``rate`` per second; every ``hit_every``-th is a hit."""
    with ExitStack() as cleanup:
        producer = KafkaProducer(**client_options(settings), acks="all", linger_ms=0)
        cleanup.callback(producer.close)
        _publish_references(producer)
        worker = WorkerProcess(settings)
        worker.start()
        cleanup.callback(worker.stop)
        hits = [f"bench-{i}" for i in range(0, events, hit_every)]
        alerts = _Watcher(settings, "alerts", "source_event_id")
        baseline = _Watcher(settings, "camera.events", "event_id")
        reader = _Reader(settings, {"warmup", *hits})
        for watcher in (alerts, baseline, reader):
            watcher.start()
            cleanup.callback(watcher.close)
        # Warm-up: the first hit is answered once the worker has joined and loaded references,
        # and landed once its first files are written. On a platform created a moment before,
        # that first landing waits seconds for its fsync (the broker's new topic files are still
        # being written back): a start-up cost, kept out of the measured events.
        producer.send("camera.events", key=_CAMERA.encode(), value=_event("warmup", _PLATE))
        deadline = time.monotonic() + 120
        while "warmup" not in alerts.seen or "warmup" not in reader.seen:
            if time.monotonic() > deadline or not worker.alive():
                raise RuntimeError(
                    f"the worker did not alert and land the warm-up hit; see {worker.log_path}"
                )
            time.sleep(0.05)
        acked: dict[str, float] = {}
        started = time.monotonic()
        for i in range(events):
            event_id = f"bench-{i}"
            plate = _PLATE if i % hit_every == 0 else f"65-B1 {i % 1000:03d}.{i % 97:02d}"
            value = _event(event_id, plate)
            future = producer.send("camera.events", key=_CAMERA.encode(), value=value)
            future.add_callback(lambda _, eid=event_id: acked.setdefault(eid, time.monotonic()))
            time.sleep(max(0.0, started + (i + 1) / rate - time.monotonic()))
        producer.flush()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(
            h in alerts.seen and h in reader.seen for h in hits
        ):
            time.sleep(0.1)

    def since_acked(seen: dict[str, float]) -> Percentiles:
        return Percentiles.of([seen[h] - acked[h] for h in hits if h in seen and h in acked])

    return LatencyReport(
        events=events,
        rate=rate,
        hits=len(hits),
        alerts_received=sum(1 for h in hits if h in alerts.seen and h in acked),
        alert=since_acked(alerts.seen),
        freshness=since_acked(reader.seen),
        consume_only_baseline=since_acked(baseline.seen),
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", type=int, default=3000, help="camera events to publish")
    parser.add_argument("--rate", type=float, default=200, help="camera events per second")
    parser.add_argument("--hit-every", type=int, default=10, help="every n-th event is a hit")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.broker import Broker

    broker = Broker(settings)
    try:
        fresh_platform(settings, broker)
        report = measure(settings, events=args.events, rate=args.rate, hit_every=args.hit_every)
    finally:
        broker.stop()
    out = settings.data_dir / "bench-alerts.json"
    out.write_bytes(orjson.dumps(asdict(report), option=orjson.OPT_INDENT_2))
    print(report.table())
    print(
        f"{report.alerts_received} of {report.hits} hits alerted, {report.freshness.count} "
        f"visible to a warehouse query; details in {out}"
    )
    return 0 if report.alerts_received == report.freshness.count == report.hits else 1
