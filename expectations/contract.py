"""Allowed values of a landed column, read from the event contract's JSON Schemas (not copied)."""

from __future__ import annotations

from typing import Any, cast

from streams.contract.topics import TopicName
from streams.contract.validate import load_schema

__all__ = ["contract_enum"]


def contract_enum(reference: str) -> list[str | int]:
    """The non-null values of ``topic:property.path``, e.g. ``lodging.checkins:guest.sex``.

    NULL is left out: whether a column may be NULL is the suite's own ``not_null`` statement.
    """
    topic, _, path = reference.partition(":")
    node: dict[str, Any] = load_schema(cast(TopicName, topic))
    try:
        for name in path.split("."):
            node = node["properties"][name]
        values: list[str | int | None] = node["enum"]
    except KeyError:
        raise KeyError(f"the contract has no enum at {reference!r}") from None
    return [value for value in values if value is not None]
