"""The worker's HTTP endpoint on 127.0.0.1 (/metrics, /healthz) and the sampling behind it.

A small aiohttp server of its own rather than Faust's web server: Faust's serves its own views on
a fixed port, while this one binds loopback only, takes a free port when ``ANTT_METRICS_PORT`` is
0 (so several workers on a machine never collide) and says where it listens in the worker's state
slot (``streams.health.address``). Like every Faust task it starts once the registry is
recovered, so a worker still rebuilding its registry has no endpoint yet.

Nothing here is on the hot path: a scrape renders counts the batches already keep, and lag and
the registry size are sampled every few seconds in a thread of their own, with an admin client
of their own, so a slow broker answer never holds up the event loop or a landing.

The same samples feed ``streams.health.watchdog``: a worker whose partitions stop making progress
while messages wait ends with exit 75, as a failed step does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from aiohttp import web
from kafka import KafkaAdminClient, TopicPartition
from kafka.admin import OffsetSpec
from kafka.errors import KafkaError

from antt.kafka import client_options
from antt.settings import Settings
from streams.failure import exit_now, step
from streams.health.address import write_endpoint
from streams.health.exposition import CONTENT_TYPE, render
from streams.health.metrics import WorkerMetrics
from streams.health.watchdog import StallWatch, WorkerStalled

if TYPE_CHECKING:
    import faust

__all__ = ["REGISTRY_EVERY_S", "SAMPLE_S", "LagProbe", "LagSample", "serve_health"]

log = logging.getLogger(__name__)

SAMPLE_S: Final = 5.0
# Counting the registry walks every key of its RocksDB copy (about 0.3 s a million keys).
REGISTRY_EVERY_S: Final = 30.0


class LagSample(NamedTuple):
    """Per partition: messages not yet committed, and the committed offset (-1: none yet)."""

    lag: dict[tuple[str, int], int]
    committed: dict[tuple[str, int], int]


class LagProbe:
    """The consumer group's lag on given partitions: end offset minus committed offset.

    Blocking (kafka-python's admin client); meant for a thread of its own. A partition the group
    never committed on counts from its earliest offset, as ``antt reconcile`` counts it.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._admin: Any = None

    def measure(self, partitions: Sequence[tuple[str, int]]) -> LagSample:
        if not partitions:
            return LagSample({}, {})
        if self._admin is None:
            self._admin = KafkaAdminClient(
                **client_options(self._settings),
                client_id=f"{self._settings.app_id}-health",
                request_timeout_ms=10_000,
            )
        tps = [TopicPartition(t, p) for t, p in partitions]
        try:
            earliest = self._admin.list_partition_offsets(dict.fromkeys(tps, OffsetSpec.EARLIEST))
            latest = self._admin.list_partition_offsets(dict.fromkeys(tps, OffsetSpec.LATEST))
            group = self._settings.app_id
            committed = self._admin.list_group_offsets({group: tps}).get(group, {})
        except KafkaError:
            self.close()  # a fresh client next time: the broker may have moved or restarted
            raise
        sample = LagSample({}, {})
        for tp in tps:
            start, end = int(earliest[tp].offset), int(latest[tp].offset)
            done = committed[tp].offset if tp in committed else -1
            sample.lag[(tp.topic, tp.partition)] = max(0, end - max(start, done))
            sample.committed[(tp.topic, tp.partition)] = done
        return sample

    def close(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None


def _web_app(metrics: WorkerMetrics) -> web.Application:
    async def scrape(_: web.Request) -> web.Response:
        body = render(metrics.families(time.time()))
        return web.Response(body=body.encode(), headers={"Content-Type": CONTENT_TYPE})

    async def healthz(_: web.Request) -> web.Response:
        health = metrics.health(time.time())
        return web.Response(
            text=f"{health.status}: {health.detail}\n", status=200 if health.ok else 503
        )

    app = web.Application()
    app.router.add_get("/metrics", scrape)
    app.router.add_get("/healthz", healthz)
    return app


async def serve_health(
    app: faust.App,
    settings: Settings,
    slot: Path,
    metrics: WorkerMetrics,
    registry_size: Callable[[], int],
) -> None:
    """Serve /metrics and /healthz until the app stops, sampling lag and the registry meanwhile."""
    with step("metrics endpoint", f"listen on 127.0.0.1:{settings.metrics_port}"):
        runner = web.AppRunner(_web_app(metrics), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", settings.metrics_port).start()
        port = runner.addresses[0][1]
        write_endpoint(slot, port)
        log.info("metrics on http://127.0.0.1:%d/metrics, health on /healthz", port)
    sampler = ThreadPoolExecutor(1, thread_name_prefix="antt-health")
    probe = LagProbe(settings)
    try:
        with step("metrics endpoint", "sample lag and the registry"):
            await _sample(app, metrics, probe, sampler, registry_size)
    finally:
        await runner.cleanup()
        sampler.submit(probe.close)
        sampler.shutdown(wait=False)


async def _sample(
    app: faust.App,
    metrics: WorkerMetrics,
    probe: LagProbe,
    sampler: ThreadPoolExecutor,
    registry_size: Callable[[], int],
) -> None:
    loop = asyncio.get_running_loop()
    registry_due = 0.0
    watch = StallWatch()
    while True:
        assigned = sorted(
            (tp.topic, tp.partition)
            for tp in app.consumer.assignment()
            if tp.topic in metrics.topics
        )
        try:
            sample = await loop.run_in_executor(sampler, probe.measure, assigned)
        # Best effort, whatever the reason: /healthz says "unknown" when it lasts, and the
        # worker's own steps end it if the broker is really gone; a probe must never do that.
        except Exception as exc:
            if metrics.lag_error is None:
                log.warning("cannot measure consumer lag: %s: %s", type(exc).__name__, exc)
            metrics.lag_error = f"{type(exc).__name__}: {exc}"
        else:
            now = time.time()
            metrics.record_lag(sample.lag, now)
            stalled = watch.observe(
                now, sample.committed, sample.lag, metrics.batches.landed_at, app.rebalancing
            )
            if stalled is not None:
                exit_now("consumer group", "make progress", WorkerStalled(stalled))
        if time.monotonic() >= registry_due:
            # A rebalance may change the table's partitions mid-count (RuntimeError); next time.
            with contextlib.suppress(RuntimeError):
                metrics.registry_size = await loop.run_in_executor(sampler, registry_size)
            registry_due = time.monotonic() + REGISTRY_EVERY_S
        await asyncio.sleep(SAMPLE_S)
