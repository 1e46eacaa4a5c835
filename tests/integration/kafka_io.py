"""Producing and reading back records on the test broker, remembering where each one went."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import orjson
from kafka import KafkaConsumer, KafkaProducer

from antt.kafka import client_options
from antt.settings import Settings
from tests.factories import encode


@dataclass(frozen=True)
class Sent:
    topic: str
    partition: int
    offset: int
    value: bytes | None


class Producer:
    """Sends records one by one and waits for each, so the test knows every offset."""

    def __init__(self, settings: Settings) -> None:
        self._producer = KafkaProducer(**client_options(settings), acks="all")

    def event(self, topic: str, event: dict[str, Any], *, key: bytes | None = None) -> Sent:
        default_key, value = encode(topic, event)
        return self.raw(topic, key if key is not None else default_key, value)

    def raw(self, topic: str, key: bytes | None, value: bytes | None, **kwargs: Any) -> Sent:
        metadata = self._producer.send(topic, key=key, value=value, **kwargs).get(timeout=30)
        return Sent(topic, metadata.partition, metadata.offset, value)

    def many(self, topic: str, events: list[dict[str, Any]]) -> None:
        """Sends a bulk of events without waiting for each one."""
        for event in events:
            key, value = encode(topic, event)
            self._producer.send(topic, key=key, value=value)
        self._producer.flush(timeout=60)

    def close(self) -> None:
        self._producer.close()


def read_topic(settings: Settings, topic: str) -> list[dict[str, Any]]:
    """Every JSON value on a topic, from the beginning."""
    consumer = KafkaConsumer(
        topic,
        **client_options(settings),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=3000,
    )
    try:
        return [orjson.loads(record.value) for record in consumer]
    finally:
        consumer.close()


def original_bytes(deadletter: dict[str, Any]) -> bytes | None:
    encoded = deadletter["value_b64"]
    return None if encoded is None else base64.b64decode(encoded)
