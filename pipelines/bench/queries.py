"""``antt bench queries``: warehouse query times over one simulated year of a province at size.

Pushing ten million camera events through Kafka and the worker takes hours on one machine, so
this benchmark bypasses the broker and the worker: it writes the year straight into a landing
zone as Parquet files with the landed schemas (``warehouse/landing/schemas.py``) and the landing
layout, drawn column by column (numpy, pyarrow) from the simulator's own rules: its wards and
their activity, residents apportioned over them, its cameras and lodging facilities, their
detection and check-in rates, the age pyramid, card and VNeID shares, the incident categories'
rates. The rows are already "cleaned": no dirty data, no duplicates, no rejections. It is for
timing queries only; nothing about the stream path is measured or proven by it.

Having landed the year, it writes the registry snapshot as the compaction job would
(``warehouse/snapshots.py``; with ``--reuse``, the zone's newest snapshot serves as it is). With
``--changes-since``, it then lands that many registry changes after the snapshot, as the changes of
a day between two snapshots (removed again after timing). It then times ``warehouse.connect()`` and
every view the indicators, notebooks and dashboards read: the first query on a fresh connection
(cold) and the best of the next runs (warm).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import duckdb
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from antt.settings import Settings
from pipelines.simulator.cameras import DETECTION_HOURS, DETECTION_KINDS
from pipelines.simulator.config import ICT, REAL_CAMERA_TRAFFIC, SimulationConfig
from pipelines.simulator.incidents import CATEGORY_RATE, hour_profile
from pipelines.simulator.population import AGE_PYRAMID, CARD_SHARE, birth_places, ward_sizes
from pipelines.simulator.rand import Weighted, derive
from pipelines.simulator.reference import Camera, Facility, build_cameras, build_facilities
from pipelines.simulator.regions import province_info
from pipelines.simulator.wards import WardProfile, build_wards
from warehouse import snapshots
from warehouse.api import INDICATORS, connect
from warehouse.landing.schemas import table_schema
from warehouse.landing.zone import LandingZone, OwnTable

__all__ = [
    "VIEWS",
    "QueryTiming",
    "Size",
    "add_arguments",
    "land_changes_since",
    "land_year",
    "run",
    "time_views",
]

DAY: Final = 86_400
# Files of up to this many rows: what a compacted landing zone holds, rather than the worker's
# one file per batch.
_ROWS_PER_FILE: Final = 1_000_000
_PARTITIONS: Final = 6
# What the notebooks and dashboards read besides the indicators (docs/scaling.md).
VIEWS: Final[tuple[str, ...]] = (
    *INDICATORS,
    "agg_ward_years",
    "fct_residents",
    "fct_incidents",
    "fct_lodging_checkins",
    "stg_camera_events",
    "stg_population_updates",
    "dim_cameras",
    "dim_facilities",
    "dim_dates",
)
_INDICATOR_PREFIX: Final = "ind_"
_LOAD_ID: Final = "bench-queries"
_SINCE_LOAD_ID: Final = "bench-queries-since"


@dataclass(frozen=True, slots=True)
class Size:
    """What to land: residents, camera detections and incident reports over ``days``."""

    residents: int = 1_000_000
    camera_events: int = 10_000_000
    incidents: int = 100_000
    days: int = 365
    seed: int = 2024
    province_code: int = 92


@dataclass(frozen=True, slots=True)
class QueryTiming:
    """One view: its rows, the first count on a fresh connection, the best warm count and the
    process CPU time it took (all threads: the work done, whatever else shares the machine), and
    the best warm full read (indicators only: the dashboards read them whole)."""

    view: str
    rows: int
    cold_count_s: float
    warm_count_s: float
    warm_count_cpu_s: float
    warm_read_s: float | None


# --- landing a year ------------------------------------------------------------------------


class _Writer:
    """Lands row batches of one table as offset-named files, partition by partition."""

    def __init__(self, zone: LandingZone, table: str, topic: str, load_id: str = _LOAD_ID) -> None:
        self._zone = zone
        self._table = table
        self._topic = topic
        self._load_id = load_id
        self._schema = table_schema(table)
        # After what is landed already, as a worker would continue.
        self._next = [zone.landed_through(table, OwnTable, p) + 1 for p in range(_PARTITIONS)]
        self.rows = 0
        self.paths: list[Path] = []

    def write(self, columns: dict[str, pa.Array], partitions: np.ndarray) -> None:
        rows = len(partitions)
        now = int(time.time())
        for partition in range(_PARTITIONS):
            index = np.flatnonzero(partitions == partition)
            if index.size == 0:
                continue
            take = pa.array(index)
            first = self._next[partition]
            self._next[partition] += index.size
            data = {name: pc.take(column, take) for name, column in columns.items()}
            data["source_topic"] = pa.array(np.full(index.size, self._topic))
            data["source_partition"] = pa.array(np.full(index.size, partition, np.int32))
            data["source_offset"] = pa.array(np.arange(first, first + index.size, dtype=np.int64))
            data["load_id"] = pa.array(np.full(index.size, self._load_id))
            data["landed_at"] = _utc(np.full(index.size, now))
            table = pa.table(
                [data.get(f.name, pa.nulls(index.size, f.type)) for f in self._schema],
                schema=self._schema,
            )
            folder = self._zone.root / self._table / OwnTable / f"p{partition:04d}"
            folder.mkdir(parents=True, exist_ok=True)
            last = first + index.size - 1
            path = folder / f"{first:020d}-{last:020d}.parquet"
            pq.write_table(table, path, compression="zstd")
            self.paths.append(path)
        self.rows += rows


@dataclass(frozen=True, slots=True)
class _Province:
    config: SimulationConfig
    wards: tuple[WardProfile, ...]
    population: dict[str, int]
    cameras: tuple[Camera, ...]
    facilities: tuple[Facility, ...]


def _province(size: Size, end: datetime) -> _Province:
    config = SimulationConfig(
        seed=size.seed,
        province_code=size.province_code,
        days=size.days,
        end_at=end,
        residents=size.residents,
        camera_traffic=REAL_CAMERA_TRAFFIC,
    )
    province = province_info(size.province_code)
    wards = build_wards(province, derive(size.seed, "wards"))
    population = ward_sizes(
        size.residents, [w.code for w in wards], derive(size.seed, "ward-sizes")
    )
    cameras = build_cameras(config, wards, population, derive(size.seed, "cameras"))
    facilities = build_facilities(config, wards, population, derive(size.seed, "facilities"))
    return _Province(config, wards, population, cameras, facilities)


def _draw(rng: np.random.Generator, law: Weighted[Any], count: int) -> np.ndarray:
    """Indexes into ``law.items`` drawn ``count`` times."""
    return rng.choice(len(law.items), size=count, p=np.array(law.shares))


def _strings(values: list[Any], index: np.ndarray) -> pa.Array:
    return pc.take(pa.array(values), pa.array(index))


def _keys(rng: np.random.Generator, count: int) -> list[str]:
    """Keyed-hash pseudonyms' shape: 32 hex digits (128 bits)."""
    raw = rng.bytes(16 * count)
    return [raw[i : i + 16].hex() for i in range(0, 16 * count, 16)]


