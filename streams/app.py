"""The Faust application: one agent per source topic, each a thin loop around ``BatchWorker``.

Agents take batches with ``stream.take_events``, which acknowledges a batch's events only after
the loop body returns, so Kafka offsets are committed after the batch is durable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import faust

from pipelines.settings import Settings
from streams.contract.topics import SOURCE_TOPICS, TopicSpec
from streams.sink import KafkaRecord
from streams.worker import BatchWorker, message_from_faust

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def _raw_topic(app: faust.App, name: str) -> Any:
    # Raw bytes in and out: the processors parse JSON themselves so that a malformed message
    # becomes a dead letter with its original bytes instead of a deserialisation crash.
    return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw",
                     value_serializer="raw")  # fmt: skip


def create_app(settings: Settings) -> faust.App:
    """A Faust app wired to the broker, with an agent for every source topic."""
    app = faust.App(
        settings.app_id,
        broker=f"kafka://{settings.bootstrap_servers}",
        store="memory://",
        datadir=str(settings.worker_state_dir),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=1.0,
        producer_acks=-1,
        web_enabled=False,
    )
    outputs = {name: _raw_topic(app, name) for name in ("deadletter", "alerts")}

    async def send(topic: str, records: Sequence[KafkaRecord]) -> None:
        if not records:
            return
        channel = outputs[topic]
        pending = [await channel.send(key=r.key, value=r.value) for r in records]
        await asyncio.gather(*pending)

    worker = BatchWorker(settings, send)
    for spec in SOURCE_TOPICS:
        _add_agent(app, worker, spec)

    @app.timer(interval=10.0)
    async def report_progress() -> None:
        log.info("progress: %s", worker.progress_line())

    app.batch_worker = worker  # type: ignore[attr-defined]
    return app


def _add_agent(app: faust.App, worker: BatchWorker, spec: TopicSpec) -> None:
    async def agent(stream: faust.StreamT[bytes]) -> None:
        async for events in stream.take_events(
            worker.settings.batch_max, within=worker.settings.batch_within_s
        ):
            await worker.handle(spec, [message_from_faust(e) for e in events])

    agent.__name__ = f"land_{spec.table}"
    app.agent(_raw_topic(app, spec.name), name=agent.__name__)(agent)
