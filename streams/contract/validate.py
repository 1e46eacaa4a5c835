"""Parse a message's bytes and check them against the topic's JSON Schema (contract version 1)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
import orjson

from streams.cleaning.reject import Reject
from streams.contract.topics import TopicName

__all__ = ["load_schema", "parse_event"]

Validator = Any  # fastjsonschema compiles to a plain callable without type hints


@cache
def load_schema(topic: TopicName) -> dict[str, Any]:
    """The published JSON Schema of a topic."""
    text = resources.files("streams.contract").joinpath(f"schemas/{topic}.v1.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(topic: TopicName) -> Validator:
    return fastjsonschema.compile(load_schema(topic))


def parse_event(topic: TopicName, value: bytes | None) -> dict[str, Any]:
    """The event as a dict, or a Reject naming the first contract violation."""
    if value is None:
        raise Reject("malformed_json", "the message has no value")
    try:
        event = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise Reject("malformed_json", f"not valid UTF-8 JSON: {exc}") from None
    if not isinstance(event, dict):
        raise Reject("not_an_object", f"expected a JSON object, got {type(event).__name__}")
    if event.get("schema_version") != 1:
        raise Reject(
            "unsupported_schema_version",
            f"schema_version is {event.get('schema_version')!r}; this platform reads version 1",
        )
    try:
        _validator(topic)(event)
    except fastjsonschema.JsonSchemaValueException as exc:
        field = (exc.name or "data").removeprefix("data").lstrip(".") or "the event"
        missing = exc.rule == "required" or (
            exc.value is None and exc.rule in ("type", "enum", "const")
        )
        if missing:
            raise Reject("missing_field", f"{field}: {exc.message}") from None
        raise Reject("invalid_field", f"{field}: {exc.message}") from None
    return event
