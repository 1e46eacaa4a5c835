"""A cleaning context and one valid event per source topic, for the broker-free processor tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from streams.cleaning.context import CleanContext
from streams.contract.topics import SOURCE_TOPICS
from streams.pseudonym import Pseudonymiser
from streams.reference.models import CameraRef, FacilityRef, WatchEntry
from streams.reference.wards import ward_provinces
from tests import factories as f

PSEUDO = Pseudonymiser(b"unit-test-key-0123456789")
PLATE_KEY = PSEUDO("plate", "65B123456")
CTX = CleanContext(
    now=datetime(2026, 11, 21, tzinfo=UTC),
    province_code=92,
    wards=ward_provinces(),
    cameras={"CAM-1": CameraRef("CAM-1", f.WARD, "public", True)},
    facilities={"FAC-1": FacilityRef("FAC-1", f.WARD, "guesthouse", None)},
    watchlist={PLATE_KEY: (WatchEntry("WL-1", "plate", PLATE_KEY, "stolen_vehicle", True),)},
    residents={},
    pseudonymise=PSEUDO,
)
TOPIC_NAMES = [spec.name for spec in SOURCE_TOPICS]
VALID: dict[str, dict[str, Any]] = {
    "camera.events": f.camera_event(),
    "lodging.checkins": f.checkin(),
    "incident.reports": f.report(),
    "population.updates": f.population(),
    "ref.cameras": f.camera_ref(),
    "ref.facilities": f.facility_ref(),
    "ref.watchlist": f.watch_entry(),
}
