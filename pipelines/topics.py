"""Creates the contract's topics and reads their offsets, for setup and for reconciliation.

Topics are created from ``streams.contract.topics.TOPICS`` only (the broker refuses to create
topics on first use), so a topic's partitions and retention are decided here, once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from kafka import KafkaAdminClient, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, OffsetSpec
from kafka.errors import KafkaError, RetriableError, TopicAlreadyExistsError, for_code

from antt.kafka import client_options
from antt.settings import Settings
from pipelines.broker import BrokerError
from streams.contract.limits import DEADLETTER_MAX_BYTES, SOURCE_MAX_BYTES
from streams.contract.topics import TOPICS, TopicSpec

__all__ = ["create_topics", "group_offsets", "topic_configs", "topic_offsets"]

log = logging.getLogger(__name__)

_TIMEOUT_MS = 30_000
# Events are judged "in the future" against their record timestamp (streams/cleaning/context.py),
# which producers set: the broker refuses one more than this ahead of its own clock.
_RECORD_AHEAD_MAX_MS = 60 * 60 * 1000
# Safe to change on a live topic, and set on existing topics too: a dead-letter topic created
# before its limit was raised would turn every large rejected message into a crash loop.
_LIMITS = ("max.message.bytes", "message.timestamp.after.max.ms")


def topic_configs(spec: TopicSpec) -> dict[str, str]:
    """The topic-level configs that differ from the broker defaults for one topic."""
    configs: dict[str, str] = {}
    if spec.compacted:
        # Reference topics carry the latest version of each entity; compaction keeps exactly that.
        configs["cleanup.policy"] = "compact"
    else:
        # Kafka ages data out by record timestamp, and records carry their event time (a backfill
        # or a late source can be months old): time-based retention would delete them before they
        # land. Nothing is aged out: dead letters and alerts are the audit trail, and the source
        # topics are what a rebuilt warehouse is replayed from.
        configs["retention.ms"] = "-1"
    if spec.is_source:
        configs["max.message.bytes"] = str(SOURCE_MAX_BYTES)
        configs["message.timestamp.after.max.ms"] = str(_RECORD_AHEAD_MAX_MS)
    elif spec.name == "deadletter":
        configs["max.message.bytes"] = str(DEADLETTER_MAX_BYTES)
    return configs


def create_topics(settings: Settings) -> list[str]:
    """Creates every contract topic that is missing; returns the names it created.

    Existing topics keep their partitions and retention: changing the partition count of a live
    topic would move keys between partitions, so that is an operator's decision. Only their
    message size and timestamp limits are brought up to the contract's.
    """
    with _admin(settings) as admin:
        existing = set(admin.list_topics())
        _align_limits(admin, [spec for spec in TOPICS if spec.name in existing])
        wanted = {
            spec.name: {
                "num_partitions": settings.partitions,
                "replication_factor": settings.replication,
                "configs": topic_configs(spec),
            }
            for spec in TOPICS
            if spec.name not in existing
        }
        if not wanted:
            log.info("all %d topics exist already", len(TOPICS))
            return []
        response = admin.create_topics(wanted, timeout_ms=_TIMEOUT_MS, raise_errors=False)
        created: list[str] = []
        for result in response["topics"]:
            error = for_code(result["error_code"]) if result["error_code"] else None
            if error is None:
                created.append(result["name"])
            elif error is not TopicAlreadyExistsError:  # another process won a race: fine
                message = result.get("error_message") or error.__name__
                raise BrokerError(f"could not create topic {result['name']}: {message}")
        # A created topic has no partition leader for a moment; producers started right after
        # setup would otherwise fail their first sends.
        admin.wait_for_topics(created, timeout_ms=_TIMEOUT_MS)
    ordered: list[str] = [spec.name for spec in TOPICS if spec.name in created]
    log.info("created %d topics: %s", len(ordered), ", ".join(ordered))
    return ordered


def _align_limits(admin: Any, specs: list[TopicSpec]) -> None:
    resources = [
        ConfigResource(
            ConfigResourceType.TOPIC,
            spec.name,
            configs={k: v for k, v in topic_configs(spec).items() if k in _LIMITS},
        )
        for spec in specs
        if any(k in _LIMITS for k in topic_configs(spec))
    ]
    if not resources:
        return
    results = admin.alter_configs(resources).get("topic", {})
    failed = {name: result for name, result in results.items() if result != "OK"}
    if failed:
        raise BrokerError(f"could not set the message limits of topics: {failed}")


def topic_offsets(
    settings: Settings, topics: Iterable[str]
) -> dict[str, dict[int, tuple[int, int]]]:
    """(earliest, latest) offset of every partition of ``topics``; latest is the next offset."""
    names = list(dict.fromkeys(topics))
    if not names:
        return {}
    with _admin(settings) as admin:
        partitions: list[TopicPartition] = []
        for description in admin.describe_topics(names):
            if description["error_code"]:
                error = for_code(description["error_code"]).__name__
                raise BrokerError(f"cannot read offsets of topic {description['name']}: {error}")
            partitions.extend(
                TopicPartition(description["name"], p["partition_index"])
                for p in description["partitions"]
            )
        earliest = admin.list_partition_offsets(dict.fromkeys(partitions, OffsetSpec.EARLIEST))
        latest = admin.list_partition_offsets(dict.fromkeys(partitions, OffsetSpec.LATEST))
    result: dict[str, dict[int, tuple[int, int]]] = {name: {} for name in names}
    for tp in sorted(partitions):
        result[tp.topic][tp.partition] = (int(earliest[tp].offset), int(latest[tp].offset))
    return result


def group_offsets(settings: Settings, group_id: str) -> dict[str, dict[int, int]]:
    """The offsets ``group_id`` has committed, per topic and partition; empty for a new group."""
    with _admin(settings) as admin:
        deadline = time.monotonic() + _TIMEOUT_MS / 1000
        while True:
            try:
                answer = admin.list_group_offsets({group_id: None})
                break
            except RetriableError:
                # The first group lookup on a fresh broker creates __consumer_offsets, and the
                # coordinator is unavailable until that finishes, typically within seconds.
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.5)
    committed: dict[Any, Any] = answer.get(group_id, {})
    result: dict[str, dict[int, int]] = {}
    for tp, offset in sorted(committed.items()):
        # -1 marks a partition the group knows of but never committed on.
        if offset.offset >= 0:
            result.setdefault(tp.topic, {})[tp.partition] = int(offset.offset)
    return result


@contextmanager
def _admin(settings: Settings) -> Iterator[Any]:
    try:
        admin = KafkaAdminClient(
            **client_options(settings),
            client_id=f"{settings.app_id}-topics",
            request_timeout_ms=_TIMEOUT_MS,
            bootstrap_timeout_ms=10_000,
        )
    except KafkaError as exc:
        raise BrokerError(
            f"no Kafka broker answers at {settings.bootstrap_servers} ({type(exc).__name__}); "
            "start it with `antt broker start` or check ANTT_KAFKA_HOST / ANTT_KAFKA_PORT"
        ) from exc
    try:
        yield admin
    finally:
        admin.close()
