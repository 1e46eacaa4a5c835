"""The Faust application: one agent per source topic, each a thin loop around ``BatchWorker``.

Agents take batches with ``stream.take_events``, which acknowledges a batch's events only after
the loop body returns, so Kafka offsets are committed after the batch is durable.

The agent on ``population.updates`` also keeps the population registry, in the same batch and
from the same cleaned outcomes (one stream per event, not two): a Faust global table in RocksDB
under the process's own slot of ``Settings.worker_state_dir`` whose changelog topic is the durable
copy. A worker with an empty state folder rebuilds it from there before its agents take any
event. It is global because check-ins look guests up by pseudonym, and a worker's lodging
partitions say nothing about which population partitions hold its guests.

A task follows every partition of the ref.* topics into the process's reference store, whichever
partitions the group gives its agents (``streams.reference.follower``). Any failure in an agent
or that task ends the process with exit 75 (``streams.failure``).

Another task serves /metrics and /healthz on 127.0.0.1 for ``antt status`` and Prometheus
(``streams.health``); the batches feed it one call each.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final, cast

import faust

from antt.kafka import client_options, faust_options
from antt.settings import Settings
from streams.assignor import ChangelogAssignor
from streams.contexts import ContextFactory
from streams.contract.limits import DEADLETTER_MAX_BYTES
from streams.contract.topics import SOURCE_TOPICS, TopicSpec
from streams.delivery import DeliveryCheck
from streams.failure import step
from streams.flow import FlowKeptOnResume
from streams.health.endpoint import serve_health
from streams.health.metrics import WorkerMetrics
from streams.population.keeper import RegistryKeeper
from streams.population.registry import Resident
from streams.population.store import SCHEME as store_scheme
from streams.population.writer import RegistryWriter
from streams.processing import Message, Outcome
from streams.reference.follower import ReferenceFollower
from streams.reference.store import ReferenceStore
from streams.sink import KafkaRecord
from streams.state_slot import claim_state_slot
from streams.transport import Transport
from streams.worker import BatchWorker, message_from_faust

__all__ = ["consumer_options", "create_app"]

log = logging.getLogger(__name__)

# Faust stops fetching a partition once its stream's queue holds 80% of this, until it is down to
# 40%; the default 4,096 against batches of 2,000 left the agent waiting for its next batch.
# 16,384 measured 19% more camera events/s and 10% more registry updates/s than the default
# (docs/performance.md); 32,768 no more.
_STREAM_BUFFER_MAXSIZE: Final = 16_384


def consumer_options(settings: Settings) -> dict[str, Any]:
    """How the worker's Faust app reads: broker, partitions, commits, group session, buffers.

    The count-only agent of ``antt bench throughput`` reads with the same options.
    """
    return {
        **faust_options(settings),
        "topic_partitions": settings.partitions,
        "topic_replication_factor": settings.replication,
        "consumer_auto_offset_reset": "earliest",
        "broker_commit_interval": 1.0,
        # A worker killed without leaving its group holds its partitions until the session
        # expires; Faust's 60 s default would stall every crash restart for a minute.
        "broker_session_timeout": 10.0,
        "broker_heartbeat_interval": 3.0,
        "stream_buffer_maxsize": _STREAM_BUFFER_MAXSIZE,
        "web_enabled": False,
    }


def _raw_topic(app: faust.App, name: str) -> Any:
    # Raw bytes in and out: the processors parse JSON themselves so that a malformed message
    # becomes a dead letter with its original bytes instead of a deserialisation crash.
    return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw",
                     value_serializer="raw")  # fmt: skip


def create_app(settings: Settings) -> faust.App:
    """A Faust app wired to the broker, with an agent for every source topic."""
    # A folder of its own: a second worker on this machine would block on RocksDB's lock.
    slot = claim_state_slot(settings.worker_state_dir)
    log.info("worker state folder: %s", slot.path)
    app = faust.App(
        settings.app_id,
        **consumer_options(settings),
        # The registry's RocksDB store. App-wide, not on the table: Faust ignores a table's own
        # "scheme://" (a URL with only a scheme is falsy) and would silently keep it in memory.
        store=f"{store_scheme}://",
        datadir=str(slot.path),
        producer_acks=-1,
        # A dead letter of the largest message a source topic accepts must still be sendable.
        producer_max_request_size=DEADLETTER_MAX_BYTES,
        PartitionAssignor=ChangelogAssignor,
    )
    # Before any channel exists: queues register with the flow control when they are made.
    app.flow_control = FlowKeptOnResume()
    app.transport = Transport(app.conf.broker_consumer, app)
    outputs = {name: _raw_topic(app, name) for name in ("deadletter", "alerts")}

    async def send(topic: str, records: Sequence[KafkaRecord]) -> None:
        if not records:
            return
        channel = outputs[topic]
        pending = [await channel.send(key=r.key, value=r.value) for r in records]
        await asyncio.gather(*pending)

    registry = app.GlobalTable("population_registry", key_type=str, value_type=Resident)
    store = ReferenceStore()
    contexts = ContextFactory(settings, store, registry)
    follower = ReferenceFollower(
        client_options(settings),
        store,
        contexts,
        settings.reference_timeout_s,
        stopping=lambda: bool(app.should_stop),
    )
    records_at = DeliveryCheck(client_options(settings), settings.reference_timeout_s)
    worker = BatchWorker(settings, send, contexts, follower, records_at)
    keeper = RegistryKeeper(registry, contexts)
    writer = RegistryWriter(cast("faust.GlobalTable", registry))

    async def update_registry(batch: _Batch, outcomes: Sequence[Outcome]) -> None:
        await writer.write(keeper.fold(batch, outcomes))

    for spec in SOURCE_TOPICS:
        keeps_registry = spec.name == "population.updates"
        _add_agent(app, worker, spec, update_registry if keeps_registry else None)

    async def follow_references() -> None:
        with step("ref.*", "follow the reference topics"):
            await follower.run()

    app.task(follow_references)

    async def report_progress() -> None:
        registry = f"; registry: {keeper.registered} updates applied" if keeper.registered else ""
        log.info("progress: %s%s", worker.progress_line(), registry)

    # Registered by call rather than as a decorator: ``App.timer`` returns a bare ``Callable``.
    app.timer(interval=10.0)(report_progress)

    metrics = WorkerMetrics(
        worker.counts,
        worker.batch_counts,
        [spec.name for spec in SOURCE_TOPICS],
        stopping=lambda: bool(app.should_stop),
        started_at=time.time(),
    )

    async def serve_metrics() -> None:
        await serve_health(app, settings, slot.path, metrics, lambda: len(registry))

    app.task(serve_metrics)

    app.batch_worker = worker  # type: ignore[attr-defined]
    return app


_Batch = Sequence[tuple[faust.EventT[bytes], Message]]


def _add_agent(
    app: faust.App,
    worker: BatchWorker,
    spec: TopicSpec,
    update_registry: Callable[[_Batch, Sequence[Outcome]], Awaitable[None]] | None,
) -> None:
    async def agent(stream: faust.StreamT[bytes]) -> None:
        # Agents are given a ``Stream``; its ``StreamT`` interface does not declare take_events.
        batches = cast("faust.Stream[bytes]", stream).take_events(
            worker.settings.batch_max, within=worker.settings.batch_within_s
        )
        # Faust restarts an agent whose loop raised, and the restarted one lands nothing: any
        # failure, in a batch or in taking one, ends the process instead (streams.failure).
        with step(spec.name, "take a batch"):
            async for events in batches:
                messages = [message_from_faust(e) for e in events]
                outcomes = await worker.handle(spec, messages)
                if update_registry is not None:
                    # After landing, before the acknowledgement: the broker holds the changelog
                    # records before the offsets are committed, and a replay folds the batch again.
                    with step(spec.name, "update the registry"):
                        await update_registry(list(zip(events, messages, strict=True)), outcomes)

    agent.__name__ = f"land_{spec.table}"
    app.agent(_raw_topic(app, spec.name), name=agent.__name__)(agent)
