"""Residents and their registry histories: registration, ID cards, VNeID, moves and removals.

The age pyramid is Vietnam's around 2024 (GSO): about 8% under 6, 11% aged 6-13, the rest 14+
thinning out in old age. ID-card coverage follows the Identity Law 2023 bands (mandatory from 14,
optional below), VNeID accounts need a chip card, and level 2 is the majority among adults.

History starts with a snapshot: everyone registered before the window is ``registered`` at the
window start, with the card and account they already had a minute later; what happens inside the
window (births, arrivals, new cards, activations, moves, removals) is spread over it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

from pipelines.simulator.clock import DAY, HOUR, MINUTE, iso, local, local_midnight, to_s
from pipelines.simulator.config import SimulationConfig
from pipelines.simulator.messages import Draft, Payload
from pipelines.simulator.names import phone_number, vietnamese_name
from pipelines.simulator.rand import Weighted, hours
from pipelines.simulator.regions import ProvinceInfo
from streams.cleaning.identity import BIRTH_PROVINCES, AgeBand, Sex, age_band, age_on, build_cccd

__all__ = [
    "AGE_PYRAMID",
    "CARD_SHARE",
    "CccdIssuer",
    "IdType",
    "Person",
    "Residence",
    "Resident",
    "birth_places",
    "build_residents",
    "office_between",
    "office_time",
    "population_drafts",
    "population_payload",
    "ward_sizes",
]

IdType = Literal["cccd", "cmnd", "passport"]
Residence = Literal["permanent", "temporary"]


def _pyramid() -> Weighted[int]:
    """Single years 0-99: 8% under 6, 11% aged 6-13, 81% spread over 14+ by 5-year shares."""
    # Share of the 14+ population per year of age, read off 5-year groups (GSO 2024, rounded).
    adult_groups = [
        (14, 20, 1.45), (20, 25, 1.40), (25, 30, 1.46), (30, 35, 1.66), (35, 40, 1.60),
        (40, 45, 1.46), (45, 50, 1.32), (50, 55, 1.20), (55, 60, 1.08), (60, 65, 0.92),
        (65, 70, 0.70), (70, 75, 0.46), (75, 80, 0.26), (80, 85, 0.18), (85, 90, 0.10),
        (90, 100, 0.025),
    ]  # fmt: skip
    adult = {age: w for lo, hi, w in adult_groups for age in range(lo, hi)}
    adult_total = sum(adult.values())
    weights = (
        [8.0 / 6] * 6 + [11.0 / 8] * 8 + [81.0 * adult[a] / adult_total for a in range(14, 100)]
    )
    return Weighted(list(enumerate(weights)))


AGE_PYRAMID: Final = _pyramid()
CARD_SHARE: Final[dict[AgeBand, float]] = {"under_6": 0.35, "6_to_13": 0.80, "14_plus": 0.96}
# Of the final card holders, the share who already held one when the window opened.
_CARD_BEFORE: Final[dict[AgeBand, float]] = {"under_6": 0.3, "6_to_13": 0.5, "14_plus": 0.7}
_OFFICE: Final = hours([0] * 7 + [3, 4, 4, 4, 1, 2, 4, 4, 4, 2] + [0] * 7)


@dataclass(frozen=True, slots=True)
class Person:
    """What an identity document says about someone."""

    id_type: IdType
    id_number: str
    full_name: str
    date_of_birth: date
    sex: Sex
    nationality: str = "VN"
    phone: str | None = None

    def registry_payload(self) -> Payload:
        return {
            "id_number": self.id_number,
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex,
        }

    def guest_payload(self) -> Payload:
        return {
            "id_type": self.id_type,
            "id_number": self.id_number,
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex,
            "nationality": self.nationality,
            "phone": self.phone,
        }


@dataclass(frozen=True, slots=True)
class Resident:
    """A resident and the registry events of the window, as instants (epoch seconds)."""

    person: Person
    ward_code: str
    residence: Residence
    registered_at: int
    card_at: int | None
    vneid: tuple[tuple[int, int], ...]
    moved: tuple[int, str, Residence] | None
    removed_at: int | None

    def ward_at(self, ts: int) -> str:
        if self.moved is not None and ts >= self.moved[0]:
            return self.moved[1]
        return self.ward_code

    @property
    def vneid_level(self) -> int | None:
        return self.vneid[-1][1] if self.vneid else None


class CccdIssuer:
    """Hands out ID numbers that are never reused, as the registry guarantees."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def cccd(self, birth_province_code: int, birth_year: int, sex: Sex) -> str:
        while True:
            number = build_cccd(
                birth_province_code, birth_year, sex, self._rng.randrange(1_000_000)
            )
            if number not in self._used:
                self._used.add(number)
                return number

    def cmnd(self) -> str:
        """A legacy 9-digit CMND number."""
        while True:
            number = f"{self._rng.choice('0123'):s}{self._rng.randrange(100_000_000):08d}"
            if number not in self._used:
                self._used.add(number)
                return number


