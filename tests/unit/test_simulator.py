"""The synthetic province: deterministic, on contract, realistic where it matters, dirty on demand.

No broker: ``generate`` is pure, and ``publish`` is exercised with a fake producer.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import fastjsonschema
import orjson
import pytest
from vietnam_provinces import Ward

from antt.settings import Settings
from pipelines.simulator import (
    SimMessage,
    SimulationConfig,
    add_arguments,
    build_world,
    count_messages,
    generate,
    publish,
    run,
)
from pipelines.simulator.config import ICT
from pipelines.simulator.dirty import DIRTY_KINDS, OUTCOMES
from pipelines.simulator.generate import simulate
from pipelines.simulator.incidents import incident_drafts
from pipelines.simulator.live import LiveSource
from pipelines.simulator.plates import Vehicle, VehicleType, compact, make_plate, misspell
from pipelines.simulator.reference import build_facilities
from pipelines.simulator.world import World
from streams.cleaning.identity import age_band, age_on, read_cccd
from streams.cleaning.plates import read_plate
from streams.contract.topics import SOURCE_TOPICS, source_topic

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "streams" / "contract" / "schemas"
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
EVENT_TOPICS = ("population.updates", "camera.events", "lodging.checkins", "incident.reports")
REF_TOPICS = ("ref.cameras", "ref.facilities", "ref.watchlist")
CAN_THO_WARDS = frozenset(
    f"{w.code.value:05d}" for w in Ward.iter_all() if w.province_code.value == 92
)
# Reduced volumes: a few thousand residents, so a few of every kind of event; fast to build.
SMALL = SimulationConfig(seed=7, days=60, residents_per_ward=40, camera_days=7)


@pytest.fixture(scope="module")
def default_run() -> list[SimMessage]:
    """The default configuration: the demo's province over 400 days (about 85k messages)."""
    return list(generate(SimulationConfig()))


@pytest.fixture(scope="module")
def dirty_run() -> list[SimMessage]:
    # Enough residents for a handful of lodging facilities, so that every dirty kind shows.
    config = SimulationConfig(
        seed=11, days=120, residents_per_ward=300, dirty_share=0.1, future_anchor=datetime.now(ICT)
    )
    return list(generate(config))


@pytest.fixture(scope="module")
def crowded_incidents() -> tuple[SimulationConfig, World, list[dict[str, Any]]]:
    """Two years of incident reports of a province of 50,000 residents per ward (5 million).

    Incidents scale with the residents, so only a big population shows rare kinds (especially
    serious crimes, mass petitions) and per-ward trends; the registry itself is not simulated.
    """
    config = SimulationConfig(seed=5, days=730, residents_per_ward=2)
    world = build_world(config)
    drafts, _ = incident_drafts(
        config, world.wards, {w.code: 50_000 for w in world.wards}, random.Random(5)
    )
    return config, world, [draft.payload for draft in drafts]


@pytest.fixture(scope="module")
def validators() -> dict[str, Callable[[Any], Any]]:
    return {
        spec.name: fastjsonschema.compile(
            json.loads((SCHEMAS / f"{spec.name}.v1.json").read_text())
        )
        for spec in SOURCE_TOPICS
    }


def events(
    messages: list[SimMessage], topic: str, *, clean: bool = True
) -> Iterator[dict[str, Any]]:
    for message in messages:
        if message.topic == topic and (not clean or message.dirty_kind is None):
            yield orjson.loads(message.value)


def local_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(LOCAL)


def digest(messages: list[SimMessage]) -> str:
    h = hashlib.sha256()
    for m in messages:
        h.update(f"{m.topic}|{m.key!r}|{m.timestamp_ms}|{m.expected}|{m.dirty_kind}|".encode())
        h.update(m.value)
    return h.hexdigest()


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_messages() -> None:
    config = SimulationConfig(seed=3, days=30, residents_per_ward=5, dirty_share=0.2)
    assert list(generate(config)) == list(generate(config))


def test_another_seed_gives_other_messages() -> None:
    first = list(generate(SMALL))
    second = list(generate(SimulationConfig(**{**_fields(SMALL), "seed": SMALL.seed + 1})))
    assert digest(first) != digest(second)
    assert {m.value for m in first} != {m.value for m in second}


