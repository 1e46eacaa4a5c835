"""Parse a message's bytes and check them against the topic's JSON Schema (contract version 1)."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any, Final

import fastjsonschema
import orjson

from streams.cleaning.reject import Reject
from streams.contract.topics import TopicName

__all__ = ["load_schema", "parse_event"]

Validator = Any  # fastjsonschema compiles to a plain callable without type hints

# Every JSON string, so that a colon after one marks an object key and a colon inside one does not.
_STRING: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"\s*(:?)')
# Without a backslash no string holds a quote, so a quote before a colon always ends a key.
_KEY_END: Final = re.compile(rb'"[ \t\n\r]*:')
# fastjsonschema's messages for these rules quote the schema, never the value; the others (for
# example additionalProperties) may name a producer's own keys, which can be anything.
_QUOTABLE_RULES: Final = frozenset(
    {"type", "enum", "const", "pattern", "format", "minLength", "maxLength", "minimum", "maximum",
     "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "multipleOf"}
)  # fmt: skip


@cache
def load_schema(topic: TopicName) -> dict[str, Any]:
    """The published JSON Schema of a topic."""
    text = resources.files("streams.contract").joinpath(f"schemas/{topic}.v1.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(topic: TopicName) -> Validator:
    return fastjsonschema.compile(load_schema(topic))


def _keys(document: bytes) -> int:
    """How many object keys a valid JSON document spells out."""
    if b"\\" not in document:
        return len(_KEY_END.findall(document))  # the common case, several times faster
    return _STRING.findall(document).count(b":")


def _parsed_keys(value: Any) -> int:
    """How many keys the objects of a parsed document hold (a duplicate key is held once)."""
    # Iterative: orjson accepts nesting deeper than Python's recursion limit.
    count, stack = 0, [value]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            count += len(node)
            stack.extend(node.values())
        elif type(node) is list:
            stack.extend(node)
    return count


def _has_nul(value: Any) -> bool:
    # Iterative: orjson accepts nesting deeper than Python's recursion limit.
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return True
        elif isinstance(node, dict):
            stack.extend(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _contract_violation(exc: fastjsonschema.JsonSchemaValueException) -> Reject:
    field = (exc.name or "data").removeprefix("data").lstrip(".") or "the event"
    if exc.rule == "required" and isinstance(exc.value, dict):
        absent = [name for name in exc.rule_definition if name not in exc.value]
        return Reject("missing_field", f"{field}: {', '.join(absent)} absent")
    if exc.value is None and exc.rule in ("type", "enum", "const"):
        return Reject("missing_field", f"{field} is null")
    # Messages land in an analyst-facing table: they name the field and rule, never the value.
    if exc.rule in _QUOTABLE_RULES:
        detail = exc.message.removeprefix(exc.name or "").strip()
        return Reject("invalid_field", f"{field} {detail}")
    return Reject("invalid_field", f"{field} breaks the contract's {exc.rule} rule")


def parse_event(topic: TopicName, value: bytes | None) -> dict[str, Any]:
    """The event as a dict, or a Reject naming the first contract violation."""
    if value is None:
        raise Reject("malformed_json", "the message has no value")
    try:
        event = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        # orjson's messages give the position, never the content.
        raise Reject("malformed_json", f"not valid UTF-8 JSON: {exc}") from None
    if not isinstance(event, dict):
        raise Reject("not_an_object", f"expected a JSON object, got {type(event).__name__}")
    # RFC 8259 leaves duplicate keys to the parser, which keeps the last: a producer could send
    # schema_version 2 and then 1. The parsed event holds one key per distinct member.
    if _keys(value) != _parsed_keys(event):
        raise Reject("malformed_json", "an object has the same key twice")
    if b"\\u0000" in value and _has_nul(event):
        raise Reject("invalid_field", "a string contains a NUL character")
    version = event.get("schema_version")
    if type(version) is not int or version != 1:  # true == 1 in Python, not in the contract
        raise Reject(
            "unsupported_schema_version",
            "schema_version is missing or not the integer 1; this platform reads version 1",
        )
    try:
        _validator(topic)(event)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise _contract_violation(exc) from None
    return event