def _utc(seconds: np.ndarray) -> pa.Array:
    return pa.array(
        seconds.astype("datetime64[s]").astype("datetime64[us]"), pa.timestamp("us", tz="UTC")
    )


def _times(
    rng: np.random.Generator, start: int, end: int, hours: Weighted[int], count: int
) -> np.ndarray:
    """Instants in [start, end): a local day, then an hour of the day's profile."""
    offset = 7 * 3600  # ICT, no daylight saving
    first_day = (start + offset) // DAY
    days = rng.integers(0, max(1, (end - start) // DAY), size=count)
    at = (first_day + days) * DAY - offset
    at += _draw(rng, hours, count) * 3600 + rng.integers(0, 3600, size=count)
    return np.clip(at, start, end - 1)


def _cameras(zone: LandingZone, p: _Province, size: Size, say: Callable[[str], None]) -> int:
    ref = _Writer(zone, "ref_cameras", "ref.cameras")
    cams = p.cameras
    ref.write(
        {
            "camera_id": pa.array([c.camera_id for c in cams]),
            "is_deleted": pa.array([False] * len(cams)),
            "ward_code": pa.array([c.ward_code for c in cams]),
            "name": pa.array([c.name for c in cams]),
            "latitude": pa.array([c.latitude for c in cams]),
            "longitude": pa.array([c.longitude for c in cams]),
            "owner": pa.array([c.owner for c in cams]),
            "is_connected": pa.array([c.connected for c in cams]),
            "installed_on": pa.array([c.installed_on for c in cams], pa.date32()),
            "removed_on": pa.array([c.removed_on for c in cams], pa.date32()),
        },
        np.arange(len(cams)) % _PARTITIONS,
    )
    start, end = p.config.start_s, p.config.end_s
    live = [c for c in cams if c.active_span(start, end) is not None]
    weights = np.array([c.activity for c in live])
    rng = np.random.default_rng([size.seed, 1])
    vehicles = max(500, size.residents // 2)
    plates = _keys(rng, vehicles)
    localities = [f"{n:02d}" for n in rng.choice([65, 95, 83, 51, 59, 67, 64], size=vehicles)]
    zipf = 1 / np.arange(1, vehicles + 1) ** 0.8
    types = ["motorbike", "car", "truck", "bus"]
    vehicle_type = rng.choice(len(types), size=vehicles, p=[0.78, 0.17, 0.04, 0.01])
    writer = _Writer(zone, "camera_events", "camera.events")
    chunks = max(1, -(-size.camera_events // _ROWS_PER_FILE))
    span = (end - start) // chunks
    for chunk in range(chunks):
        n = size.camera_events // chunks + (1 if chunk < size.camera_events % chunks else 0)
        lo = start + chunk * span
        hi = end if chunk == chunks - 1 else lo + span
        camera = rng.choice(len(live), size=n, p=weights / weights.sum())
        kind = np.empty(n, dtype=object)
        at = np.empty(n, dtype=np.int64)
        for owner, law in DETECTION_KINDS.items():
            mine = np.flatnonzero(
                np.array([live[i].owner == owner for i in range(len(live))])[camera]
            )
            drawn = np.array(law.items, dtype=object)[_draw(rng, law, mine.size)]
            kind[mine] = drawn
        for name, hours in DETECTION_HOURS.items():
            mine = np.flatnonzero(kind == name)
            at[mine] = _times(rng, lo, hi, hours, mine.size)
        order = np.argsort(at, kind="stable")
        camera, kind, at = camera[order], kind[order], at[order]
        vehicle = kind == "vehicle"
        readable = vehicle & (rng.random(n) >= 0.04)
        rank = rng.choice(vehicles, size=n, p=zipf / zipf.sum())
        first = chunk * (size.camera_events // chunks) + min(chunk, size.camera_events % chunks)
        ids = pc.binary_join_element_wise(
            "cam-", pc.cast(pa.array(np.arange(first, first + n)), pa.string()), ""
        )
        writer.write(
            {
                "event_id": ids,
                "camera_id": _strings([c.camera_id for c in live], camera),
                "observed_at": _utc(at),
                "kind": pa.array(kind.tolist(), pa.string()),
                "plate_status": pa.array(
                    np.where(readable, "readable", np.where(vehicle, "unreadable", "absent"))
                ),
                "plate_key": pc.if_else(pa.array(readable), _strings(plates, rank), None),
                "plate_locality": pc.if_else(pa.array(readable), _strings(localities, rank), None),
                "vehicle_type": pc.if_else(
                    pa.array(vehicle), _strings(types, vehicle_type[rank]), None
                ),
                "confidence": pa.array(np.round(0.55 + 0.44 * np.sqrt(rng.random(n)), 3)),
                "ward_code": _strings([c.ward_code for c in live], camera),
                "camera_owner": _strings([c.owner for c in live], camera),
                "camera_is_connected": pa.array(np.ones(n, dtype=bool)),
            },
            camera % _PARTITIONS,
        )
        say(f"camera_events: {writer.rows:,} of {size.camera_events:,} rows landed")
    return len(writer.paths) + len(ref.paths)


def _population(zone: LandingZone, p: _Province, size: Size, say: Callable[[str], None]) -> int:
    """Registry events: the snapshot at the window's start, ID cards, VNeID, moves, removals."""
    rng = np.random.default_rng([size.seed, 2])
    start, end = p.config.start_s, p.config.end_s
    end_day = np.datetime64(datetime.fromtimestamp(end, ICT).date(), "D")
    births = birth_places(province_info(size.province_code))
    codes = list(p.population)
    writer = _Writer(zone, "population_updates", "population.updates")
    first_person = 0
    for ward_index in np.array_split(np.arange(len(codes)), max(1, size.residents // 250_000)):
        counts = np.array([p.population[codes[i]] for i in ward_index])
        n = int(counts.sum())
        ward = np.repeat(ward_index, counts)
        age = np.array(AGE_PYRAMID.items)[_draw(rng, AGE_PYRAMID, n)]
        born = end_day - (age * 365.25).astype(np.int64) - rng.integers(0, 365, size=n)
        band = np.where(age < 6, 0, np.where(age < 14, 1, 2))
        card_share = np.array([CARD_SHARE["under_6"], CARD_SHARE["6_to_13"], CARD_SHARE["14_plus"]])
        card = rng.random(n) < card_share[band]
        card_at = np.where(rng.random(n) < 0.7, start + 60, rng.integers(start, end, size=n))
        vneid = card & (band == 2) & (rng.random(n) < 0.82)
        level = np.where(rng.random(n) < 0.68 / 0.82, 2, 1).astype(np.int8)
        vneid_at = np.maximum(card_at + 3600, rng.integers(start, end, size=n))
        moved = rng.random(n) < 0.03
        removed = rng.random(n) < np.where(age >= 70, 0.03, 0.006)
        person = np.arange(first_person, first_person + n)
        first_person += n
        keys = _keys(rng, n)
        sex = np.where(rng.random(n) < 0.5, "male", "female")
        birth_province = np.array(births.items)[_draw(rng, births, n)].astype(np.int16)
        targets = rng.integers(0, len(codes), size=n)
        rows = [
            ("registered", np.ones(n, bool), np.full(n, start), ward, None),
            ("id_card_issued", card, card_at, ward, None),
            ("vneid_activated", vneid & (vneid_at < end), vneid_at, ward, level),
            ("moved", moved, rng.integers(start, end, size=n), targets, None),
            ("removed", removed, np.full(n, end - DAY), None, None),
        ]
        for change, mask, at, wards, levels in rows:
            who = np.flatnonzero(mask)
            take = pa.array(who)
            writer.write(
                {
                    "event_id": pc.binary_join_element_wise(
                        f"pop-{change}-", pc.cast(pa.array(person[who]), pa.string()), ""
                    ),
                    "occurred_at": _utc(np.asarray(at)[who]),
                    "change": pa.array([change] * who.size, pa.string()),
                    "person_key": pc.take(pa.array(keys), take),
                    "birth_date": pa.array(born[who]),
                    "sex": pa.array(sex[who]),
                    "birth_province_code": pa.array(birth_province[who]),
                    "ward_code": (
                        pa.nulls(who.size, pa.string())
                        if wards is None
                        else _strings(codes, np.asarray(wards)[who])
                    ),
                    "residence": pa.array(
                        np.where(rng.random(who.size) < 0.9, "permanent", "temporary")
                    )
                    if change in ("registered", "moved")
                    else pa.nulls(who.size, pa.string()),
                    "vneid_level": pa.nulls(who.size, pa.int8())
                    if levels is None
                    else pa.array(levels[who]),
                },
                person[who] % _PARTITIONS,
            )
        say(f"population_updates: {first_person:,} of {size.residents:,} residents landed")
    return len(writer.paths)


def _incidents(zone: LandingZone, p: _Province, size: Size, say: Callable[[str], None]) -> int:
    """Reports received -> verifying -> decided, each version a row, as the simulator sends them."""
    rng = np.random.default_rng([size.seed, 3])
    start, end = p.config.start_s, p.config.end_s
    n = size.incidents
    weights = np.array([p.population[w.code] * w.activity for w in p.wards])
    ward = rng.choice(len(p.wards), size=n, p=weights / weights.sum())
    categories = list(CATEGORY_RATE)
    rates = np.array(list(CATEGORY_RATE.values()))
    category = rng.choice(len(categories), size=n, p=rates / rates.sum())
    occurred = np.empty(n, dtype=np.int64)
    for index, name in enumerate(categories):
        mine = np.flatnonzero(category == index)
        occurred[mine] = _times(rng, start, end, hour_profile(name), mine.size)
    received = occurred + rng.integers(600, 2 * DAY, size=n)
    verifying = received + rng.integers(1800, 2 * DAY, size=n)
    decided = verifying + (np.exp(rng.normal(np.log(5), 1.0, size=n)) * DAY).astype(np.int64)
    is_crime = category < 4
    severity = np.array(["less_serious", "serious", "very_serious", "especially_serious"])[
        rng.choice(4, size=n, p=[0.585, 0.3, 0.112, 0.003])
    ]
    outcome = np.array(["resolved", "transferred", "dismissed"])[
        rng.choice(3, size=n, p=[0.82, 0.08, 0.10])
    ]
    solved = is_crime & (outcome == "resolved") & (decided < end)
    year = np.array([datetime.fromtimestamp(int(t), ICT).year for t in received])
    report_id = np.array([f"INC-{y}-{i:06d}" for i, y in enumerate(year)])
    deaths = np.where(categories.index("traffic_accident") == category, rng.poisson(0.16, n), 0)
    writer = _Writer(zone, "incident_reports", "incident.reports")
    for status, at in (("received", received), ("verifying", verifying), ("final", decided)):
        who = np.flatnonzero((at < end) & (received < end))
        statuses = outcome[who] if status == "final" else np.full(who.size, status)
        writer.write(
            {
                "report_id": pa.array(report_id[who]),
                "updated_at": _utc(at[who]),
                "received_at": _utc(received[who]),
                "occurred_at": _utc(occurred[who]),
                "ward_code": _strings([w.code for w in p.wards], ward[who]),
                "category": _strings(categories, category[who]),
                "severity": pc.if_else(pa.array(is_crime[who]), pa.array(severity[who]), None),
                "channel": pa.array(np.full(who.size, "hotline")),
                "status": pa.array(statuses),
                "deaths": pa.array(deaths[who].astype(np.int32)),
                "injuries": pa.array(np.zeros(who.size, np.int32)),
                "is_mass_petition": pa.array(np.zeros(who.size, bool)),
                "solved_at": pc.if_else(
                    pa.array(solved[who] & (status == "final")), _utc(decided[who]), None
                ),
            },
            who % _PARTITIONS,
        )
    say(f"incident_reports: {n:,} reports, {writer.rows:,} versions landed")
    return len(writer.paths)


def _lodging(zone: LandingZone, p: _Province, size: Size, say: Callable[[str], None]) -> int:
    """Facilities on the platform and their guests' check-ins and check-outs, at their rates."""
    rng = np.random.default_rng([size.seed, 4])
    facilities = p.facilities
    ref = _Writer(zone, "ref_facilities", "ref.facilities")
    ref.write(
        {
            "facility_id": pa.array([f.facility_id for f in facilities], pa.string()),
            "is_deleted": pa.array([False] * len(facilities)),
            "name": pa.array([f.name for f in facilities], pa.string()),
            "kind": pa.array([f.kind for f in facilities], pa.string()),
            "ward_code": pa.array([f.ward_code for f in facilities], pa.string()),
            "on_platform_since": pa.array([f.on_platform_since for f in facilities], pa.date32()),
        },
        np.arange(len(facilities)) % _PARTITIONS,
    )
    start, end = p.config.start_s, p.config.end_s
    spans = [(i, f.active_span(start, end)) for i, f in enumerate(facilities)]
    stays = [
        (i, s, int(rng.poisson(facilities[i].activity * (s[1] - s[0]) / DAY)))
        for i, s in spans
        if s
    ]
    facility = np.concatenate([np.full(n, i) for i, _, n in stays] or [np.empty(0, np.int64)])
    arrival = np.concatenate(
        [rng.integers(s[0], s[1], size=n) for _, s, n in stays] or [np.empty(0, np.int64)]
    )
    n = facility.size
    writer = _Writer(zone, "lodging_checkins", "lodging.checkins")
    departure = arrival + rng.integers(1, 4, size=n) * DAY
    guests = _keys(rng, max(1, n // 3))
    guest = rng.integers(0, len(guests), size=n)
    age = rng.integers(14, 80, size=n)
    for action, at in (("check_in", arrival), ("check_out", departure)):
        who = np.flatnonzero(at < end)
        writer.write(
            {
                "event_id": pc.binary_join_element_wise(
                    f"lod-{action}-", pc.cast(pa.array(who), pa.string()), ""
                ),
                "facility_id": _strings([f.facility_id for f in facilities], facility[who]),
                "action": pa.array(np.full(who.size, action)),
                "occurred_at": _utc(at[who]),
                "notified_at": _utc(at[who] + rng.integers(60, 4 * 3600, size=who.size)),
                "read_method": pa.array(np.where(rng.random(who.size) < 0.8, "chip", "manual")),
                "guest_key": _strings(guests, guest[who]),
                "guest_id_type": pa.array(np.full(who.size, "cccd")),
                "guest_is_legacy_id": pa.array(np.zeros(who.size, bool)),
                "guest_sex": pa.array(np.where(guest[who] % 2 == 0, "male", "female")),
                "guest_nationality": pa.array(np.full(who.size, "VN")),
                "guest_has_phone": pa.array(np.ones(who.size, bool)),
                "guest_age": pa.array(age[who].astype(np.int16)),
                "guest_age_band": pa.array(np.full(who.size, "14_plus")),
                "is_foreigner": pa.array(np.zeros(who.size, bool)),
                "is_notified_on_time": pa.array(rng.random(who.size) >= 0.07),
                "ward_code": _strings([f.ward_code for f in facilities], facility[who]),
                "is_visitor": pa.array(rng.random(who.size) < 0.7),
            },
            facility[who] % _PARTITIONS,
        )
    say(f"lodging_checkins: {len(facilities):,} facilities, {writer.rows:,} rows landed")
    return len(writer.paths) + len(ref.paths)


def land_year(root: Path, size: Size, end: datetime, say: Callable[[str], None]) -> int:
    """Land one simulated year of ``size`` under ``root`` (new or empty); the number of files."""
    if root.exists() and any(root.iterdir()):
        raise ValueError(f"{root} is not empty; give an empty or new folder")
    zone = LandingZone(root)
    zone.ensure()
    province = _province(size, end)
    say(
        f"province {size.province_code}: {size.residents:,} residents, "
        f"{len(province.cameras):,} cameras, {len(province.facilities):,} lodging facilities"
    )
    return sum(
        land(zone, province, size, say) for land in (_population, _cameras, _incidents, _lodging)
    )


def land_changes_since(root: Path, count: int, seed: int, day_end: datetime) -> list[Path]:
    """Land ``count`` registry changes after the zone's registry snapshot; the files landed.

    Each is a move (temporary residence in another ward), an ID card or a VNeID activation of a
    resident drawn from the snapshot, at a random instant of the day before ``day_end``, in the
    partition of the resident's registration, after every offset landed: the changes a day adds
    between two snapshots.
    """
    snapshot = snapshots.pinned(root)
    with duckdb.connect() as con:
        people: pa.Table = con.sql(
            f"""
            select *
            from (
                select person_key, ward_code, source_partition
                from read_parquet(?)
                where change = 'registered'
            )
            using sample reservoir({int(count)} rows) repeatable ({int(seed)})
            """,
            params=[str(snapshot)],
        ).to_arrow_table()
    if people.num_rows < count:
        raise ValueError(
            f"the registry snapshot has {people.num_rows:,} residents, not {count:,} "
            "(land a year first, or run without --reuse)"
        )
    rng = np.random.default_rng([seed, 5])
    kinds = rng.choice(
        ["moved", "id_card_issued", "vneid_activated"], size=count, p=[0.5, 0.25, 0.25]
    )
    moved = kinds == "moved"
    wards = pc.take(people["ward_code"], pa.array(rng.permutation(count)))
    end = int(day_end.timestamp())
    writer = _Writer(LandingZone(root), "population_updates", "population.updates", _SINCE_LOAD_ID)
    writer.write(
        {
            "event_id": pa.array([f"pop-since-{key}" for key in _keys(rng, count)]),
            "occurred_at": _utc(rng.integers(end - DAY, end, size=count)),
            "change": pa.array(kinds),
            "person_key": people["person_key"].combine_chunks(),
            "ward_code": pc.if_else(pa.array(moved), wards, pa.scalar(None, pa.string())),
            "residence": pc.if_else(
                pa.array(moved), pa.scalar("temporary"), pa.scalar(None, pa.string())
            ),
            "vneid_level": pc.if_else(
                pa.array(kinds == "vneid_activated"),
                pa.scalar(2, pa.int8()),
                pa.scalar(None, pa.int8()),
            ),
        },
        people["source_partition"].to_numpy(),
    )
    return writer.paths


# --- timing ------------------------------------------------------------------------------


def time_views(
    root: Path,
    as_of: date,
    runs: int,
    say: Callable[[str], None],
    views: tuple[str, ...] = VIEWS,
) -> tuple[float, float, list[QueryTiming]]:
    """Seconds of the first and the best later ``warehouse.connect()``, and every view's timing."""
    settings = Settings()
    connects: list[float] = []
    for _ in range(max(2, runs)):
        began = time.perf_counter()
        con = connect(settings, landing_dir=root)
        connects.append(time.perf_counter() - began)
        con.close()
    timings: list[QueryTiming] = []
    for view in views:
        con = connect(settings, landing_dir=root)
        try:
            con.execute("SET VARIABLE as_of = ?", [as_of]).fetchall()
            counts: list[tuple[float, float]] = []
            for _ in range(1 + runs):
                began, cpu = time.perf_counter(), time.process_time()
                ((rows,),) = con.execute(f"SELECT count(*) FROM {view}").fetchall()
                counts.append((time.perf_counter() - began, time.process_time() - cpu))
            reads: list[float] = []
            if view.startswith(_INDICATOR_PREFIX):
                for _ in range(runs):
                    began = time.perf_counter()
                    con.execute(f"SELECT * FROM {view}").fetchall()
                    reads.append(time.perf_counter() - began)
        finally:
            con.close()
        timing = QueryTiming(
            view=view,
            rows=int(rows),
            cold_count_s=round(counts[0][0], 3),
            warm_count_s=round(min(counts[1:])[0], 3),
            warm_count_cpu_s=round(min(counts[1:])[1], 3),
            warm_read_s=round(min(reads), 3) if reads else None,
        )
        say(
            f"{view}: {timing.rows:,} rows, cold {timing.cold_count_s} s, "
            f"warm {timing.warm_count_s} s (CPU {timing.warm_count_cpu_s} s)"
            + (f", read {timing.warm_read_s} s" if timing.warm_read_s is not None else "")
        )
        timings.append(timing)
    return round(connects[0], 3), round(min(connects[1:]), 3), timings


def _table(connect_first: float, connect_warm: float, timings: list[QueryTiming]) -> Iterator[str]:
    yield f"warehouse.connect(): first {connect_first} s, then {connect_warm} s"
    yield "| view | rows | cold count s | warm count s | its CPU s | warm full read s |"
    yield "|---|---|---|---|---|---|"
    for t in timings:
        read = "" if t.warm_read_s is None else str(t.warm_read_s)
        yield (
            f"| {t.view} | {t.rows:,} | {t.cold_count_s} | {t.warm_count_s} | "
            f"{t.warm_count_cpu_s} | {read} |"
        )


# --- command -----------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Size()
    parser.add_argument(
        "--landing",
        type=Path,
        default=None,
        help="landing zone to write the year into and time (default: <data-dir>/bench/landing; "
        "must be empty unless --reuse)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="time an already landed --landing, land nothing"
    )
    parser.add_argument(
        "--residents", type=int, default=defaults.residents, help="residents (default 1,000,000)"
    )
    parser.add_argument(
        "--camera-events",
        type=int,
        default=defaults.camera_events,
        help="camera detections over the year (default 10,000,000)",
    )
    parser.add_argument(
        "--incidents",
        type=int,
        default=defaults.incidents,
        help="incident reports over the year, each with up to three versions (default 100,000)",
    )
    parser.add_argument(
        "--days", type=int, default=defaults.days, help="days of history (default 365)"
    )
    parser.add_argument(
        "--changes-since",
        type=int,
        default=0,
        help="registry changes to land after the registry snapshot before timing, as a day "
        "between two snapshots; removed again afterwards (default 0)",
    )
    parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed")
    parser.add_argument(
        "--runs", type=int, default=3, help="warm runs per query; the best counts (default 3)"
    )
    parser.add_argument(
        "--views",
        type=_views,
        default=VIEWS,
        help="comma-separated views to time (default: every indicator and the marts and staged "
        "tables the notebooks and dashboards read)",
    )
    parser.add_argument(
        "--json", type=Path, default=None, help="also write the timings to this JSON file"
    )


def _views(text: str) -> tuple[str, ...]:
    views = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = sorted(set(views) - set(VIEWS))
    if unknown or not views:
        raise argparse.ArgumentTypeError(
            f"unknown view(s) {', '.join(unknown)}; known: {', '.join(VIEWS)}"
        )
    return views


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Land (unless ``--reuse``) and time; 0 on success, 2 on bad options."""
    root: Path = args.landing or settings.data_dir / "bench" / "landing"
    size = Size(
        residents=args.residents,
        camera_events=args.camera_events,
        incidents=args.incidents,
        days=args.days,
        seed=args.seed,
        province_code=settings.province_code,
    )
    if min(size.residents, size.camera_events, size.incidents, size.days, args.runs) < 1:
        print("antt bench queries: sizes, --days and --runs must be at least 1", file=sys.stderr)
        return 2
    if args.changes_since < 0:
        print("antt bench queries: --changes-since must be at least 0", file=sys.stderr)
        return 2
    # The year ends at the start of today (local): the indicators' as_of is today.
    end = datetime.now(ICT).replace(hour=0, minute=0, second=0, microsecond=0)
    landed_s = snapshot_s = None
    if not args.reuse:
        began = time.perf_counter()
        try:
            files = land_year(root, size, end, _say)
        except ValueError as exc:
            print(f"antt bench queries: {exc}", file=sys.stderr)
            return 2
        landed_s = round(time.perf_counter() - began, 1)
        _say(f"landed {files} files in {landed_s} s under {root} (bypassing the broker)")
        began = time.perf_counter()
        _, changes = snapshots.write(root, now=datetime.now(UTC))
        snapshot_s = round(time.perf_counter() - began, 1)
        _say(f"registry snapshot of {changes:,} changes written in {snapshot_s} s")
    as_of = (end - timedelta(days=1)).date()
    since: list[Path] = []
    try:
        if args.changes_since:
            try:
                since = land_changes_since(root, args.changes_since, args.seed, end)
            except ValueError as exc:
                print(f"antt bench queries: {exc}", file=sys.stderr)
                return 2
            _say(f"landed {args.changes_since:,} registry changes after the snapshot")
        first, warm, timings = time_views(root, as_of, args.runs, _say, args.views)
    finally:
        for path in since:
            path.unlink()
    print("\n".join(_table(first, warm, timings)))
    if args.json is not None:
        report = {
            "size": asdict(size),
            "as_of": as_of.isoformat(),
            "landed_s": landed_s,
            "registry_snapshot_s": snapshot_s,
            "registry_snapshot": snapshots.pinned(root).name,
            "registry_changes_since": args.changes_since,
            "connect_first_s": first,
            "connect_warm_s": warm,
            "median_warm_count_s": statistics.median(t.warm_count_s for t in timings),
            "views": [asdict(t) for t in timings],
        }
        args.json.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    return 0