def test_output_does_not_depend_on_hash_randomisation() -> None:
    """Set and dict orders differ between processes with PYTHONHASHSEED; the output must not."""
    script = (
        "from pipelines.simulator import SimulationConfig, generate\n"
        "from tests.unit.test_simulator import SMALL, digest\n"
        "print(digest(list(generate(SMALL))))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == digest(list(generate(SMALL)))


def test_times_derive_from_end_at_not_the_clock() -> None:
    for end_at in (SMALL.end_at, datetime(2024, 3, 1, 12, tzinfo=ICT)):
        config = SimulationConfig(**{**_fields(SMALL), "end_at": end_at})
        stamps = [m.timestamp_ms for m in generate(config)]
        end_ms = int(end_at.timestamp() * 1000)
        assert min(stamps) == (config.start_s - 60) * 1000  # the reference topics
        assert max(stamps) <= end_ms and max(stamps) > end_ms - 3_600_000


def _fields(config: SimulationConfig) -> dict[str, Any]:
    return {name: getattr(config, name) for name in config.__dataclass_fields__}


# --- contract --------------------------------------------------------------------------------


def test_reference_topics_come_first_then_history_in_time_order(
    default_run: list[SimMessage],
) -> None:
    topics = [m.topic for m in default_run]
    first_event = next(i for i, t in enumerate(topics) if t not in REF_TOPICS)
    assert set(topics[:first_event]) == set(REF_TOPICS)
    assert not set(topics[first_event:]) & set(REF_TOPICS)
    stamps = [m.timestamp_ms for m in default_run[first_event:]]
    assert stamps == sorted(stamps)


def test_every_clean_message_follows_its_schema(
    default_run: list[SimMessage], validators: dict[str, Callable[[Any], Any]]
) -> None:
    assert {m.expected for m in default_run} == {"accept"}
    for message in default_run:
        event = orjson.loads(message.value)
        validators[message.topic](event)
        assert event["schema_version"] == 1


def test_keys_are_the_contract_key_fields(default_run: list[SimMessage]) -> None:
    for message in default_run:
        value: Any = orjson.loads(message.value)
        for part in source_topic(message.topic).key_field.split("."):
            value = value[part]
        assert message.key == value.encode()


def test_event_identities_are_unique(default_run: list[SimMessage]) -> None:
    for topic in EVENT_TOPICS:
        identity = source_topic(topic).identity
        seen = [tuple(e[f] for f in identity) for e in events(default_run, topic)]
        assert len(seen) == len(set(seen)), topic


def test_default_volumes_fit_a_demo(default_run: list[SimMessage]) -> None:
    counts = Counter(m.topic for m in default_run)
    assert 60_000 <= len(default_run) <= 120_000
    # Population events dominate: about 2.6 per resident; incidents are rare, as in life.
    assert counts["population.updates"] >= 50_000
    assert counts["camera.events"] >= 5_000 and counts["lodging.checkins"] >= 4_000
    assert counts["incident.reports"] >= 300


def test_volumes_are_plausible_for_the_residents(default_run: list[SimMessage]) -> None:
    """Crime per resident, facilities and cameras per resident, check-ins per facility and
    detections per camera, all within a plausible range (docs/architecture.md gives the rates).
    """
    config = SimulationConfig()
    years = config.days / 365.25
    residents = len(_registered(default_run))
    assert 0.75 * 250 * 103 <= residents <= 1.25 * 250 * 103
    reports = {e["report_id"]: e for e in events(default_run, "incident.reports")}
    crimes = [e for e in reports.values() if e["category"] == "social_order_crime"]
    per_100k = len(crimes) / years / residents * 100_000
    # Nationally about 45 per 100,000 a year; towns more: within a factor of three either way.
    assert 45 / 3 <= per_100k <= 45 * 3
    facilities = list(events(default_run, "ref.facilities"))
    cameras = [c for c in events(default_run, "ref.cameras") if c["connected"]]
    assert 1 <= len(facilities) / residents * 10_000 <= 6  # per 10,000 residents
    assert 0.5 <= len(cameras) / residents * 1_000 <= 3  # per 1,000 residents
    check_ins = sum(e["action"] == "check_in" for e in events(default_run, "lodging.checkins"))
    assert 0.5 <= check_ins / len(facilities) / config.days <= 10  # a day
    detections = sum(1 for _ in events(default_run, "camera.events"))
    assert 5 <= detections / len(cameras) / config.camera_days <= 60


# --- population ------------------------------------------------------------------------------


def _registered(messages: list[SimMessage]) -> dict[str, dict[str, Any]]:
    return {
        e["person"]["id_number"]: e
        for e in events(messages, "population.updates")
        if e["change"] == "registered"
    }


def test_every_resident_cccd_agrees_with_birth_date_and_sex(default_run: list[SimMessage]) -> None:
    for event in events(default_run, "population.updates"):
        person = event["person"]
        cccd = read_cccd(person["id_number"])
        assert cccd is not None, person
        assert cccd.birth_year == date.fromisoformat(person["date_of_birth"]).year
        assert cccd.sex == person["sex"]


def test_residents_are_mostly_born_in_the_old_provinces_of_can_tho(
    default_run: list[SimMessage],
) -> None:
    births = Counter(int(number[:3]) for number in _registered(default_run))
    total = sum(births.values())
    local = sum(births[code] for code in (92, 93, 94)) / total
    assert 0.86 <= local <= 0.94
    assert all(births[code] / total > 0.2 for code in (92, 93, 94))
    assert len(births) > 20  # the other ~10% come from all over the country


def test_names_are_vietnamese_in_registry_order(default_run: list[SimMessage]) -> None:
    names = [e["person"]["full_name"] for e in _registered(default_run).values()]
    family = Counter(name.split()[0] for name in names)
    assert family.most_common(1)[0][0] == "Nguyễn"
    assert all(len(name.split()) >= 3 for name in names)
    assert all(unicodedata.is_normalized("NFC", name) for name in names)


def test_age_pyramid(default_run: list[SimMessage]) -> None:
    end_day = SimulationConfig().end_at.date()
    births = [
        date.fromisoformat(e["person"]["date_of_birth"]) for e in _registered(default_run).values()
    ]
    ages = [age_on(born, end_day) for born in births]
    bands = Counter(age_band(age) for age in ages)
    assert bands["under_6"] / len(ages) == pytest.approx(0.08, abs=0.015)
    assert bands["6_to_13"] / len(ages) == pytest.approx(0.11, abs=0.015)
    thirties = sum(30 <= a < 40 for a in ages)
    assert sum(70 <= a < 80 for a in ages) < thirties / 2
    assert sum(a >= 80 for a in ages) < thirties / 5


def test_id_cards_and_vneid_by_age_band(default_run: list[SimMessage]) -> None:
    end_day = SimulationConfig().end_at.date()
    registered = _registered(default_run)
    cards: set[str] = set()
    levels: dict[str, int] = {}
    for event in events(default_run, "population.updates"):
        number = event["person"]["id_number"]
        if event["change"] == "id_card_issued":
            cards.add(number)
        elif event["change"] == "vneid_activated":
            assert number in cards, "a VNeID account needs a chip card first"
            levels[number] = event["vneid_level"]
    by_band: dict[str, list[str]] = defaultdict(list)
    for number, event in registered.items():
        born = date.fromisoformat(event["person"]["date_of_birth"])
        by_band[age_band(age_on(born, end_day))].append(number)

    def share(numbers: list[str], test: Callable[[str], bool]) -> float:
        return sum(map(test, numbers)) / len(numbers)

    assert 0.93 <= share(by_band["14_plus"], cards.__contains__) <= 0.98
    assert 0.74 <= share(by_band["6_to_13"], cards.__contains__) <= 0.86
    assert share(by_band["under_6"], cards.__contains__) < 0.5
    holders = [n for n in by_band["14_plus"] if n in cards]
    assert share(holders, lambda n: levels.get(n) == 2) > 0.6
    assert 0.08 < share(holders, lambda n: levels.get(n) == 1) < 0.25


def test_histories_start_with_a_snapshot_and_spread_over_the_window(
    default_run: list[SimMessage],
) -> None:
    config = SimulationConfig()
    start_ms = config.start_s * 1000
    changes: dict[str, Counter[str]] = defaultdict(Counter)
    for message in default_run:
        if message.topic == "population.updates":
            change = orjson.loads(message.value)["change"]
            changes[change][
                "at start" if message.timestamp_ms <= start_ms + 120_000 else "later"
            ] += 1
    assert changes["registered"]["at start"] > 0.9 * sum(changes["registered"].values())
    assert changes["registered"]["later"] > 100  # births and arrivals
    for change in ("id_card_issued", "vneid_activated"):
        assert changes[change]["at start"] > 1000 and changes[change]["later"] > 1000
    assert changes["moved"]["later"] > 100 and changes["removed"]["later"] > 20
    per_person: dict[str, list[str]] = defaultdict(list)
    for event in events(default_run, "population.updates"):
        per_person[event["person"]["id_number"]].append(event["change"])
    assert all(history[0] == "registered" for history in per_person.values())
    assert all("removed" not in history[:-1] for history in per_person.values())


def test_ward_codes_all_belong_to_the_province(default_run: list[SimMessage]) -> None:
    for message in default_run:
        event = orjson.loads(message.value)
        if event.get("ward_code") is not None:
            assert event["ward_code"] in CAN_THO_WARDS
    registered_wards = {e["ward_code"] for e in _registered(default_run).values()}
    assert registered_wards == CAN_THO_WARDS


# --- reference -------------------------------------------------------------------------------


def test_cameras_at_ward_nodes(default_run: list[SimMessage]) -> None:
    cameras = list(events(default_run, "ref.cameras"))
    per_ward = Counter(c["ward_code"] for c in cameras)
    assert max(per_ward.values()) <= 4
    assert len(CAN_THO_WARDS - set(per_ward)) >= 3  # some wards have none
    offline = sum(not c["connected"] for c in cameras) / len(cameras)
    assert 0.08 <= offline <= 0.25
    assert {c["owner"] for c in cameras} == {"public", "household", "business", "school"}
    silent = {c["camera_id"] for c in cameras if not c["connected"]}
    seen = {e["camera_id"] for e in events(default_run, "camera.events")}
    assert seen <= {c["camera_id"] for c in cameras} and not seen & silent


def test_facilities_mostly_on_the_platform(default_run: list[SimMessage]) -> None:
    # A town of 50,000 residents has about 20 facilities (4 per 10,000), a village 10 (2).
    config = SimulationConfig()
    world = build_world(SimulationConfig(days=30, residents_per_ward=2))
    crowded = build_facilities(
        config, world.wards, {w.code: 50_000 for w in world.wards}, random.Random(1)
    )
    per_ward = Counter(f.ward_code for f in crowded)
    towns = [w.code for w in world.wards if w.is_urban]
    villages = [w.code for w in world.wards if not w.is_urban]
    assert sum(per_ward[w] for w in towns) / len(towns) == pytest.approx(20, rel=0.15)
    assert sum(per_ward[w] for w in villages) / len(villages) == pytest.approx(10, rel=0.15)
    off = [f for f in crowded if f.on_platform_since is None]
    assert 0.08 < len(off) / len(crowded) < 0.16  # 12% not on the platform
    facilities = list(events(default_run, "ref.facilities"))
    off_ids = {f["facility_id"] for f in facilities if f["on_platform_since"] is None}
    notifying = {e["facility_id"] for e in events(default_run, "lodging.checkins")}
    assert notifying and not notifying & off_ids


def test_watchlist_plates_and_persons_are_seen(default_run: list[SimMessage]) -> None:
    entries = list(events(default_run, "ref.watchlist"))
    assert {e["reason"] for e in entries} == {"stolen_vehicle", "wanted", "missing_person"}
    assert 0 < sum(not e["active"] for e in entries) < len(entries) / 3
    listed = {
        compact(e["value"]): local_time(e["listed_at"])
        for e in entries
        if e["kind"] == "plate" and e["active"]
    }
    hits = [
        e
        for e in events(default_run, "camera.events")
        if e["plate"]
        and compact(e["plate"]) in listed
        and local_time(e["observed_at"]) > listed[compact(e["plate"])]
    ]
    assert len({compact(e["plate"]) for e in hits}) >= len(listed) / 2
    wanted = {e["value"] for e in entries if e["kind"] == "person" and e["active"]}
    guests = {e["guest"]["id_number"] for e in events(default_run, "lodging.checkins")}
    assert len(wanted & guests) >= 3


# --- cameras ---------------------------------------------------------------------------------

CANONICAL_PLATE = re.compile(r"^\d{2}(-[A-Z][A-Z0-9] |[A-Z]-)(\d{3}\.\d{2}|\d{4})$")


def test_camera_events_carry_vietnamese_plates(default_run: list[SimMessage]) -> None:
    detections = list(events(default_run, "camera.events"))
    assert {e["kind"] for e in detections} == {"vehicle", "person", "intrusion", "crowd"}
    vehicles = [e for e in detections if e["kind"] == "vehicle"]
    assert {e["vehicle_type"] for e in vehicles} == {"motorbike", "car", "truck", "bus"}
    plates = [e for e in vehicles if e["plate"] is not None]
    assert all(CANONICAL_PLATE.match(e["plate"]) for e in plates)
    assert all(("-" in e["plate"][:3]) == (e["vehicle_type"] == "motorbike") for e in plates)
    localities = Counter(e["plate"][:2] for e in plates)
    local = sum(localities[n] for n in ("65", "95", "83")) / len(plates)
    assert 0.8 <= local <= 0.95 and localities["65"] > localities["95"]
    assert all(e["plate"] is None for e in detections if e["kind"] != "vehicle")


def test_misspelled_plates_normalise_back_to_the_plate() -> None:
    import random

    rng = random.Random(5)
    for _ in range(2000):
        vehicle_type: VehicleType = rng.choice(("motorbike", "motorbike", "car", "truck", "bus"))
        plate = make_plate(rng, rng.choice((65, 95, 83, 51, 29)), vehicle_type)
        raw = misspell(rng, plate)
        assert raw != plate and len(raw) <= 32
        assert read_plate(raw, vehicle_type).compact == compact(plate), (plate, raw)
    assert Vehicle("65-B1 234.56", "motorbike").plate == "65-B1 234.56"


# --- lodging ---------------------------------------------------------------------------------


def _deadline(arrival: datetime) -> datetime:
    if arrival.hour < 23:
        return arrival.replace(hour=23, minute=0, second=0)
    return (arrival + timedelta(days=1)).replace(hour=8, minute=0, second=0)


def test_lodging_late_notifications_share(default_run: list[SimMessage]) -> None:
    late = total = after_23 = 0
    for message in default_run:
        if message.topic != "lodging.checkins":
            continue
        event = orjson.loads(message.value)
        if event["action"] != "check_in":
            continue
        arrival = local_time(event["occurred_at"])
        notified = datetime.fromtimestamp(message.timestamp_ms / 1000, LOCAL)
        assert notified >= arrival
        total += 1
        late += notified > _deadline(arrival)
        after_23 += arrival.hour == 23
    assert 0.05 <= late / total <= 0.10
    assert after_23 > 0  # the next-morning rule is exercised


def test_lodging_guests(default_run: list[SimMessage]) -> None:
    checkins = [e for e in events(default_run, "lodging.checkins") if e["action"] == "check_in"]
    guests = [e["guest"] for e in checkins]
    cccd = [g for g in guests if g["id_type"] == "cccd"]
    elsewhere = sum(int(g["id_number"][:3]) not in (92, 93, 94) for g in cccd) / len(cccd)
    assert 0.55 <= elsewhere <= 0.85  # mostly other provinces, some locals
    foreign = [g for g in guests if g["nationality"] != "VN"]
    assert 0.05 <= len(foreign) / len(guests) <= 0.15
    assert all(g["id_type"] == "passport" for g in foreign)
    assert any(g["id_type"] == "cmnd" and len(g["id_number"]) == 9 for g in guests)
    methods = Counter(e["read_method"] for e in checkins)
    assert (methods["chip"] + methods["vneid"]) / len(checkins) >= 0.8
    outs = Counter(e["action"] for e in events(default_run, "lodging.checkins"))
    assert outs["check_out"] > 0.95 * outs["check_in"] - 200


# --- incidents -------------------------------------------------------------------------------

TRANSITIONS = {
    "received": {"verifying", "transferred", "dismissed"},
    "verifying": {"resolved", "transferred", "dismissed"},
}


def test_incident_reports_and_their_lifecycle(
    crowded_incidents: tuple[SimulationConfig, World, list[dict[str, Any]]],
) -> None:
    versions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in sorted(crowded_incidents[2], key=lambda e: local_time(e["updated_at"])):
        versions[event["report_id"]].append(event)
    firsts = [v[0] for v in versions.values()]
    categories = Counter(e["category"] for e in firsts)
    # In the proportions of CATEGORY_RATE: "other" reports first, social-order crime 45 of 583.
    assert categories.most_common(1)[0][0] == "other"
    assert categories["social_order_crime"] / len(firsts) == pytest.approx(45 / 583, abs=0.01)
    assert len(categories) == 9
    assert {e["channel"] for e in firsts} == {
        "hotline", "zalo", "facebook", "in_person", "vneid", "public_service_portal", "camera",
    }  # fmt: skip
    for history in versions.values():
        assert history[0]["status"] == "received"
        updated = [local_time(e["updated_at"]) for e in history]
        assert updated == sorted(updated) and len(set(updated)) == len(updated)
        for before, after in itertools.pairwise(history):
            assert after["status"] in TRANSITIONS[before["status"]]
        assert local_time(history[0]["occurred_at"]) <= local_time(history[0]["received_at"])
    crimes = {"social_order_crime", "drug_crime", "economic_crime", "environmental_crime"}
    assert all((e["severity"] is not None) == (e["category"] in crimes) for e in firsts)
    serious = sum(e["severity"] == "especially_serious" for e in firsts)
    mass = sum(e["mass_petition"] for e in firsts)
    assert 1 <= serious <= 0.01 * len(firsts) and 1 <= mass <= 0.01 * len(firsts)
    accidents = [e for e in firsts if e["category"] == "traffic_accident"]
    assert any(e["deaths"] > 0 for e in accidents) and any(e["injuries"] > 0 for e in accidents)
    summaries = [e["summary"] for e in firsts if e["summary"]]
    assert len(summaries) > 0.9 * len(firsts)
    assert all(not s.isascii() and len(s) < 200 and s.endswith(".") for s in summaries)
    finals = Counter(v[-1]["status"] for v in versions.values())
    assert finals["resolved"] > finals["transferred"] > 0 and finals["dismissed"] > 0


def test_crimes_are_solved_at_the_national_clearance_rate(
    crowded_incidents: tuple[SimulationConfig, World, list[dict[str, Any]]],
) -> None:
    config, _, payloads = crowded_incidents
    latest: dict[str, dict[str, Any]] = {}
    for event in sorted(payloads, key=lambda e: local_time(e["updated_at"])):
        latest[event["report_id"]] = event
        if "solved_at" in event:  # only on the version that resolves the report, and after it
            assert event["status"] == "resolved"
            solved_at = local_time(event["solved_at"])
            assert local_time(event["occurred_at"]) <= solved_at <= local_time(event["updated_at"])
    # Crimes that occurred in the first year: by the end of the window, all that will be solved
    # are (the delay is at most 240 days). About 84% of those not dismissed.
    first_year = config.start_s + 365 * 86_400
    crimes = [
        e
        for e in latest.values()
        if e["category"] == "social_order_crime"
        and e["status"] != "dismissed"
        and local_time(e["occurred_at"]).timestamp() < first_year
    ]
    solved = [e for e in crimes if "solved_at" in e]
    assert 0.82 <= len(solved) / len(crimes) <= 0.87
    delays = sorted(
        (local_time(e["solved_at"]) - local_time(e["received_at"])).days for e in solved
    )
    # Days to months: half within about two weeks, a tenth after more than two months.
    assert 5 <= delays[len(delays) // 2] <= 25 and delays[len(delays) * 9 // 10] >= 45
    assert not [e for e in latest.values() if e["category"] == "petition" and "solved_at" in e]


def test_year_over_year_trend_differs_per_ward(
    crowded_incidents: tuple[SimulationConfig, World, list[dict[str, Any]]],
) -> None:
    config, world, payloads = crowded_incidents
    split = config.end_s - 365 * 86_400
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for event in payloads:
        if event["status"] == "received" and event["category"] == "social_order_crime":
            occurred = datetime.fromisoformat(event["occurred_at"]).timestamp()
            counts[event["ward_code"]][occurred >= split] += 1
    designed = {w.code: w.crime_change for w in world.wards}
    meeting = [c for c, change in designed.items() if change <= -0.05]
    missing = [c for c, change in designed.items() if change > -0.05]
    assert meeting and missing

    def change(wards: list[str]) -> float:
        before = sum(counts[w][0] for w in wards)
        return sum(counts[w][1] for w in wards) / before - 1

    # In aggregate the designed trends show through the Poisson noise...
    assert change(meeting) < -0.15 and change(missing) > 0.05
    # ...and ward by ward, some meet the -5% target and some do not.
    observed = [counts[w][1] / counts[w][0] - 1 for w in designed if counts[w][0] >= 10]
    assert any(c <= -0.05 for c in observed) and any(c > -0.05 for c in observed)


# --- dirty records ---------------------------------------------------------------------------


def test_no_dirty_records_by_default(default_run: list[SimMessage]) -> None:
    assert all(m.dirty_kind is None for m in default_run)


def test_dirty_share_is_respected(dirty_run: list[SimMessage]) -> None:
    history = [m for m in dirty_run if m.topic in EVENT_TOPICS]
    dirty = sum(m.dirty_kind is not None for m in history)
    assert dirty / len(history) == pytest.approx(0.1, abs=0.005)
    assert all(m.dirty_kind is None for m in dirty_run if m.topic in REF_TOPICS)
    per_topic = Counter(m.topic for m in history if m.dirty_kind)
    assert all(per_topic[t] > 0 for t in EVENT_TOPICS)


def test_every_dirty_kind_appears_with_its_expected_outcome(dirty_run: list[SimMessage]) -> None:
    kinds = Counter(m.dirty_kind for m in dirty_run if m.dirty_kind)
    assert set(kinds) == set(DIRTY_KINDS)
    assert min(kinds.values()) >= 30
    for message in dirty_run:
        if message.dirty_kind is not None:
            assert message.expected == OUTCOMES[message.dirty_kind]  # type: ignore[index]


def _only(messages: list[SimMessage], kind: str) -> list[SimMessage]:
    return [m for m in messages if m.dirty_kind == kind]


def _person(message: SimMessage) -> dict[str, Any]:
    event = orjson.loads(message.value)
    person: dict[str, Any] = event["guest" if message.topic == "lodging.checkins" else "person"]
    return person


def test_dirty_records_carry_their_fault(
    dirty_run: list[SimMessage], validators: dict[str, Callable[[Any], Any]]
) -> None:
    for m in _only(dirty_run, "nfd_name"):
        name = _person(m)["full_name"]
        assert not unicodedata.is_normalized("NFC", name)
    for m in _only(dirty_run, "messy_name"):
        name = _person(m)["full_name"]
        assert name != " ".join(name.split()) or name != name.title()
    for m in _only(dirty_run, "dmy_date"):
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", _person(m)["date_of_birth"])
    for m in _only(dirty_run, "bad_id_length"):
        number = _person(m)["id_number"]
        assert number.isdigit() and len(number) not in (9, 12)
        assert m.key == number.encode() or m.topic == "lodging.checkins"
    for m in _only(dirty_run, "id_mismatch"):
        person = _person(m)
        cccd = read_cccd(person["id_number"])
        assert cccd is not None
        born = date.fromisoformat(person["date_of_birth"])
        assert cccd.birth_year != born.year or cccd.sex != person["sex"]
    for m in _only(dirty_run, "naive_timestamp"):
        event = orjson.loads(m.value)
        stamp = event.get("observed_at") or event.get("updated_at") or event["occurred_at"]
        assert datetime.fromisoformat(stamp).tzinfo is None
    anchor = datetime.now(ICT)
    for m in _only(dirty_run, "future_timestamp"):
        event = orjson.loads(m.value)
        stamp = event.get("observed_at") or event.get("updated_at") or event["occurred_at"]
        assert datetime.fromisoformat(stamp) > anchor + timedelta(hours=12)
        assert m.timestamp_ms <= anchor.timestamp() * 1000  # the Kafka timestamp is not
    cameras = {e["camera_id"] for e in events(dirty_run, "ref.cameras")}
    for m in _only(dirty_run, "unknown_camera"):
        assert orjson.loads(m.value)["camera_id"] not in cameras
    facilities = {e["facility_id"] for e in events(dirty_run, "ref.facilities")}
    for m in _only(dirty_run, "unknown_facility"):
        assert orjson.loads(m.value)["facility_id"] not in facilities
    every_ward = {f"{w.code.value:05d}" for w in Ward.iter_all()}
    for m in _only(dirty_run, "unknown_ward"):
        assert re.fullmatch(r"\d{5}", code := orjson.loads(m.value)["ward_code"])
        assert code not in every_ward
    for m in _only(dirty_run, "malformed_json"):
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(m.value)
    for m in _only(dirty_run, "missing_field"):
        with pytest.raises(fastjsonschema.JsonSchemaValueException) as caught:
            validators[m.topic](orjson.loads(m.value))
        assert caught.value.rule == "required" or caught.value.value is None
    earlier = {(m.topic, m.key, m.value) for m in dirty_run if m.expected == "accept"}
    for m in _only(dirty_run, "duplicate"):
        assert (m.topic, m.key, m.value) in earlier
    for m in _only(dirty_run, "plate_spelling"):
        event = orjson.loads(m.value)
        assert not CANONICAL_PLATE.match(event["plate"])
        assert read_plate(event["plate"], event["vehicle_type"]).status == "readable"


def test_dirty_but_acceptable_records_still_follow_the_schema(
    dirty_run: list[SimMessage], validators: dict[str, Callable[[Any], Any]]
) -> None:
    for message in dirty_run:
        if message.expected in ("accept", "duplicate") or message.expected.startswith("unknown_"):
            validators[message.topic](orjson.loads(message.value))


def test_keys_follow_the_faulty_field(dirty_run: list[SimMessage]) -> None:
    """The key is the field as sent: a wrong ID or camera is a wrong key, not a key mismatch."""
    for m in _only(dirty_run, "unknown_camera") + _only(dirty_run, "id_mismatch"):
        if m.topic in ("camera.events", "population.updates"):
            value: Any = orjson.loads(m.value)
            for part in source_topic(m.topic).key_field.split("."):
                value = value[part]
            assert m.key == value.encode()


# --- publishing ------------------------------------------------------------------------------


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, bytes, int]] = []
        self.flushed = self.closed = False

    def send(self, topic: str, *, value: bytes, key: bytes | None, timestamp_ms: int) -> None:
        self.sent.append((topic, key, value, timestamp_ms))

    def flush(self, timeout: float | None = None) -> None:
        self.flushed = True

    def close(self, timeout: float | None = None) -> None:
        self.closed = True


