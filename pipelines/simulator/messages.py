"""The simulator's output: Kafka-ready messages, each labelled with what the platform should do.

A ``Draft`` is an event before it is encoded (a dict the dirty-data injector may still spoil);
a ``SimMessage`` is the final key, value bytes and Kafka timestamp. The label ``expected`` lets
tests and the reconciliation check the platform: "accept", "duplicate" or a reason code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import orjson

from streams.contract.reasons import ReasonCode
from streams.contract.topics import SourceTopic, source_topic

__all__ = ["Draft", "Expected", "Payload", "SimMessage", "encode", "key_of"]

Payload = dict[str, Any]
Expected = Literal["accept", "duplicate"] | ReasonCode


@dataclass(frozen=True, slots=True)
class SimMessage:
    """One message to produce, and the outcome the cleaning should reach for it."""

    topic: str
    key: bytes | None
    value: bytes
    timestamp_ms: int
    expected: Expected
    dirty_kind: str | None


@dataclass(slots=True)
class Draft:
    """An event being built: its topic, Kafka timestamp, payload and a tie-breaking sequence."""

    topic: SourceTopic
    timestamp_ms: int
    payload: Payload
    seq: int = 0


def key_of(topic: str, payload: Payload) -> bytes | None:
    """The contract's key for a payload: the value at the topic's (dotted) key field."""
    value: Any = payload
    for part in source_topic(topic).key_field.split("."):
        if not isinstance(value, dict) or value.get(part) is None:
            return None
        value = value[part]
    return str(value).encode()


def encode(
    draft: Draft,
    *,
    expected: Expected = "accept",
    dirty_kind: str | None = None,
    value: bytes | None = None,
    key_payload: Payload | None = None,
) -> SimMessage:
    """The message of a draft; ``value`` overrides the JSON (for deliberately broken bytes)."""
    return SimMessage(
        topic=draft.topic,
        key=key_of(draft.topic, key_payload if key_payload is not None else draft.payload),
        value=value if value is not None else orjson.dumps(draft.payload),
        timestamp_ms=draft.timestamp_ms,
        expected=expected,
        dirty_kind=dirty_kind,
    )
