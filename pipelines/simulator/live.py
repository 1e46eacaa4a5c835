"""The live phase: events stamped with the wall clock, continuing the backfill's world.

Each call makes one event "now": usually a new one (a detection, a check-in, a report, a registry
change); when a follow-up falls due (a guest's check-out, a report's next status, including those
of stays and reports still open when the backfill ended) that comes first instead. Live output is
not reproducible by design: it follows the clock.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from typing import Final

from pipelines.simulator.cameras import DETECTION_KINDS, detection
from pipelines.simulator.clock import DAY, HOUR, MINUTE, local
from pipelines.simulator.dirty import Spoiler
from pipelines.simulator.generate import Backfill, dirty_picks
from pipelines.simulator.incidents import (
    CATEGORY_SHARE,
    Category,
    Report,
    make_report,
    report_payload,
)
from pipelines.simulator.lodging import Stay, checkin_payload, make_stay
from pipelines.simulator.messages import Draft, SimMessage, encode
from pipelines.simulator.names import phone_number, vietnamese_name
from pipelines.simulator.population import Person, birth_places, population_payload
from pipelines.simulator.rand import Weighted
from streams.cleaning.identity import Sex

__all__ = ["LiveSource"]

# The topic each kind of live event goes to.
_TOPICS: Final = (
    ("camera", "camera.events"),
    ("lodging", "lodging.checkins"),
    ("incident", "incident.reports"),
    ("population", "population.updates"),
)
_CATEGORIES: Final[Weighted[Category]] = Weighted(list(CATEGORY_SHARE.items()))
# Follow-ups older than this at start fell into the gap between backfill and live: dropped.
_STALE: Final = 2 * HOUR


def _mix(backfill: Backfill) -> Weighted[str]:
    """Live events in the proportions of the history's last days, when every feed was on.

    Volumes follow the residents, so a small province sends few incidents and, without a
    camera or lodging facility, none of those; population events always can come.
    """
    config = backfill.world.config
    since_ms = (config.end_s - max(1, min(config.camera_days, config.days)) * DAY) * 1000
    recent = Counter(m.topic for m in backfill.messages if m.timestamp_ms >= since_ms)
    weights = [(kind, float(recent[topic])) for kind, topic in _TOPICS if recent[topic]]
    return Weighted(weights or [("population", 1.0)])


class LiveSource:
    """Makes live messages one event at a time."""

    def __init__(self, backfill: Backfill, started_at: float) -> None:
        self._world = world = backfill.world
        config = world.config
        start_ms = int(started_at * 1000)
        self._rng = random.Random(f"{config.seed}/live/{start_ms}")
        self._tag = f"L{start_ms:x}"
        self._serial = 0
        self._spoiler = Spoiler(
            random.Random(f"{config.seed}/live-dirty/{start_ms}"), int(started_at)
        )
        self._dirty_share = dirty_picks(100_000, config.dirty_share) / 100_000
        self._due: list[tuple[int, int, Draft]] = []
        self._scheduled = 0
        self._late = config.late_share
        now = int(started_at)
        cameras = [
            (c, c.activity) for c in world.cameras if c.active_span(now - DAY, now + DAY)
        ] or [(c, c.activity) for c in world.cameras if c.connected]
        facilities = [
            (f, f.activity) for f in world.facilities if f.on_platform_since is not None
        ] or [(f, 1.0) for f in world.facilities]
        self._mix = _mix(backfill)
        self._cameras = Weighted(cameras) if cameras else None
        self._facilities = Weighted(facilities) if facilities else None
        self._wards = Weighted([(w, w.activity) for w in world.wards])
        self._births = birth_places(world.province)
        self._without_card = [
            r for r in world.residents if r.card_at is None and r.removed_at is None
        ]
        self._without_vneid = [
            r
            for r in world.residents
            if r.card_at is not None and (r.vneid_level or 0) < 2 and r.removed_at is None
        ]
        self._watched_plates = [e for e in world.watchlist if e.vehicle is not None and e.active]
        self._watched_people = [e for e in world.watchlist if e.person is not None and e.active]
        for stay in backfill.open_stays:
            if stay.checkout_notified >= now - _STALE:
                self._schedule(stay.checkout_notified, self._checkout(stay))
        for report_id, report, updated_at, status in backfill.open_reports:
            if updated_at >= now - _STALE:
                self._schedule(updated_at, self._version(report_id, report, updated_at, status))

    def next_messages(self, now: float) -> list[SimMessage]:
        """The message(s) of one event at wall-clock ``now`` (two when it is a duplicate)."""
        now_s = int(now)
        if self._due and self._due[0][0] <= now_s:
            _, _, draft = heapq.heappop(self._due)
            draft.timestamp_ms = max(draft.timestamp_ms, int(now * 1000))
        else:
            draft = self._new_event(now_s, int(now * 1000))
        self._serial += 1
        if "event_id" in draft.payload:
            draft.payload["event_id"] = f"{draft.topic[:3]}-{self._tag}-{self._serial:07d}"
        if self._rng.random() < self._dirty_share:
            kinds = self._spoiler.kinds(draft)
            return self._spoiler.spoil(draft, kinds[self._rng.randrange(len(kinds))])
        return [encode(draft)]

    def _schedule(self, due: int, draft: Draft) -> None:
        self._scheduled += 1
        heapq.heappush(self._due, (due, self._scheduled, draft))

    def _checkout(self, stay: Stay) -> Draft:
        return Draft(
            "lodging.checkins", stay.checkout_notified * 1000, checkin_payload(stay, "check_out")
        )

    def _version(self, report_id: str, report: Report, updated_at: int, status: str) -> Draft:
        payload = report_payload(report_id, report, updated_at, status)
        return Draft("incident.reports", updated_at * 1000, payload)

    def _new_event(self, now: int, now_ms: int) -> Draft:
        kind = self._mix.draw(self._rng)
        if kind == "camera":
            return self._camera(now, now_ms)
        if kind == "lodging":
            return self._lodging(now, now_ms)
        if kind == "incident":
            return self._incident(now, now_ms)
        return self._population(now, now_ms)

    def _camera(self, now: int, now_ms: int) -> Draft:
        rng = self._rng
        assert self._cameras is not None  # the mix draws cameras only when there are some
        camera = self._cameras.draw(rng)
        observed = now - rng.randint(0, 3)
        if self._watched_plates and rng.random() < 0.01:
            entry = rng.choice(self._watched_plates)
            payload = detection(
                rng, camera, observed, "vehicle", self._world.traffic, entry.vehicle
            )
        else:
            kind = DETECTION_KINDS[camera.owner].draw(rng)
            payload = detection(rng, camera, observed, kind, self._world.traffic)
        return Draft("camera.events", now_ms, payload)

    def _lodging(self, now: int, now_ms: int) -> Draft:
        rng = self._rng
        assert self._facilities is not None  # the mix draws lodging only when there is some
        facility = self._facilities.draw(rng)
        if self._watched_people and rng.random() < 0.01:
            guest = self._watched_people[rng.randrange(len(self._watched_people))].person
            assert guest is not None
        else:
            guest = self._world.guests.draw(rng)
        # Notified now: a late one arrived more than a day ago, past any deadline.
        late = rng.random() < self._late
        arrival = now - (rng.randint(DAY, 36 * HOUR) if late else rng.randint(30, 20 * MINUTE))
        stay = replace(make_stay(rng, facility, guest, arrival, 0.0), notified=now)
        stay = replace(stay, checkout_notified=max(stay.checkout_notified, now + MINUTE))
        self._schedule(stay.checkout_notified, self._checkout(stay))
        return Draft("lodging.checkins", now_ms, checkin_payload(stay, "check_in"))

    def _incident(self, now: int, now_ms: int) -> Draft:
        rng = self._rng
        category = _CATEGORIES.draw(rng)
        report = make_report(rng, self._wards.draw(rng), category, now)
        # Shift the report so that it is received now; its later versions are scheduled.
        shift = now - report.received
        report = replace(
            report,
            occurred=report.occurred + shift,
            received=now,
            versions=tuple((at + shift, status) for at, status in report.versions),
        )
        year = local(now).year
        self._serial += 1
        report_id = f"INC-{year}-{self._tag}-{self._serial:06d}"
        for at, status in report.versions[1:]:
            self._schedule(at, self._version(report_id, report, at, status))
        return Draft("incident.reports", now_ms, report_payload(report_id, report, now, "received"))

    def _population(self, now: int, now_ms: int) -> Draft:
        rng = self._rng
        ward = self._wards.draw(rng).code
        pick = rng.random()
        if pick < 0.25 and self._without_card:
            resident = self._without_card.pop(rng.randrange(len(self._without_card)))
            ward = resident.ward_at(now)
            payload = population_payload(resident.person, "id_card_issued", now, ward)
        elif pick < 0.4 and self._without_vneid:
            resident = self._without_vneid.pop(rng.randrange(len(self._without_vneid)))
            ward = resident.ward_at(now)
            payload = population_payload(resident.person, "vneid_activated", now, ward, None, 2)
        else:
            payload = population_payload(
                self._newcomer(now, pick < 0.75),
                "registered",
                now,
                ward,
                "permanent" if pick < 0.75 else "temporary",
            )
        return Draft("population.updates", now_ms, payload)

    def _newcomer(self, now: int, newborn: bool) -> Person:
        """A baby being registered, or an adult moving in."""
        rng = self._rng
        today = local(now).date()
        sex: Sex = "male" if rng.random() < 0.5 else "female"
        if newborn:
            born = today - timedelta(days=rng.randint(3, 60))
        else:
            born = today - timedelta(days=rng.randint(18 * 365, 60 * 365))
        number = self._world.issuer.cccd(self._births.draw(rng), born.year, sex)
        phone = None if newborn else phone_number(rng)
        return Person("cccd", number, vietnamese_name(rng, sex), born, sex, phone=phone)