def test_publish_sends_everything_and_writes_the_report(tmp_path: Path) -> None:
    producer = FakeProducer()
    settings = Settings(data_dir=tmp_path)
    config = SimulationConfig(**{**_fields(SMALL), "dirty_share": 0.05})
    report = publish(settings, config, progress=False, producer_factory=lambda _: producer)
    assert producer.flushed and producer.closed
    assert len(producer.sent) == report.backfill_messages and report.live_messages == 0
    expected = count_messages(generate(replace_anchor(config)))
    assert {t: c.produced for t, c in report.topics.items()} == {
        t: c.produced for t, c in expected.items()
    }
    assert {t: c.rejected for t, c in report.topics.items()} == {
        t: c.rejected for t, c in expected.items()
    }
    saved = json.loads((tmp_path / "simulator" / "last_run.json").read_text())
    assert saved["seed"] == SMALL.seed and saved["backfill_messages"] == len(producer.sent)
    camera = saved["topics"]["camera.events"]
    assert camera["produced"] == camera["accepted"] + camera["duplicates"] + sum(
        camera["rejected"].values()
    )


def replace_anchor(config: SimulationConfig) -> SimulationConfig:
    """The published run anchors "future" faults at the wall clock; counts do not depend on it."""
    return SimulationConfig(**{**_fields(config), "future_anchor": datetime.now(ICT)})


