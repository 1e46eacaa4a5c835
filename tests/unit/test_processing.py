"""The processors run on values without a broker: any bytes in, a row or a reasoned rejection."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, get_args

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.contract.reasons import REASONS, ReasonCode
from streams.contract.topics import SOURCE_TOPICS
from streams.contract.validate import load_schema, parse_event
from streams.processing import Outcome, clean_message, find_alerts, process
from tests import factories as f
from tests.unit.clean_fixtures import CTX, PLATE_KEY, PSEUDO, TOPIC_NAMES, VALID


def _reason(outcome: Outcome) -> ReasonCode | None:
    return outcome.rejection.reasons[0] if outcome.rejection else None


def test_every_reason_code_has_a_meaning() -> None:
    assert set(REASONS) == set(get_args(ReasonCode))


def test_published_examples_follow_their_schemas() -> None:
    for spec in SOURCE_TOPICS:
        for example in load_schema(spec.name)["examples"]:
            assert parse_event(spec.name, json.dumps(example).encode()) == example


def test_valid_events_of_every_topic_are_accepted() -> None:
    for topic, event in VALID.items():
        outcome = clean_message(f.message(topic, event), CTX)
        assert outcome.rejection is None, (topic, outcome.rejection)


def test_processing_without_a_broker() -> None:
    outcomes = process(
        [
            f.message("camera.events", f.camera_event("a", plate="65b1.234-56"), offset=0),
            f.message("camera.events", f.camera_event("b", camera_id="CAM-2"), offset=1),
            f.message("camera.events", b"\xff\xfe", key=b"CAM-1", offset=2),
            f.message("camera.events", f.camera_event("c", confidence=1.5), offset=3),
            f.message("camera.events", f.camera_event("d"), key=None, offset=4),
        ],
        CTX,
    )
    assert [_reason(o) for o in outcomes] == [
        None, "unknown_camera", "malformed_json", "invalid_field", None
    ]  # fmt: skip
    row = outcomes[0].row
    assert row is not None
    assert (row["plate_status"], row["plate_key"], row["ward_code"]) == (
        "readable",
        PLATE_KEY,
        f.WARD,
    )
    alerts = find_alerts(outcomes, CTX)
    assert [(a["entry_id"], a["source_event_id"]) for _, a in alerts] == [
        ("WL-1", "a"),
        ("WL-1", "d"),
    ]


def test_a_batch_has_the_outcomes_of_its_messages_cleaned_one_by_one() -> None:
    # process parses the whole batch before cleaning any of it: nothing may change but the order
    # of the steps, whatever mix of topics, rejections, tombstones and rows a batch holds.
    batch = [
        f.message(topic, event, offset=i) for i, (topic, event) in enumerate(VALID.items())
    ] + [
        f.message("population.updates", f.population(), key=b"001234567890", offset=10),
        f.message("camera.events", b'{"schema_version": 1', key=b"CAM-1", offset=11),
        f.message("ref.cameras", None, key=b"CAM-1", offset=12),
        f.message("camera.events", None, key=b"CAM-1", offset=13),
        f.message("camera.events", f.camera_event("late", camera_id="CAM-9"), offset=14),
        f.message("lodging.checkins", f.checkin(), offset=15, received_at=datetime(1800, 1, 1)),
    ]
    outcomes = process(batch, CTX)
    assert outcomes == [clean_message(message, CTX) for message in batch]
    assert [_reason(o) for o in outcomes] == [None] * len(VALID) + [
        "key_mismatch", "malformed_json", None, "malformed_json", "unknown_camera",
        "invalid_timestamp",
    ]  # fmt: skip
    assert outcomes[len(VALID) + 2].row == {"camera_id": "CAM-1", "is_deleted": True}


def test_a_missing_key_is_a_key_mismatch() -> None:
    message = f.message("camera.events", f.camera_event())
    keyless = type(message)(message.topic, 0, 0, None, message.value, message.timestamp_ms)
    assert _reason(clean_message(keyless, CTX)) == "key_mismatch"


def test_lodging_enrichment() -> None:
    late = f.message(
        "lodging.checkins", f.checkin(), received_at=datetime(2026, 11, 20, 16, 1, tzinfo=UTC)
    )
    on_time = f.message(
        "lodging.checkins", f.checkin(), received_at=datetime(2026, 11, 20, 15, 59, tzinfo=UTC)
    )
    foreign = f.message(
        "lodging.checkins",
        f.checkin(
            guest=f.guest(id_type="passport", id_number="C1234567", nationality="kr", phone=None)
        ),
    )
    rows = [clean_message(m, CTX).row for m in (late, on_time, foreign)]
    assert [r["is_notified_on_time"] for r in rows if r] == [False, True, True]
    assert rows[0] is not None and (rows[0]["guest_age"], rows[0]["guest_age_band"]) == (
        31,
        "14_plus",
    )
    assert rows[0]["guest_birth_province_code"] == 93 and rows[0]["is_foreigner"] is False
    assert rows[2] is not None and (rows[2]["guest_nationality"], rows[2]["is_foreigner"]) == (
        "KR",
        True,
    )
    assert rows[2]["guest_key"] == PSEUDO("person", "P:C1234567")  # fmt: skip


def test_the_same_person_has_one_pseudonym_across_streams() -> None:
    guest = clean_message(f.message("lodging.checkins", f.checkin()), CTX).row
    resident = clean_message(f.message("population.updates", f.population()), CTX).row
    assert guest is not None and resident is not None
    assert guest["guest_key"] == resident["person_key"] == PSEUDO("person", f"VN:{f.CCCD}")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    topic=st.sampled_from(TOPIC_NAMES),
    value=st.binary(max_size=200),
    key=st.none() | st.binary(max_size=20),
)
def test_any_bytes_give_a_row_or_a_reasoned_rejection(
    topic: str, value: bytes, key: bytes | None
) -> None:
    _assert_total(f.message(topic, value, key=key))


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(topic=st.sampled_from(TOPIC_NAMES), data=st.data())
def test_any_field_value_gives_a_row_or_a_reasoned_rejection(
    topic: str, data: st.DataObject
) -> None:
    event: dict[str, Any] = json.loads(json.dumps(VALID[topic]))
    target = event
    if "guest" in event and data.draw(st.booleans()):
        target = event["guest"]
    elif "person" in event and data.draw(st.booleans()):
        target = event["person"]
    field = data.draw(st.sampled_from(sorted(target)))
    target[field] = data.draw(json_values | st.text(max_size=30))
    key = f.key_of(topic, VALID[topic])
    _assert_total(f.message(topic, orjson.dumps(event), key=key))


def _assert_total(message: Any) -> None:
    outcome = clean_message(message, CTX)
    assert (outcome.row is None) != (outcome.rejection is None)
    if outcome.rejection is not None:
        assert outcome.rejection.reasons and set(outcome.rejection.reasons) <= set(REASONS)
        assert outcome.rejection.message
