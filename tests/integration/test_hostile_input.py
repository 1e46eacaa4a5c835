"""Hostile input on every topic, reference topics included, through the real broker and worker.

Every class of poison a hostile or broken producer can send (issue 11), mixed in a shuffled order
with valid traffic: invalid UTF-8, NUL bytes, empty values and tombstones on topics that are not
compacted; 1 MB strings, JSON nested 10,000 deep, 10**400, NaN and Infinity, duplicate keys,
arrays instead of objects; years 0001 and 9999, and 30 February. Each hostile message is
dead-lettered with its exact reason, each valid one lands, the worker keeps running and reconcile
holds. The 1 MB class runs once per topic, the others three times: 310 hostile messages.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, Final

import duckdb
import orjson
import pytest

from antt.settings import Settings
from pipelines.worker_process import WorkerProcess
from streams.contract.topics import source_topic
from tests import factories as f
from tests.integration.kafka_io import Producer, Sent, original_bytes, read_topic

pytestmark = pytest.mark.integration

Build = Callable[[str], dict[str, Any]]
Value = bytes | None


class Topic:
    """How to build a valid event of a topic, and where its text, timestamp and date fields are."""

    def __init__(self, build: Build, text: str, stamp: str | None, day: str | None) -> None:
        self.build, self.text, self.stamp, self.day = build, text, stamp, day


PASSPORT: Final = "12345678"  # all digits: matched only because the entry says it is a passport
PASSPORT_GUEST: Final = f.guest(
    id_type="passport", id_number=PASSPORT, nationality="KR", phone=None
)
TOPICS: Final[dict[str, Topic]] = {
    "camera.events": Topic(lambda i: f.camera_event(f"cam-{i}"), "plate", "observed_at", None),
    "lodging.checkins": Topic(
        lambda i: f.checkin(f"lod-{i}"), "guest.full_name", "occurred_at", "guest.date_of_birth"
    ),
    "incident.reports": Topic(lambda i: f.report(f"INC-{i}"), "summary", "occurred_at", None),
    "population.updates": Topic(
        lambda i: f.population(f"pop-{i}", person={**f.population()["person"]}),
        "person.full_name",
        "occurred_at",
        "person.date_of_birth",
    ),
    "ref.cameras": Topic(lambda i: f.camera_ref(f"CAM-{i}"), "name", None, "installed_on"),
    "ref.facilities": Topic(
        lambda i: f.facility_ref(f"FAC-{i}"), "name", None, "on_platform_since"
    ),
    # Another plate than the cameras read: valid entries of the mix must not change the alerts.
    "ref.watchlist": Topic(
        lambda i: f.watch_entry(f"WL-{i}", value="51F-123.45"), "value", "listed_at", None
    ),
}
VALID_PER_TOPIC: Final = 8


def _with(event: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    copy: dict[str, Any] = orjson.loads(orjson.dumps(event))
    *parents, leaf = path.split(".")
    target = copy
    for part in parents:
        target = target[part]
    target[leaf] = value
    return copy


def _hostile(topic: str, tag: str) -> Iterator[tuple[str, Value, str]]:
    """(class, value, reason) for each hostile class but the 1 MB one, applied to ``topic``."""
    spec = TOPICS[topic]
    event = spec.build(tag)
    text = orjson.dumps(event)
    yield "invalid UTF-8", text[:-1] + b',"x":"\xff\xfe"}', "malformed_json"
    yield "raw NUL byte", text[:-1] + b',"x":"\x00"}', "malformed_json"
    yield "escaped NUL", orjson.dumps(_with(event, spec.text, "Lê\x00Văn")), "invalid_field"
    yield "empty value", b"", "malformed_json"
    if not source_topic(topic).compacted:  # on a compacted topic a tombstone is a delete
        yield "tombstone", None, "malformed_json"
    deep = b"[" * 10_000 + b"]" * 10_000
    yield "nested 10,000 deep", text[:-1] + b',"x":' + deep + b"}", "malformed_json"
    yield "10**400", text[:-1] + b',"x":1' + b"0" * 400 + b"}", "malformed_json"
    yield "NaN", text[:-1] + b',"x":NaN}', "malformed_json"
    yield "Infinity", text[:-1] + b',"x":-Infinity}', "malformed_json"
    yield "duplicate keys", b'{"schema_version":2,' + text[1:], "malformed_json"
    yield "array", b"[" + text + b"]", "not_an_object"
    edges = {"year 0001": "0001-01-01", "year 9999": "9999-12-31", "30 February": "2026-02-30"}
    for name, day in edges.items():
        if spec.stamp is not None:
            at = "T00:00:00+07:00" if name == "year 0001" else "T23:59:59-05:00"
            stamped = _with(event, spec.stamp, day + at)
            yield name, orjson.dumps(stamped), "invalid_timestamp"
        if spec.day is not None:
            yield name, orjson.dumps(_with(event, spec.day, day)), "invalid_date"


def _valid(topic: str, tag: str, index: int) -> dict[str, Any]:
    event = TOPICS[topic].build(tag)
    if topic == "lodging.checkins" and index % 2:
        event["guest"] = PASSPORT_GUEST
    return event


def _key(topic: str, event: dict[str, Any]) -> bytes:
    return f.key_of(topic, event)


def _landed(settings: Settings) -> dict[tuple[str, int, int], str]:
    """What became of every landed offset: 'row' or the rejection's reason code."""
    root = settings.landing_dir
    outcome: dict[tuple[str, int, int], str] = {}
    for topic in TOPICS:
        table = source_topic(topic).table
        for p, o in duckdb.sql(
            f"SELECT source_partition, source_offset FROM '{root}/{table}/**/*.parquet'"
        ).fetchall():
            outcome[(topic, p, o)] = "row"
    for t, p, o, codes in duckdb.sql(
        "SELECT source_topic, source_partition, source_offset, reason_codes "
        f"FROM '{root}/rejected/**/*.parquet'"
    ).fetchall():
        assert (t, p, o) not in outcome, (t, p, o)
        assert len(codes) == 1, codes
        outcome[(t, p, o)] = codes[0]
    return outcome


