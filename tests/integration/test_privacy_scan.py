"""No identifier from any message reaches an analyst-facing view, whatever the message's faults.

Dirty records of every kind the simulator's dirty-data injector makes (``Spoiler``), and hostile
ones aimed at rejection messages (odd characters in ID and passport numbers, a population key that
is another person's ID number, bad phone numbers), go through the real broker and worker. Then
every view and table of ``warehouse.connect()`` is scanned for each ID number, passport number,
phone number, plate and name that was sent, as sent and as the cleaners spell it, and for anything
shaped like a CCCD, CMND or phone number.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

import orjson
import pytest

import warehouse
from antt.settings import Settings
from pipelines.simulator.dirty import DIRTY_KINDS, Spoiler
from pipelines.simulator.messages import Draft, SimMessage, encode
from pipelines.worker_process import WorkerProcess
from streams.cleaning.identity import build_cccd
from streams.cleaning.names import normalise_name
from streams.cleaning.phones import normalise_phone
from streams.cleaning.plates import read_plate
from tests import factories as f
from tests.integration.kafka_io import Producer

pytestmark = pytest.mark.integration

PEOPLE: Final = [  # id type, number, name, phone, date of birth, sex
    ("cccd", build_cccd(92, 1988, "female", 424242), "Trần Thị Mỹ Duyên", "0987654321",
     "1988-03-09", "female"),
    ("cccd", build_cccd(1, 1975, "male", 313370), "Lê Quang Vinh", "0912000111", "1975-11-30",
     "male"),
    ("cmnd", "381234567", "Phạm Văn Tú", "0356111222", "1969-06-01", "male"),
    ("passport", "B7654321", "Kim Min Jun", None, "1990-01-01", "male"),
]  # fmt: skip
PLATES: Final = ["65-B1 234.56", "51F-678.90", "59-X1 555.66", "30A-4321"]
OTHER: Final = build_cccd(79, 2001, "male", 9999)  # a person no clean record names
# Shaped like identifiers, bounded by anything but letters and digits (pseudonyms are hex).
SHAPES: Final = {
    "CCCD": r"(^|[^0-9A-Za-z])[0-9]{12}([^0-9A-Za-z]|$)",
    "CMND": r"(^|[^0-9A-Za-z.])[0-9]{9}([^0-9A-Za-z]|$)",
    "phone": r"(\+84[0-9]{9})|((^|[^0-9A-Za-z.])0[0-9]{9}([^0-9A-Za-z]|$))",
}


def _drafts(now_ms: int) -> list[Draft]:
    drafts: list[Draft] = []
    for n, (id_type, number, name, phone, born, sex) in enumerate(PEOPLE):
        guest = f.guest(
            id_type=id_type, id_number=number, full_name=name, date_of_birth=born, sex=sex,
            phone=phone, nationality="KR" if id_type == "passport" else "VN",
        )  # fmt: skip
        drafts.append(Draft("lodging.checkins", now_ms, f.checkin(f"lod-{n}", guest=guest)))
        if id_type != "passport":
            person = {"id_number": number, "full_name": name, "date_of_birth": born, "sex": sex}
            drafts.append(
                Draft("population.updates", now_ms, f.population(f"pop-{n}", person=person))
            )
        entry = {"kind": "person", "value": number, "id_type": id_type, "reason": "wanted"}
        drafts.append(Draft("ref.watchlist", now_ms, f.watch_entry(f"WL-P{n}", **entry)))
    for n, plate in enumerate(PLATES):
        drafts.append(Draft("camera.events", now_ms, f.camera_event(f"cam-{n}", plate=plate)))
        drafts.append(Draft("ref.watchlist", now_ms, f.watch_entry(f"WL-V{n}", value=plate)))
    drafts.append(Draft("incident.reports", now_ms, f.report("INC-1")))
    return drafts


def _dirty(drafts: list[Draft], now: datetime) -> list[SimMessage]:
    """Every draft clean, and spoiled by every kind of fault that applies to it."""
    spoiler = Spoiler(random.Random(8), int(now.timestamp()))
    messages = [encode(d) for d in drafts]
    for draft in drafts:
        if draft.topic.startswith("ref."):
            continue
        for kind in spoiler.kinds(draft):
            copy = Draft(draft.topic, draft.timestamp_ms, orjson.loads(orjson.dumps(draft.payload)))
            messages.extend(spoiler.spoil(copy, kind))
    return messages


def _hostile(now_ms: int) -> list[SimMessage]:
    """Records whose rejection messages used to quote an identifier."""
    guests = [
        f.guest(id_number=f"{OTHER[:4]}-{OTHER[4:8]}.{OTHER[8:]}x"),
        f.guest(id_type="passport", id_number="C12#4567", nationality="KR"),
        f.guest(id_type="cmnd", id_number="38123456"),
        f.guest(id_number="99" + OTHER[2:]),
        f.guest(phone="0912 34 567"),
        f.guest(phone="+84 1234"),
        f.guest(phone="0900000000000"),
    ]
    drafts = [
        Draft("lodging.checkins", now_ms, f.checkin(f"lod-x{n}", guest=guest))
        for n, guest in enumerate(guests)
    ]
    drafts += [
        Draft("camera.events", now_ms, f.camera_event("cam-x", camera_id="CAM-0987654321")),
        Draft("ref.watchlist", now_ms, f.watch_entry("WL-X1", value="xe 0987654321 ??")),
        Draft("ref.watchlist", now_ms, f.watch_entry("WL-X2", kind="person", value="0792010")),
        Draft("population.updates", now_ms, f.population("pop-x", ward_code=OTHER)),
    ]
    messages = [encode(d) for d in drafts]
    # population.updates is keyed by the ID number: here the key names another person.
    keyed = encode(Draft("population.updates", now_ms, f.population("pop-key")))
    messages.append(SimMessage(keyed.topic, OTHER.encode(), keyed.value, now_ms, "accept", None))
    return messages


def _secrets(messages: list[SimMessage]) -> set[str]:
    """Every identifier and name the messages carry, as sent and as the cleaners spell it."""
    found: set[str] = set()

    def add(value: Any, *spellings: Callable[[str], str | None]) -> None:
        if isinstance(value, str):
            candidates = [value, *(spell(value) for spell in spellings)]
            found.update(s for s in candidates if s and len(s.strip()) >= 6)

    for message in messages:
        if message.topic == "population.updates" and message.key:
            add(message.key.decode())
        try:
            event = orjson.loads(message.value)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(event, dict):
            continue
        for person in (event.get("guest"), event.get("person")):
            if isinstance(person, dict):
                add(person.get("id_number"), lambda n: re.sub(r"[\s.\-_/]", "", n).upper())
                add(person.get("full_name"), normalise_name)
                add(person.get("phone"), normalise_phone)
        plate = event.get("plate") or (event.get("kind") == "plate" and event.get("value"))
        add(plate, lambda p: read_plate(p).compact, lambda p: read_plate(p).display)
        if event.get("kind") == "person":
            add(event.get("value"))
    return found


def test_no_identifier_reaches_an_analyst_facing_view(
    platform: Settings, producer: Producer, worker: WorkerProcess
) -> None:
    now = datetime.now(UTC)
    now_ms = int(now.timestamp() * 1000)
    producer.event("ref.cameras", f.camera_ref("CAM-1"))
    producer.event("ref.facilities", f.facility_ref("FAC-1"))
    messages = _dirty(_drafts(now_ms), now) + _hostile(now_ms)
    assert {m.dirty_kind for m in messages} >= set(DIRTY_KINDS)
    for m in messages:
        producer.raw(m.topic, m.key, m.value, timestamp_ms=m.timestamp_ms)
    worker.wait_until_reconciled(timeout_s=300)

    secrets = _secrets(messages)
    assert {OTHER, "C12#4567", "0912 34 567", "Phạm Văn Tú", "65B123456"} <= secrets
    con = warehouse.connect(landing_dir=platform.landing_dir)
    con.execute(
        "CREATE TEMP TABLE secrets AS SELECT unnest(?::VARCHAR[]) AS secret", [sorted(secrets)]
    ).fetchall()
    relations = [name for (name,) in con.sql(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' "
        "UNION ALL SELECT table_name FROM duckdb_tables() "
        "WHERE NOT internal AND NOT temporary AND schema_name = 'main'"
    ).fetchall()]  # fmt: skip
    assert "stg_rejected" in relations and len(relations) >= 30
    ((rejected,),) = con.execute("SELECT count(*) FROM stg_rejected").fetchall()
    assert rejected >= 50

    leaks: list[tuple[str, str, str]] = []
    for relation in relations:
        lines = f"SELECT concat_ws('|', COLUMNS(*)::VARCHAR) AS line FROM \"{relation}\""
        found = con.sql(
            f"SELECT s.secret, any_value(l.line) FROM ({lines}) l "
            "JOIN secrets s ON contains(l.line, s.secret) GROUP BY s.secret"
        ).fetchall()
        leaks += [(relation, secret, line) for secret, line in found]
        for shape, pattern in SHAPES.items():
            ((line,),) = con.execute(
                f"SELECT any_value(line) FROM ({lines}) WHERE regexp_matches(line, ?)", [pattern]
            ).fetchall()
            if line is not None:
                leaks.append((relation, shape, line))
    assert leaks == [], "\n".join(map(str, leaks[:20]))