def test_publish_streams_live_events_on_the_wall_clock(
    tmp_path: Path, validators: dict[str, Callable[[Any], Any]]
) -> None:
    producer = FakeProducer()
    settings = Settings(data_dir=tmp_path)
    before = datetime.now(ICT).timestamp() * 1000
    report = publish(
        settings,
        SMALL,
        live_seconds=0.5,
        rate=200,
        progress=False,
        producer_factory=lambda _: producer,
    )
    live = producer.sent[report.backfill_messages :]
    assert len(live) == report.live_messages == 100
    for topic, key, value, timestamp_ms in live:
        event = orjson.loads(value)
        validators[topic](event)
        assert timestamp_ms >= before - 1000
        assert key is not None


def test_live_source_continues_open_stays_and_reports() -> None:
    backfill = simulate(SMALL)
    assert backfill.open_stays and backfill.open_reports
    started = SMALL.end_at.timestamp() + 60
    source = LiveSource(backfill, started)
    # One event every two minutes for 20 hours: the open stays' check-outs and the open reports'
    # next versions fall due.
    produced = [m for i in range(600) for m in source.next_messages(started + 120 * i)]
    ids = [orjson.loads(m.value).get("event_id") for m in produced]
    assert len({i for i in ids if i}) == len([i for i in ids if i])
    assert Counter(m.topic for m in produced).keys() == set(EVENT_TOPICS)


