"""Two workers in one group, one SIGKILLed: the other takes over its partitions, registry included.

After the kill, a new watchlist entry must raise alerts for camera events on every partition, and
population updates and check-ins on every partition must meet in the survivor's registry: guests
who moved after the kill show their new home. All of it is landed by the survivor alone.

Population updates flow while the group rebalances, on purpose: when population.updates had two
agents (landing and registry), a rebalance that cleared the landing agent's queue left a message
the registry agent had taken waiting for its second acknowledgement for ever, and the worker
stalled in ``wait_empty`` instead of taking the dead worker's partitions.
"""

from __future__ import annotations

from typing import Any

import pytest

import warehouse
from antt.settings import Settings
from pipelines.worker_process import WorkerProcess
from streams.cleaning.identity import build_cccd
from tests import factories as f
from tests.integration.kafka_io import Producer, read_topic
from tests.integration.scenarios import balance, landed_by, share_camera_partitions

pytestmark = pytest.mark.integration

CAMERAS = [f"CAM-{n}" for n in range(1, 10)]  # keys on all three partitions
FACILITIES = [f"FAC-{n}" for n in range(1, 10)]
PERSONS = 30
PLATE = "65-B1 234.56"  # the plate of f.watch_entry


def _person(n: int) -> dict[str, Any]:
    number = build_cccd(92, 1980 + n % 20, "male", 5000 + n)
    return {**f.population()["person"], "id_number": number,
            "date_of_birth": f"{1980 + n % 20}-01-15"}  # fmt: skip


def test_the_survivor_takes_over_partitions_registry_and_references(
    platform: Settings, producer: Producer, two_workers: list[WorkerProcess]
) -> None:
    for camera_id in CAMERAS:
        producer.event("ref.cameras", f.camera_ref(camera_id))
    for facility_id in FACILITIES:
        producer.event("ref.facilities", f.facility_ref(facility_id))
    # Registered while the second worker joins the group: a rebalance with updates in flight.
    for n in range(PERSONS):
        producer.event("population.updates", f.population(f"reg-{n}", person=_person(n)))
    last_round = share_camera_partitions(producer, two_workers, CAMERAS)
    before = landed_by(platform, "camera_events", last_round)

    two_workers[1].kill()
    survivor = two_workers[0]
    # Sent at once, while the group still waits for the dead worker's session to expire.
    producer.event("ref.watchlist", f.watch_entry("WL-NEW"))
    hits = [producer.event("camera.events", f.camera_event(f"hit-{c}", camera_id=c, plate=PLATE))
            for c in CAMERAS]  # fmt: skip
    moves = [
        producer.event("population.updates", f.population(
            f"move-{n}", change="moved", person=_person(n), ward_code=f.OTHER_WARD,
            occurred_at="2026-06-01T09:00:00+07:00"))
        for n in range(PERSONS)
    ]  # fmt: skip
    survivor.wait_until_reconciled(timeout_s=180)
    guest = {"full_name": "Nguyễn Văn An", "phone": None}
    checkins = [
        producer.event("lodging.checkins", f.checkin(
            f"stay-{n}", facility_id=FACILITIES[n % 9],
            guest=f.guest(**guest, id_number=_person(n)["id_number"],
                          date_of_birth=_person(n)["date_of_birth"])))
        for n in range(PERSONS)
    ]  # fmt: skip
    survivor.wait_until_reconciled(timeout_s=120)
    assert survivor.alive()

    # Each worker landed some of the last round before the kill; after it, one run lands all.
    runs_before = {run for run, _ in before.values()}
    assert len(runs_before) == 2
    after = {
        **landed_by(platform, "camera_events", "hit-"),
        **landed_by(platform, "population_updates", "move-"),
        **landed_by(platform, "lodging_checkins", "stay-"),
    }
    assert len(after) == len(hits) + len(moves) + len(checkins)
    [survivor_run] = {run for run, _ in after.values()}
    [dead_run] = runs_before - {survivor_run}
    dead_partitions = {p for run, p in before.values() if run == dead_run}
    assert dead_partitions, "the killed worker owned no camera partition"
    for sent in (hits, moves, checkins):
        assert {s.partition for s in sent} == {0, 1, 2}

    # References: the entry listed after the kill raised an alert for every camera.
    alerts = sorted(
        a["source_event_id"] for a in read_topic(platform, "alerts") if a["entry_id"] == "WL-NEW"
    )
    assert alerts == sorted(f"hit-{c}" for c in CAMERAS)
    db = warehouse.connect(platform)
    landed_alerts = db.sql("SELECT source_event_id FROM landed_alerts ORDER BY 1").fetchall()
    # Registry: every guest shows the home of the move applied after the kill.
    homes = db.sql(
        "SELECT DISTINCT guest_home_ward_code FROM landed_lodging_checkins "
        "WHERE starts_with(event_id, 'stay-')"
    ).fetchall()
    db.close()
    assert landed_alerts == [(a,) for a in alerts]
    assert homes == [(f.OTHER_WARD,)]
    for topic in ("camera.events", "population.updates", "lodging.checkins"):
        assert balance(platform, topic).status == "ok", topic
