"""Poison messages, kept as regression inputs: each one stopped a worker once; now each is a
rejection with its reason code, lands, and names what is wrong without repeating the value."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.topics import topic_configs
from streams.contract.limits import DEADLETTER_MAX_BYTES, SOURCE_MAX_BYTES
from streams.contract.reasons import ReasonCode
from streams.contract.topics import DEADLETTER, source_topic
from streams.processing import Message, Outcome, clean_message, find_alerts, process
from streams.reference.models import WatchEntry
from streams.sink import Lander, plan_batch
from tests import factories as f
from tests.unit.clean_fixtures import CTX, PSEUDO, VALID
from warehouse.landing.zone import LandingZone

YEAR_1 = "0001-01-01T00:00:00+07:00"
YEAR_9999 = "9999-12-31T23:59:59-05:00"


def _outcome(topic: str, event: dict[str, Any] | bytes | None, **kwargs: Any) -> Outcome:
    return clean_message(f.message(topic, event, **kwargs), CTX)


def _reason(outcome: Outcome) -> ReasonCode | None:
    return outcome.rejection.reasons[0] if outcome.rejection else None


def _raw(topic: str, text: bytes) -> Outcome:
    """A hand-written JSON text (duplicate keys cannot be built from a dict)."""
    return _outcome(topic, text, key=f.key_of(topic, VALID[topic]))


def test_a_number_beyond_its_landed_column_is_rejected_and_the_batch_lands(
    tmp_path: Path,
) -> None:
    outcomes = process(
        [
            f.message("incident.reports", f.report("INC-1", deaths=2**31), offset=0),
            f.message("incident.reports", f.report("INC-2", injuries=2**31 - 1), offset=1),
        ],
        CTX,
    )
    assert [_reason(o) for o in outcomes] == ["invalid_field", None]
    rejection = outcomes[0].rejection
    assert rejection is not None and rejection.message.startswith("deaths ")
    assert str(2**31) not in rejection.message
    plan = plan_batch(source_topic("incident.reports"), outcomes, [], "load-1", CTX.now)
    Lander(LandingZone(tmp_path)).write(plan)  # raised pyarrow's OverflowError before
    assert plan.count("incident_reports") == 1 and plan.count("rejected") == 1


@pytest.mark.parametrize("raw", [YEAR_1, YEAR_9999, "0001-01-01T03:00:00", "9999-12-31T00:00Z"])
@pytest.mark.parametrize(
    ("topic", "field"),
    [
        ("camera.events", "observed_at"),
        ("lodging.checkins", "occurred_at"),
        ("incident.reports", "occurred_at"),
        ("population.updates", "occurred_at"),
        ("ref.watchlist", "listed_at"),  # every topic stopped on this one: read from the start
    ],
)
def test_timestamps_at_the_calendar_edges_are_invalid(topic: str, field: str, raw: str) -> None:
    outcome = _outcome(topic, {**VALID[topic], field: raw})
    assert _reason(outcome) == "invalid_timestamp"


@pytest.mark.parametrize("raw", ["0001-01-01", "9999-12-31", "30/02/1995", "1995-02-30"])
def test_dates_at_the_calendar_edges_are_invalid(raw: str) -> None:
    guest = f.checkin(guest=f.guest(date_of_birth=raw))
    person = f.population(person={**f.population()["person"], "date_of_birth": raw})
    camera = f.camera_ref(installed_on=raw)
    facility = f.facility_ref(on_platform_since=raw)
    for topic, event in [
        ("lodging.checkins", guest),
        ("population.updates", person),
        ("ref.cameras", camera),
        ("ref.facilities", facility),
    ]:
        assert _reason(_outcome(topic, event)) == "invalid_date", topic


@pytest.mark.parametrize(
    "timestamp_ms", [-(2**62), -1_000_000_000_000_000, 2**62, 8_000_000_000_000]
)
def test_a_record_timestamp_outside_the_calendar_is_invalid(timestamp_ms: int) -> None:
    message = f.message("camera.events", VALID["camera.events"])
    hostile = Message(message.topic, 0, 0, message.key, message.value, timestamp_ms)
    assert _reason(clean_message(hostile, CTX)) == "invalid_timestamp"


def test_duplicate_keys_are_malformed_json() -> None:
    version_twice = orjson.dumps(VALID["camera.events"]).replace(
        b'"schema_version":1', b'"schema_version":2,"schema_version":1'
    )
    nested_twice = orjson.dumps(VALID["lodging.checkins"]).replace(
        b'"sex":"male"', b'"sex":"female" , "sex" :"male"'
    )
    assert _reason(_raw("camera.events", version_twice)) == "malformed_json"
    assert _reason(_raw("lodging.checkins", nested_twice)) == "malformed_json"
    # A colon or an escaped quote inside a string is no key: such an event is fine.
    tricky = f.camera_event(plate='65-B1 "234:56"')
    assert _reason(_outcome("camera.events", tricky)) is None


def test_nul_characters_are_rejected_anywhere() -> None:
    named = f.checkin(guest=f.guest(full_name="Nguyễn\x00Văn An"))
    in_a_key = {**VALID["camera.events"], "extra\x00": 1}
    assert _reason(_outcome("lodging.checkins", named)) == "invalid_field"
    assert _reason(_outcome("camera.events", in_a_key)) == "invalid_field"
    # A backslash followed by the text u0000 is no NUL.
    text = f.checkin(reason="C:\\u0000 folder")
    assert _reason(_outcome("lodging.checkins", text)) is None


def test_a_schema_version_that_only_compares_equal_to_1_is_unsupported() -> None:
    for version in (True, 1.0, "1"):
        event = {**VALID["camera.events"], "schema_version": version}
        assert _reason(_outcome("camera.events", event)) == "unsupported_schema_version"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"\xff\xfe\x00", "malformed_json"),
        (b"", "malformed_json"),
        (None, "malformed_json"),  # a tombstone on a topic that is not compacted
        (b"[" * 10_000 + b"]" * 10_000, "malformed_json"),
        (b'{"schema_version":1,"confidence":NaN}', "malformed_json"),
        (b'{"schema_version":1,"confidence":Infinity}', "malformed_json"),
        (b'{"schema_version":1,"confidence":1' + b"0" * 400 + b"}", "malformed_json"),
        (b"[" + orjson.dumps(VALID["camera.events"]) + b"]", "not_an_object"),
        (orjson.dumps({**VALID["camera.events"], "plate": "8" * 1_000_000}), "invalid_field"),
    ],
)
def test_hostile_bytes_get_their_reason(value: bytes | None, reason: ReasonCode) -> None:
    assert _reason(_outcome("camera.events", value, key=b"CAM-1")) == reason


def test_the_largest_source_message_fits_its_dead_letter() -> None:
    configs = {
        spec.name: topic_configs(spec) for spec in (source_topic("camera.events"), DEADLETTER)
    }
    assert int(configs["camera.events"]["max.message.bytes"]) == SOURCE_MAX_BYTES
    assert int(configs["deadletter"]["max.message.bytes"]) == DEADLETTER_MAX_BYTES
    # Key and value share the source limit; the dead letter repeats the key and both in base64.
    key, value = b"K" * 1000, b"\xff" * (SOURCE_MAX_BYTES - 1000)
    outcomes = process([Message("camera.events", 0, 7, key, value, 0)], CTX)
    (letter,) = plan_batch(source_topic("camera.events"), outcomes, [], "l", CTX.now).deadletters
    assert len(letter.value) + len(letter.key or b"") <= DEADLETTER_MAX_BYTES
    assert base64.b64decode(orjson.loads(letter.value)["value_b64"]) == value


def test_a_replay_is_judged_as_the_first_pass_was() -> None:
    received = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    ahead = f.camera_event(observed_at="2026-11-20T21:10:00+07:00")  # 10 min after receipt
    behind = f.camera_event(observed_at="2026-11-20T21:04:00+07:00")  # drift: 4 min
    for now in (received, received + timedelta(days=400)):  # first pass, and a replay
        ctx = replace(CTX, now=now)
        judged = [
            _reason(clean_message(f.message("camera.events", e, received_at=received), ctx))
            for e in (ahead, behind)
        ]
        assert judged == ["future_timestamp", None], now


def test_an_all_digit_passport_on_the_watchlist_matches_its_holder() -> None:
    entry = f.watch_entry(kind="person", value="12345678", id_type="passport", reason="wanted")
    row = _outcome("ref.watchlist", entry).row
    assert row is not None and row["value_key"] == PSEUDO("person", "P:12345678")
    # Without the type, eight digits are no Vietnamese ID number (the version-1 inference).
    untyped = f.watch_entry(kind="person", value="12345678", reason="wanted")
    assert _reason(_outcome("ref.watchlist", untyped)) == "invalid_id_number"
    guest = f.guest(id_type="passport", id_number="12345678", nationality="KR", phone=None)
    checkin = _outcome("lodging.checkins", f.checkin(guest=guest))
    watched = WatchEntry("WL-9", "person", row["value_key"], "wanted", True)
    ctx = replace(CTX, watchlist={row["value_key"]: (watched,)})
    assert [alert["entry_id"] for _, alert in find_alerts([checkin], ctx)] == ["WL-9"]


@pytest.mark.parametrize(
    ("kind", "value", "id_type", "reason"),
    [
        ("person", f.CCCD, "cccd", None),
        ("person", "123456789", "cmnd", None),
        ("person", "C1234567", None, None),
        ("person", f.CCCD, "plate", "invalid_field"),
        ("plate", "65-B1 234.56", "plate", None),
        ("plate", "65-B1 234.56", "passport", "invalid_field"),
    ],
)
def test_watchlist_identifier_types(
    kind: str, value: str, id_type: str | None, reason: ReasonCode | None
) -> None:
    typed = {"id_type": id_type} if id_type is not None else {}
    entry = f.watch_entry(kind=kind, value=value, **typed)
    assert _reason(_outcome("ref.watchlist", entry)) == reason


# Rejection messages land in an analyst-facing table: none may repeat the offending value.
@pytest.mark.parametrize(
    ("topic", "event", "key", "secret"),
    [
        ("population.updates", f.population(), b"079201009999", b"079201009999"),
        ("lodging.checkins", f.checkin(guest=f.guest(id_number="0930-95.0012x4")), None, b"0012x4"),
        (
            "lodging.checkins",
            f.checkin(guest=f.guest(id_type="passport", id_number="C12#4567")),
            None,
            b"C12#4567",
        ),
        ("lodging.checkins", f.checkin(guest=f.guest(phone="0912 34 567")), None, b"34 567"),
        ("lodging.checkins", f.checkin(guest=f.guest(id_number="123456789012")), None, b"123"),
        ("lodging.checkins", f.checkin(guest=f.guest(sex="female")), None, b"female"),
        ("camera.events", f.camera_event(camera_id="CAM-079201009999"), None, b"079201009999"),
        ("ref.watchlist", f.watch_entry(value="not a plate 0912345678"), None, b"0912345678"),
        ("camera.events", f.camera_event(observed_at="0912345678"), None, b"0912345678"),
        ("population.updates", f.population(ward_code="09123"), None, b"09123"),
    ],
)
def test_rejection_messages_never_repeat_the_value(
    topic: str, event: dict[str, Any], key: bytes | None, secret: bytes
) -> None:
    outcome = _outcome(topic, event, key=key)
    assert outcome.rejection is not None, outcome
    assert secret.decode() not in outcome.rejection.message


MARK = "Zq9"  # in no field name, rule or schema: if a message shows it, it quotes a value


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(topic=st.sampled_from(sorted(VALID)), data=st.data())
def test_no_rejection_message_quotes_a_value_or_key(topic: str, data: st.DataObject) -> None:
    event: dict[str, Any] = orjson.loads(orjson.dumps(VALID[topic]))
    target = event
    for nested in ("guest", "person"):
        if nested in event and data.draw(st.booleans()):
            target = event[nested]
    field = data.draw(st.sampled_from([*sorted(target), "extra"]))
    target[field] = MARK + data.draw(st.text(max_size=40))
    key = data.draw(st.sampled_from([f.key_of(topic, VALID[topic]), (MARK + "-key").encode()]))
    outcome = _outcome(topic, orjson.dumps(event), key=key)
    assert outcome.rejection is None or MARK not in outcome.rejection.message
