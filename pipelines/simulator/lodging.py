"""Lodging stays: guests check in and out, and the facility notifies the police.

The Kafka timestamp of a check-in is the moment the facility notified (the publish time), not
the arrival. The legal deadline (Luật Cư trú 2020, Thông tư 55/2021/TT-BCA) is 23:00 on the day
the stay starts, or 08:00 the next day for an arrival at or after 23:00; a configurable share of
check-ins is notified after it, more at some facilities than others, so compliance varies.

Guests are mostly Vietnamese from other provinces (the people the notification is about), some
locals, some foreigners on passports; watchlisted persons check in now and then.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from pipelines.simulator.clock import DAY, HOUR, MINUTE, iso, local_midnight
from pipelines.simulator.config import SimulationConfig
from pipelines.simulator.messages import Draft, Payload
from pipelines.simulator.names import (
    NATIONALITIES,
    foreign_name,
    passport_number,
    phone_number,
    vietnamese_name,
)
from pipelines.simulator.population import CccdIssuer, Person, Resident, birth_places
from pipelines.simulator.rand import Weighted, hours, poisson
from pipelines.simulator.reference import Facility, FacilityKind, WatchEntry
from pipelines.simulator.regions import ProvinceInfo
from streams.cleaning.identity import Sex

__all__ = [
    "GuestPool",
    "Stay",
    "build_foreigners",
    "build_visitors",
    "checkin_payload",
    "lodging_drafts",
    "make_stay",
    "notification_deadline",
]

# Arrivals: afternoon and evening mostly, a tail after 23:00 (next-morning deadline).
_ARRIVAL: Final = hours(
    [
        2,
        1.2,
        0.6,
        0.3,
        0.2,
        0.3,
        0.6,
        1,
        1.5,
        2,
        2.5,
        3,
        3.5,
        4,
        5,
        5.5,
        5.5,
        5,
        5,
        5,
        4.5,
        4,
        3,
        2.5,
    ]
)
_NIGHTS: Final[dict[FacilityKind, tuple[int, int]]] = {
    "hotel": (1, 4), "guesthouse": (1, 3), "motel": (1, 2), "homestay": (1, 3),
    "rental_rooms": (7, 29), "hospital": (2, 10),
}  # fmt: skip
_REASONS: Final[dict[FacilityKind, Weighted[str | None]]] = {
    "hospital": Weighted([("khám chữa bệnh", 0.6), ("chăm sóc người bệnh", 0.35), (None, 0.05)]),
    "rental_rooms": Weighted(
        [("lao động", 0.5), ("học tập", 0.3), ("công tác", 0.15), (None, 0.05)]
    ),
}
_DEFAULT_REASONS: Final[Weighted[str | None]] = Weighted(
    [
        ("công tác", 0.35),
        ("du lịch", 0.3),
        ("thăm người thân", 0.2),
        ("việc riêng", 0.1),
        (None, 0.05),
    ]
)
_READ_CCCD: Final = Weighted([("chip", 0.6), ("vneid", 0.32), ("manual", 0.08)])


@dataclass(frozen=True, slots=True)
class GuestPool:
    """Who may check in: visitors from other provinces, locals aged 16+, foreigners."""

    visitors: tuple[Person, ...]
    locals: tuple[Person, ...]
    foreigners: tuple[Person, ...]

    def draw(self, rng: random.Random) -> Person:
        pick = rng.random()
        if pick < 0.68 or not (self.locals or self.foreigners):
            return rng.choice(self.visitors)
        if pick < 0.9 and self.locals:
            return rng.choice(self.locals)
        return rng.choice(self.foreigners or self.visitors)

    @classmethod
    def of(
        cls,
        visitors: tuple[Person, ...],
        residents: tuple[Resident, ...],
        foreigners: tuple[Person, ...],
        on: date,
    ) -> GuestPool:
        adults = tuple(
            r.person for r in residents if (on - r.person.date_of_birth).days >= 16 * 365.25
        )
        return cls(visitors, adults, foreigners)


@dataclass(frozen=True, slots=True)
class Stay:
    """One stay: the check-in and check-out as (occurred_at, notified_at) pairs, in seconds."""

    facility: Facility
    guest: Person
    read_method: str
    reason: str | None
    arrival: int
    notified: int
    departure: int
    checkout_notified: int


def build_visitors(
    province: ProvinceInfo, issuer: CccdIssuer, rng: random.Random, count: int, on: date
) -> tuple[Person, ...]:
    """Vietnamese adults born in other provinces; some older ones still carry a 9-digit CMND."""
    elsewhere = birth_places(province, local_share=0.0)
    people: list[Person] = []
    for _ in range(count):
        sex: Sex = "male" if rng.random() < 0.55 else "female"
        born = on - timedelta(days=rng.randint(18 * 365, 75 * 365))
        legacy = born.year < 1990 and rng.random() < 0.12
        people.append(
            Person(
                id_type="cmnd" if legacy else "cccd",
                id_number=issuer.cmnd()
                if legacy
                else issuer.cccd(elsewhere.draw(rng), born.year, sex),
                full_name=vietnamese_name(rng, sex),
                date_of_birth=born,
                sex=sex,
                phone=phone_number(rng) if rng.random() < 0.9 else None,
            )
        )
    return tuple(people)


def build_foreigners(rng: random.Random, count: int, on: date) -> tuple[Person, ...]:
    people: list[Person] = []
    for _ in range(count):
        nationality = NATIONALITIES.draw(rng)
        sex: Sex = "male" if rng.random() < 0.55 else "female"
        people.append(
            Person(
                id_type="passport",
                id_number=passport_number(rng, nationality),
                full_name=foreign_name(rng, nationality),
                date_of_birth=on - timedelta(days=rng.randint(20 * 365, 70 * 365)),
                sex=sex,
                nationality=nationality,
                phone=None,
            )
        )
    return tuple(people)


def notification_deadline(arrival: int) -> int:
    """The last second a stay starting at ``arrival`` may be notified on time."""
    midnight = local_midnight(arrival)
    if arrival - midnight < 23 * HOUR:
        return midnight + 23 * HOUR
    return midnight + DAY + 8 * HOUR


def _read_method(rng: random.Random, guest: Person) -> str:
    if guest.id_type == "cccd":
        return _READ_CCCD.draw(rng)
    if guest.id_type == "passport" and rng.random() < 0.25:
        return "chip"
    return "manual"


def make_stay(
    rng: random.Random, facility: Facility, guest: Person, arrival: int, late_probability: float
) -> Stay:
    deadline = notification_deadline(arrival)
    if rng.random() < late_probability:
        notified = deadline + rng.randint(5 * MINUTE, 36 * HOUR)
    else:
        # Most receptions notify within the half hour; never after the deadline.
        delay = 30 + int(rng.expovariate(1 / (25 * MINUTE)))
        notified = arrival + min(delay, deadline - arrival - 1)
    low, high = _NIGHTS[facility.kind]
    nights = rng.randint(low, high)
    departure = local_midnight(arrival) + nights * DAY + rng.randint(7 * HOUR, 12 * HOUR)
    departure = max(departure, arrival + 4 * HOUR)
    reason = _REASONS.get(facility.kind, _DEFAULT_REASONS).draw(rng)
    return Stay(
        facility=facility,
        guest=guest,
        read_method=_read_method(rng, guest),
        reason=reason,
        arrival=arrival,
        notified=notified,
        departure=departure,
        # A facility that notifies late may do so after the guest left: the check-out follows.
        checkout_notified=max(departure + rng.randint(MINUTE, 40 * MINUTE), notified + MINUTE),
    )


def checkin_payload(stay: Stay, action: str) -> Payload:
    return {
        "schema_version": 1,
        "event_id": "",
        "facility_id": stay.facility.facility_id,
        "action": action,
        "occurred_at": iso(stay.arrival if action == "check_in" else stay.departure),
        "read_method": stay.read_method,
        "guest": stay.guest.guest_payload(),
        "reason": stay.reason,
    }


def _late_probabilities(
    facilities: list[tuple[Facility, tuple[int, int]]], late_share: float
) -> dict[str, float]:
    """Per-facility lateness, scaled so that the volume-weighted mean is ``late_share``."""
    volume = [f.activity * (hi - lo) for f, (lo, hi) in facilities]
    weighted = sum(v * f.lateness for v, (f, _) in zip(volume, facilities, strict=True))
    scale = late_share * sum(volume) / weighted if weighted else 0.0
    return {f.facility_id: min(0.9, f.lateness * scale) for f, _ in facilities}


def lodging_drafts(
    config: SimulationConfig,
    facilities: tuple[Facility, ...],
    guests: GuestPool,
    watchlist: tuple[WatchEntry, ...],
    rng: random.Random,
) -> tuple[list[Draft], list[Stay]]:
    """The window's check-ins and check-outs, and the stays still open at its end."""
    start, end = config.start_s, config.end_s
    active: list[tuple[Facility, tuple[int, int]]] = []
    for facility in facilities:
        span = facility.active_span(start, end)
        if span is not None:
            active.append((facility, span))
    if not active:
        return [], []
    late = _late_probabilities(active, config.late_share)
    stays: list[Stay] = []
    for facility, (lo, hi) in active:
        for _ in range(poisson(rng, facility.activity * (hi - lo) / DAY)):
            arrival = local_midnight(rng.randrange(lo, hi)) + _ARRIVAL.draw(rng) * HOUR
            arrival += rng.randrange(HOUR)
            if lo <= arrival < hi:
                guest = guests.draw(rng)
                stays.append(make_stay(rng, facility, guest, arrival, late[facility.facility_id]))

    for entry in watchlist:
        if entry.person is None or rng.random() >= 0.75:
            continue
        # Wanted and missing people travel too: check-ins after listing, some before.
        windows = [(max(start, entry.listed_at), end)] * rng.randint(1, 2)
        windows += [(start, entry.listed_at)] * (rng.random() < 0.3)
        for low, high in windows:
            facility, (lo, hi) = rng.choice(active)
            lo, hi = max(lo, low), min(hi, high)
            if hi - lo >= HOUR:
                arrival = rng.randrange(lo, hi)
                stays.append(
                    make_stay(rng, facility, entry.person, arrival, late[facility.facility_id])
                )

    drafts: list[Draft] = []
    pending: list[Stay] = []
    for stay in stays:
        # What has not been notified by the end of the window belongs to the future.
        if stay.notified <= end:
            ms = stay.notified * 1000 + rng.randrange(1000)
            drafts.append(Draft("lodging.checkins", ms, checkin_payload(stay, "check_in")))
        if stay.checkout_notified <= end:
            ms = stay.checkout_notified * 1000 + rng.randrange(1000)
            drafts.append(Draft("lodging.checkins", ms, checkin_payload(stay, "check_out")))
        elif stay.notified <= end:
            pending.append(stay)
    return drafts, pending
