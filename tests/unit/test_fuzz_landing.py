"""The whole path from raw bytes to landed rows, fuzzed: processing, alerts, the batch plan, the
Parquet write and DuckDB reading it back. Never an exception; every offset lands exactly once,
as a row of its topic's table or as a rejection with a reason and a dead letter."""

from __future__ import annotations

import base64
import json
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.contract.reasons import REASONS
from streams.contract.topics import source_topic
from streams.processing import Message, find_alerts, process
from streams.sink import Lander, plan_batch
from tests import factories as f
from tests.unit.clean_fixtures import CTX, TOPIC_NAMES, VALID
from warehouse.landing.zone import LandingZone

RECEIVED_MS = int(f.NOW.timestamp() * 1000) + 20 * 60_000

# Values that once stopped a worker or leaked past a check, by the JSON type they stand in for.
TEXT_EDGES: list[Any] = [
    "", " ", "\x00", "Nguyễn\x00", "\ud800", "x" * 5000, "I0-OI 2I4.5O", "30/02/2024",
    "0001-01-01", "9999-12-31", "0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59-05:00",
    "9999-12-31T00:00:00Z", "2026-11-20T21:14:05", "1899-12-31T23:59:59Z",
]  # fmt: skip
NUMBER_EDGES: list[Any] = [
    2**31, 2**31 - 1, -(2**31) - 1, 2**63 - 1, 2**64, 10**400, 1e308, -0.0, float("nan"),
    float("inf"), True,
]  # fmt: skip
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=40)
    | st.sampled_from(TEXT_EDGES + NUMBER_EDGES),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def field_values(current: Any) -> st.SearchStrategy[Any]:
    """Half the time an edge of the field's own JSON type, else anything JSON can say."""
    edges = TEXT_EDGES if isinstance(current, str) else NUMBER_EDGES
    return st.one_of(st.sampled_from(edges), json_values)


def _dumps(value: Any, ascii_only: bool) -> bytes:
    # The standard library writes what orjson refuses: huge integers, NaN, lone surrogates.
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@st.composite
def mutated_event(draw: st.DrawFn, topic: str) -> bytes:
    """A valid event with one to three fields, perhaps nested, replaced, removed or added."""
    event: dict[str, Any] = orjson.loads(orjson.dumps(VALID[topic]))
    for _ in range(draw(st.integers(1, 3))):
        target = event
        for nested in ("guest", "person"):
            if isinstance(event.get(nested), dict) and draw(st.booleans()):
                target = event[nested]
        field = draw(st.sampled_from([*sorted(target), "id_type", "extra"]))
        if draw(st.integers(0, 3)) == 0:
            target.pop(field, None)
        else:
            target[field] = draw(field_values(target.get(field)))
    return _dumps(event, draw(st.booleans()))


@st.composite
def spoiled_text(draw: st.DrawFn, topic: str) -> bytes:
    """A valid event's text truncated, with a stray byte, or with a key written twice."""
    text = orjson.dumps(VALID[topic])
    at = draw(st.integers(0, len(text)))
    kind = draw(st.sampled_from(["cut", "byte", "twice"]))
    if kind == "cut":
        return text[:at]
    if kind == "byte":
        return text[:at] + draw(st.binary(min_size=1, max_size=2)) + text[at:]
    field = draw(st.sampled_from(sorted(VALID[topic])))
    again = _dumps({field: draw(field_values(VALID[topic][field]))}, True)[1:-1]
    return text[:-1] + b"," + again + b"}"


@st.composite
def batches(draw: st.DrawFn) -> tuple[str, list[Message]]:
    topic = draw(st.sampled_from(TOPIC_NAMES))
    valid_key = f.key_of(topic, VALID[topic])
    values = st.one_of(
        mutated_event(topic),
        mutated_event(topic),
        mutated_event(topic),
        spoiled_text(topic),
        st.binary(max_size=120),
        st.just(orjson.dumps(VALID[topic])),
        st.none(),
    )
    keys = st.one_of(st.just(valid_key), st.just(valid_key), st.none(), st.binary(max_size=16))
    stamps = st.one_of(st.just(RECEIVED_MS), st.integers(-(2**63), 2**63 - 1))
    messages: list[Message] = []
    for offset in range(draw(st.integers(1, 6))):
        partition = draw(st.integers(0, 1))
        messages.append(Message(topic, partition, offset, draw(keys), draw(values), draw(stamps)))
    return topic, messages


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(batch=batches())
def test_any_bytes_land_exactly_once_as_a_row_or_a_rejection(
    batch: tuple[str, list[Message]],
) -> None:
    topic, messages = batch
    spec = source_topic(topic)
    outcomes = process(messages, CTX)
    plan = plan_batch(spec, outcomes, find_alerts(outcomes, CTX), "fuzz-load", CTX.now)
    # Durability is not under test here, and fsync would take most of the time.
    with tempfile.TemporaryDirectory() as root, mock.patch("os.fsync"):
        zone = LandingZone(Path(root))
        Lander(zone).write(plan)
        # The topic's own file is written for every partition, even empty; rejected only if any.
        query = f"SELECT source_partition, source_offset, 'row' FROM '{zone.glob(spec.table)}'"
        if plan.count("rejected"):
            query += (
                " UNION ALL SELECT source_partition, source_offset, reason_codes[1]"
                f" FROM '{zone.glob('rejected')}'"
            )
        landed = duckdb.sql(query).fetchall()
    assert sorted((p, o) for p, o, _ in landed) == sorted((m.partition, m.offset) for m in messages)
    assert all(outcome in ("row", *REASONS) for _, _, outcome in landed)
    rejected = [o for o in outcomes if o.rejection is not None]
    assert len(plan.deadletters) == len(rejected)
    for letter, outcome in zip(plan.deadletters, rejected, strict=True):
        value_b64 = orjson.loads(letter.value)["value_b64"]
        original = base64.b64decode(value_b64) if value_b64 is not None else None
        assert original == outcome.message.value