def test_live_events_come_in_the_proportions_of_the_history() -> None:
    backfill = simulate(SMALL)
    since_ms = (SMALL.end_s - SMALL.camera_days * 86_400) * 1000
    recent = Counter(m.topic for m in backfill.messages if m.timestamp_ms >= since_ms)
    started = SMALL.end_at.timestamp() + 60
    source = LiveSource(backfill, started)
    live = Counter(m.topic for i in range(3000) for m in source.next_messages(started + i))
    for topic in ("camera.events", "population.updates"):
        assert live[topic] / live.total() == pytest.approx(
            recent[topic] / recent.total(), abs=0.05
        ), topic
    # Incidents are rare in the history, so in the live phase too (follow-ups of open reports
    # come on top).
    assert live["incident.reports"] / live.total() < 0.05


def test_a_province_of_a_few_residents_has_no_lodging_and_live_events_still_flow() -> None:
    # 2 residents per ward: about 200 people, so no lodging facility (2 to 4 per 10,000).
    config = SimulationConfig(seed=3, days=30, residents_per_ward=2)
    backfill = simulate(config)
    assert not backfill.world.facilities
    assert not [m for m in backfill.messages if m.topic == "lodging.checkins"]
    started = config.end_at.timestamp() + 60
    source = LiveSource(backfill, started)
    produced = Counter(m.topic for i in range(300) for m in source.next_messages(started + i))
    assert produced["lodging.checkins"] == 0 and produced["population.updates"] > 0