def birth_places(province: ProvinceInfo, local_share: float = 0.9) -> Weighted[int]:
    """Birth-province codes of a province's people: its old provinces, then the rest of Vietnam.

    The first old code (the seat) weighs a little more; ``1 - local_share`` are born elsewhere,
    with Hồ Chí Minh City and Hà Nội over-represented as in internal migration figures.
    """
    pairs: list[tuple[int, float]] = []
    locals_ = province.old_codes
    local_weights = [1.2] + [1.0] * (len(locals_) - 1)
    scale = local_share / sum(local_weights)
    pairs += [(code, w * scale) for code, w in zip(locals_, local_weights, strict=True)]
    others = [code for code in BIRTH_PROVINCES if code not in locals_]
    other_weights = [4.0 if code in (79, 1) else 1.0 for code in others]
    other_scale = (1 - local_share) / sum(other_weights)
    pairs += [(code, w * other_scale) for code, w in zip(others, other_weights, strict=True)]
    return Weighted(pairs)


def office_time(rng: random.Random, ts: int) -> int:
    """An instant during office hours on the day of ``ts``, Sundays moved to Monday."""
    midnight = local_midnight(ts)
    if local(midnight).weekday() == 6:
        midnight += DAY
    return midnight + _OFFICE.draw(rng) * HOUR + rng.randrange(HOUR)


def office_between(rng: random.Random, lo: int, hi: int) -> int | None:
    """An office-hours instant in [lo, hi], or None when the span has none (after a few tries)."""
    for _ in range(8):
        if hi <= lo:
            return None
        at = office_time(rng, rng.randrange(lo, hi))
        if lo <= at <= hi:
            return at
    return None


def _birth_date(rng: random.Random, age: int, on: date) -> date:
    return on - timedelta(days=int(age * 365.25) + rng.randrange(365))


def build_residents(
    config: SimulationConfig,
    province: ProvinceInfo,
    issuer: CccdIssuer,
    rng: random.Random,
    sizes: Mapping[str, int] | None = None,
) -> tuple[Resident, ...]:
    """The residents of every ward with their histories inside the window.

    ``sizes`` gives each ward's residents exactly; without it a ward has ``residents_per_ward``
    times 0.75-1.25 draws.
    """
    start, end = config.start_s, config.end_s
    end_day = local(end).date()
    births = birth_places(province)
    ward_codes = [w.code for w in province.wards]
    residents: list[Resident] = []
    for ward in ward_codes:
        if sizes is None:
            count = max(1, round(config.residents_per_ward * rng.uniform(0.75, 1.25)))
        else:
            count = sizes[ward]
        drawn = 0
        while drawn < count:
            resident = _resident(rng, issuer, births, ward, ward_codes, start, end, end_day)
            if resident is not None:
                residents.append(resident)
            # An exact size counts residents; the demo's average counts draws, as it always has
            # (a birth registered after the window, or an arrival with no office hour, is none).
            if resident is not None or sizes is None:
                drawn += 1
    return tuple(residents)