def test_hostile_input_is_dead_lettered_and_valid_traffic_lands(
    platform: Settings, producer: Producer, worker: WorkerProcess
) -> None:
    # The references the valid events need, and the entries they must hit, before the mix.
    expected: dict[Sent, str] = {}
    for topic, event in [
        ("ref.cameras", f.camera_ref("CAM-1")),
        ("ref.facilities", f.facility_ref("FAC-1")),
        ("ref.watchlist", f.watch_entry("WL-PLATE")),
        (
            "ref.watchlist",
            f.watch_entry("WL-PASSPORT", kind="person", value=PASSPORT, id_type="passport"),
        ),
    ]:
        expected[producer.event(topic, event)] = "row"
    worker.wait_until_reconciled(timeout_s=120)

    mix: list[tuple[str, bytes, Value, str, str]] = []  # topic, key, value, class, outcome
    for topic in TOPICS:
        for i in range(VALID_PER_TOPIC):
            event = _valid(topic, f"valid-{i}", i)
            mix.append((topic, _key(topic, event), orjson.dumps(event), "valid", "row"))
        if source_topic(topic).compacted:
            mix.append((topic, b"GONE-1", None, "delete", "row"))
        for round_ in range(3):
            tag = f"hostile-{round_}"
            key = _key(topic, TOPICS[topic].build(tag))
            mix.extend((topic, key, value, name, why) for name, value, why in _hostile(topic, tag))
        big = _with(TOPICS[topic].build("big"), TOPICS[topic].text, "x" * 1_000_000)
        mix.append((topic, _key(topic, big), orjson.dumps(big), "1 MB string", "invalid_field"))
    random.Random(11).shuffle(mix)

    classes: Counter[str] = Counter()
    for topic, key, value, name, outcome in mix:
        expected[producer.raw(topic, key, value)] = outcome
        classes[name] += 1
    assert sum(n for name, n in classes.items() if name not in ("valid", "delete")) == 310

    worker.wait_until_reconciled(timeout_s=300)
    assert worker.alive()

    landed = _landed(platform)
    for sent, outcome in expected.items():
        assert landed.get((sent.topic, sent.partition, sent.offset)) == outcome, (sent, outcome)
    counts = Counter((s.topic, outcome) for s, outcome in expected.items())
    assert Counter((t, outcome) for (t, _, _), outcome in landed.items()) == counts
    assert counts[("camera.events", "row")] == VALID_PER_TOPIC
    assert counts[("camera.events", "malformed_json")] == 3 * 9
    assert counts[("ref.watchlist", "row")] == VALID_PER_TOPIC + 3  # two entries, one delete

    # The dead letters hold every rejected message's original bytes, 1 MB ones included.
    letters = {(d["source_topic"], d["partition"], d["offset"]): d for d in read_topic(
        platform, "deadletter"
    )}  # fmt: skip
    rejected = {s: o for s, o in expected.items() if o != "row"}
    assert len(letters) == len(rejected)
    for sent, reason in rejected.items():
        letter = letters[(sent.topic, sent.partition, sent.offset)]
        assert letter["reason_codes"] == [reason]
        assert original_bytes(letter) == sent.value

    # The valid traffic still raised its alerts: the plate, and the all-digit passport.
    alerts = Counter((a["kind"], a["entry_id"]) for a in read_topic(platform, "alerts"))
    assert alerts == {("plate_hit", "WL-PLATE"): 8, ("person_hit", "WL-PASSPORT"): 4}