def test_publish_refuses_a_history_that_ends_in_the_future(tmp_path: Path) -> None:
    config = SimulationConfig(end_at=datetime.now(ICT) + timedelta(days=2))
    with pytest.raises(ValueError, match="future"):
        publish(Settings(data_dir=tmp_path), config, producer_factory=lambda _: FakeProducer())


def test_cli_options_and_dry_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    for action in parser._actions:
        if action.dest != "help":
            assert action.help, action.dest
    args = parser.parse_args(
        ["--seed", "9", "--days", "20", "--residents-per-ward", "60", "--camera-days", "3",
         "--dirty-share", "0.1", "--end-at", "2026-10-01T00:00", "--dry-run", "--no-progress"]
    )  # fmt: skip
    assert run(args, Settings(data_dir=tmp_path)) == 0
    out = capsys.readouterr().out
    assert "camera.events" in out and "dry run" in out
    with pytest.raises(SystemExit):
        parser.parse_args(["--dirty-share", "1.5"])


def test_config_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        SimulationConfig(end_at=datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        SimulationConfig(province_code=99)
    with pytest.raises(ValueError):
        SimulationConfig(dirty_share=1.5)


def test_another_province_uses_its_own_units() -> None:
    config = SimulationConfig(province_code=38, days=20, residents_per_ward=2)
    wards = {f"{w.code.value:05d}" for w in Ward.iter_all() if w.province_code.value == 38}
    births: Counter[str] = Counter()
    for event in events(list(generate(config)), "population.updates"):
        assert event["ward_code"] is None or event["ward_code"] in wards
        births[event["person"]["id_number"][:3]] += 1
    assert births.most_common(1)[0][0] == "038"  # Thanh Hóa


def test_retention_shorter_than_the_backfill_is_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kafka deletes segments by their newest timestamp: a 7-day retention eats the history."""
    import kafka

    from pipelines.simulator.publish import retention_warnings

    class FakeAdmin:
        def __init__(self, **_: Any) -> None:
            pass

        def describe_configs(self, resources: list[Any], config_filter: str) -> dict[str, Any]:
            retention = {"camera.events": "604800000", "incident.reports": "-1"}
            return {
                "topic": {
                    r.name: {"retention.ms": {"value": retention.get(r.name, "99999999999")}}
                    for r in resources
                }
            }

        def close(self) -> None:
            pass

    monkeypatch.setattr(kafka, "KafkaAdminClient", FakeAdmin)
    warnings = retention_warnings(Settings(), SimulationConfig())
    assert len(warnings) == 1 and warnings[0].startswith("camera.events: retention.ms=604800000")