def ward_sizes(total: int, ward_codes: list[str], rng: random.Random) -> dict[str, int]:
    """``total`` residents apportioned over the wards exactly, by weights of 0.75-1.25.

    Largest remainders, ties to the earlier ward: the sizes always add up to ``total``.
    """
    weights = [rng.uniform(0.75, 1.25) for _ in ward_codes]
    scale = total / sum(weights)
    shares = [w * scale for w in weights]
    sizes = [int(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: (sizes[i] - shares[i], i))
    for index in by_remainder[: total - sum(sizes)]:
        sizes[index] += 1
    return dict(zip(ward_codes, sizes, strict=True))


def _resident(
    rng: random.Random,
    issuer: CccdIssuer,
    births: Weighted[int],
    ward: str,
    ward_codes: list[str],
    start: int,
    end: int,
    end_day: date,
) -> Resident | None:
    age = AGE_PYRAMID.draw(rng)
    dob = _birth_date(rng, age, end_day)
    sex: Sex = "male" if rng.random() < 0.5 else "female"
    number = issuer.cccd(births.draw(rng), dob.year, sex)
    band = age_band(age_on(dob, end_day))
    person = Person(
        id_type="cccd",
        id_number=number,
        full_name=vietnamese_name(rng, sex),
        date_of_birth=dob,
        sex=sex,
        phone=phone_number(rng) if band == "14_plus" and rng.random() < 0.85 else None,
    )
    residence: Residence = "permanent" if rng.random() < 0.9 else "temporary"
    born = to_s(dob, 8 * HOUR)
    in_snapshot = False
    if born > start - 60 * DAY:
        # Births are registered within weeks; one not yet registered is not in the registry.
        registered = office_time(rng, born + rng.randint(3, 60) * DAY)
        if registered > end:
            return None
        if registered <= start:
            registered, in_snapshot = start, True
    elif rng.random() < 0.04:
        arrival = office_between(rng, start + HOUR, end)
        if arrival is None:
            return None
        registered = arrival
        residence = "temporary" if rng.random() < 0.5 else "permanent"
    else:
        registered, in_snapshot = start, True

    card_at: int | None = None
    if rng.random() < CARD_SHARE[band]:
        if in_snapshot and rng.random() < _CARD_BEFORE[band]:
            card_at = start + MINUTE
        else:
            card_at = office_between(rng, registered + DAY, end)

    vneid: tuple[tuple[int, int], ...] = ()
    if card_at is not None and band == "14_plus":
        draw = rng.random()
        level = 2 if draw < 0.68 else 1 if draw < 0.82 else 0
        if level and card_at == start + MINUTE and rng.random() < 0.45:
            vneid = ((start + 2 * MINUTE, level),)
        elif level and card_at + HOUR < end:
            activated = rng.randrange(card_at + HOUR, end)
            if level == 2 and rng.random() < 0.12 and activated - card_at > 2 * HOUR:
                vneid = ((rng.randrange(card_at + HOUR, activated), 1), (activated, 2))
            else:
                vneid = ((activated, level),)

    moved: tuple[int, str, Residence] | None = None
    if rng.random() < 0.03 and registered + DAY < end:
        target = rng.choice([c for c in ward_codes if c != ward] or [ward])
        new_residence: Residence = "temporary" if rng.random() < 0.3 else "permanent"
        moved_at = office_between(rng, registered + DAY, end)
        if moved_at is not None:
            moved = (moved_at, target, new_residence)

    removed_at: int | None = None
    if rng.random() < (0.03 if age >= 70 else 0.006):
        last = max([registered, card_at or 0, moved[0] if moved else 0, *(t for t, _ in vneid)])
        removed_at = office_between(rng, last + DAY, end)
    return Resident(person, ward, residence, registered, card_at, vneid, moved, removed_at)


def population_payload(
    person: Person,
    change: str,
    at: int,
    ward_code: str | None,
    residence: Residence | None = None,
    vneid_level: int | None = None,
) -> Payload:
    """One population.updates event (the event_id is filled in once events are in order)."""
    return {
        "schema_version": 1,
        "event_id": "",
        "occurred_at": iso(at),
        "change": change,
        "person": person.registry_payload(),
        "ward_code": ward_code,
        "residence": residence,
        "vneid_level": vneid_level,
    }


def population_drafts(
    residents: tuple[Resident, ...], start: int, rng: random.Random
) -> list[Draft]:
    """Every registry event of the window, unordered."""
    drafts: list[Draft] = []

    def add(at: int, payload: Payload) -> None:
        # The registry publishes a change within seconds; snapshot rows go out at their instant.
        snapshot = at <= start + 2 * MINUTE
        delay_ms = 0 if snapshot else rng.randrange(200, 3000)
        drafts.append(Draft("population.updates", at * 1000 + delay_ms, payload))

    for r in residents:
        p = r.person
        add(
            r.registered_at,
            population_payload(p, "registered", r.registered_at, r.ward_code, r.residence),
        )
        if r.card_at is not None:
            add(r.card_at, population_payload(p, "id_card_issued", r.card_at, r.ward_at(r.card_at)))
        for at, level in r.vneid:
            add(at, population_payload(p, "vneid_activated", at, r.ward_at(at), None, level))
        if r.moved is not None:
            at, ward, residence = r.moved
            add(at, population_payload(p, "moved", at, ward, residence))
        if r.removed_at is not None:
            add(r.removed_at, population_payload(p, "removed", r.removed_at, None))
    return drafts
