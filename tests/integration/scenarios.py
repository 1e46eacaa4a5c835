"""Pieces the fault tests share: a worker with events landed, and what landed versus committed.

The counts read the landing zone's files directly (every file, replays included), so a row landed
twice shows up here even where the warehouse's views would keep one copy.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import duckdb
import orjson
from kafka import KafkaConsumer, TopicPartition

from antt.kafka import client_options
from antt.settings import Settings
from pipelines.reconcile import TopicBalance, reconcile
from pipelines.topics import group_offsets
from pipelines.worker_process import WorkerProcess
from streams.contract.topics import source_topic
from streams.population.registry import Resident
from tests import factories as f
from tests.integration.kafka_io import Producer, Sent
from warehouse.landing.zone import LandingZone, OwnTable

__all__ = [
    "Landed",
    "balance",
    "committed_past_landed",
    "land_camera_events",
    "landed",
    "landed_by",
    "landed_past_committed",
    "landed_rows",
    "read_registry",
    "share_camera_partitions",
    "wait_for_exit",
]


def land_camera_events(
    producer: Producer, worker: WorkerProcess, count: int, prefix: str = "cam"
) -> list[Sent]:
    """CAM-1 registered, then ``count`` of its events, all landed by the running ``worker``."""
    producer.event("ref.cameras", f.camera_ref("CAM-1"))
    sent = [producer.event("camera.events", f.camera_event(f"{prefix}-{i}")) for i in range(count)]
    worker.wait_until_reconciled(timeout_s=120)
    return sent


def landed_by(settings: Settings, table: str, event_prefix: str) -> dict[str, tuple[str, int]]:
    """event_id: the run id of the worker process that landed it, and its source partition."""
    glob = settings.landing_dir / table / OwnTable / "**" / "*.parquet"
    rows = duckdb.execute(
        f"SELECT event_id, load_id, source_partition FROM read_parquet('{glob}') "
        "WHERE starts_with(event_id, ?)",
        [event_prefix],
    ).fetchall()
    # A load id is the run id of the process and a batch number.
    return {event_id: (load_id.rsplit("-", 1)[0], p) for event_id, load_id, p in rows}


def share_camera_partitions(
    producer: Producer, workers: list[WorkerProcess], cameras: list[str]
) -> str:
    """Rounds of one event per camera until each running worker landed some; the last round's
    event-id prefix. The cameras' keys must fall on every partition of camera.events."""
    settings = workers[0].settings
    deadline = time.monotonic() + 180
    round_ = 0
    while True:
        round_ += 1
        prefix = f"warm-{round_}-"
        sent = [
            producer.event("camera.events", f.camera_event(f"{prefix}{c}", camera_id=c, plate=None))
            for c in cameras
        ]
        workers[0].wait_until_reconciled(timeout_s=120)
        assert {s.partition for s in sent} == set(range(settings.partitions))
        runs = {run for run, _ in landed_by(settings, "camera_events", prefix).values()}
        if len(runs) == len(workers):
            return prefix
        assert time.monotonic() < deadline, "the workers never shared camera.events"
        time.sleep(2)


def wait_for_exit(worker: WorkerProcess, timeout_s: float) -> int:
    """The exit code of a worker expected to end by itself within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while worker.alive():
        assert time.monotonic() < deadline, f"the worker is still up; see {worker.log_path}"
        time.sleep(0.2)
    code = worker.stop()
    assert code is not None
    return code


def landed_rows(settings: Settings, table: str) -> int:
    """Rows in every landed file of ``table``, replays included."""
    return landed(settings, table).rows


class Landed(NamedTuple):
    """Rows in a table's landed files, their distinct source offsets and distinct event ids."""

    rows: int
    offsets: int
    events: int


def landed(settings: Settings, table: str) -> Landed:
    """What the files of a topic's own table hold (zero before the worker's first file)."""
    folder = settings.landing_dir / table / OwnTable
    if not any(folder.rglob("*.parquet")):
        return Landed(0, 0, 0)
    rows, offsets, events = duckdb.execute(
        "SELECT count(*), count(DISTINCT (source_partition, source_offset)), "
        f"count(DISTINCT event_id) FROM read_parquet('{folder}/**/*.parquet')"
    ).fetchall()[0]
    return Landed(int(rows), int(offsets), int(events))


def _committed_and_landed(settings: Settings, topic: str) -> tuple[dict[int, int], dict[int, int]]:
    """Per partition: the group's committed offset (next to read) and the next unlanded offset."""
    table = source_topic(topic).table
    zone = LandingZone(settings.landing_dir)
    committed = group_offsets(settings, settings.app_id).get(topic, {})
    landed_next = {
        p: zone.landed_through(table, OwnTable, p) + 1 for p in range(settings.partitions)
    }
    return committed, landed_next


def committed_past_landed(settings: Settings, topic: str) -> dict[int, tuple[int, int]]:
    """Partitions whose committed offset runs ahead of what landed: {p: (committed, landed)}.

    Empty is the invariant: the group never commits an offset whose message is not durable.
    """
    committed, landed_next = _committed_and_landed(settings, topic)
    return {
        p: (offset, landed_next[p]) for p, offset in committed.items() if offset > landed_next[p]
    }


def landed_past_committed(settings: Settings, topic: str) -> int:
    """Offsets landed but not yet committed: what a crash now makes the restart replay."""
    committed, landed_next = _committed_and_landed(settings, topic)
    return sum(max(0, n - committed.get(p, 0)) for p, n in landed_next.items())


def balance(settings: Settings, topic: str) -> TopicBalance:
    """Reconcile's balance of one topic."""
    return next(b for b in reconcile(settings) if b.topic == topic)


def read_registry(settings: Settings) -> dict[str, Resident]:
    """The population registry as its durable copy, the table's changelog topic, holds it."""
    topic = f"{settings.app_id}-population_registry-changelog"
    consumer = KafkaConsumer(enable_auto_commit=False, **client_options(settings))
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        residents: dict[str, Resident] = {}
        deadline = time.monotonic() + 60
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            assert time.monotonic() < deadline, f"{topic} was not read to its end"
            for records in consumer.poll(timeout_ms=1000).values():
                for record in records:
                    # Faust's table serializer is JSON for the key and the record alike.
                    key = orjson.loads(record.key)
                    residents[key] = Resident.from_data(orjson.loads(record.value))
    finally:
        consumer.close()
    return residents
