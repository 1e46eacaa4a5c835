"""The synthetic province: every entity the events are about, built once from the config."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from pipelines.simulator.cameras import build_vehicles, plate_localities
from pipelines.simulator.clock import local
from pipelines.simulator.config import SimulationConfig
from pipelines.simulator.lodging import GuestPool, build_foreigners, build_visitors
from pipelines.simulator.plates import Vehicle, VehicleType, make_plate
from pipelines.simulator.population import (
    CccdIssuer,
    Person,
    Resident,
    build_residents,
    ward_sizes,
)
from pipelines.simulator.rand import Weighted, derive
from pipelines.simulator.reference import (
    Camera,
    Facility,
    WatchEntry,
    build_cameras,
    build_facilities,
    build_watchlist,
)
from pipelines.simulator.regions import ProvinceInfo, province_info
from pipelines.simulator.wards import WardProfile, build_wards

__all__ = ["World", "build_world"]


@dataclass(frozen=True, slots=True)
class World:
    """Wards, residents, cameras, facilities, watchlist, vehicles and travellers of a province."""

    config: SimulationConfig
    province: ProvinceInfo
    wards: tuple[WardProfile, ...]
    residents: tuple[Resident, ...]
    # Residents per ward at the start of the history: what incidents, cameras and lodging scale by.
    population: Mapping[str, int]
    cameras: tuple[Camera, ...]
    facilities: tuple[Facility, ...]
    watchlist: tuple[WatchEntry, ...]
    vehicles: tuple[Vehicle, ...]
    traffic: Weighted[Vehicle]
    guests: GuestPool
    # Keeps handing out unused ID numbers to people born or arriving during the live phase.
    issuer: CccdIssuer


def build_world(config: SimulationConfig) -> World:
    """The province of a config; the same config always builds the same world."""
    seed = config.seed
    province = province_info(config.province_code)
    end_day = local(config.end_s).date()
    wards = build_wards(province, derive(seed, "wards"))
    issuer = CccdIssuer(derive(seed, "id-numbers"))
    sizes = None
    if config.residents is not None:
        sizes = ward_sizes(config.residents, [w.code for w in wards], derive(seed, "ward-sizes"))
    residents = build_residents(config, province, issuer, derive(seed, "residents"), sizes)
    population = Counter(r.ward_code for r in residents)
    cameras = build_cameras(config, wards, population, derive(seed, "cameras"))
    facilities = build_facilities(config, wards, population, derive(seed, "facilities"))
    # A province at size has about as many vehicles on its roads as half its residents (Vietnam:
    # some 77 million motorbikes and cars for 100 million people, not all of them out every day).
    exact = config.residents or 0
    vehicles, traffic = build_vehicles(
        province, derive(seed, "vehicles"), max(500, 40 * len(wards), exact // 2)
    )
    visitors = build_visitors(
        province, issuer, derive(seed, "visitors"), max(300, 25 * len(wards), exact // 100), end_day
    )
    foreigners = build_foreigners(derive(seed, "foreigners"), max(40, 3 * len(wards)), end_day)
    guests = GuestPool.of(visitors, residents, foreigners, end_day)

    rng = derive(seed, "watchlist")
    # Stolen vehicles are not in the everyday pool: they are seen only as planned sightings.
    known = {v.plate for v in vehicles}
    localities = plate_localities(province)
    stolen: list[Vehicle] = []
    while len(stolen) < 24:
        vehicle_type: VehicleType = "motorbike" if rng.random() < 0.8 else "car"
        plate = make_plate(rng, localities.draw(rng), vehicle_type)
        if plate not in known:
            known.add(plate)
            stolen.append(Vehicle(plate, vehicle_type))
    # Watchlisted residents are adults still living in the province.
    staying = {r.person.id_number for r in residents if r.removed_at is None}
    adults = [p for p in guests.locals if p.id_number in staying]
    wanted = _pick(rng, adults, 7) + _pick(rng, list(visitors), 7)
    missing = _pick(rng, [p for p in adults if p not in wanted], 4) + _pick(
        rng, [p for p in visitors if p not in wanted], 4
    )
    watchlist = build_watchlist(config, tuple(stolen), tuple(wanted), tuple(missing), rng)
    return World(
        config=config,
        province=province,
        wards=wards,
        residents=residents,
        population=population,
        cameras=cameras,
        facilities=facilities,
        watchlist=watchlist,
        vehicles=vehicles,
        traffic=traffic,
        guests=guests,
        issuer=issuer,
    )


def _pick(rng: random.Random, people: list[Person], count: int) -> list[Person]:
    return rng.sample(people, min(count, len(people)))
