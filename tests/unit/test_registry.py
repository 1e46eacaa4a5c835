"""The population registry without a broker: folding updates into residents, enriching check-ins."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from antt.settings import Settings
from streams.cleaning.context import CleanContext, Row
from streams.cleaning.identity import build_cccd
from streams.contexts import ContextFactory
from streams.population.keeper import RegistryKeeper
from streams.population.registry import Resident, apply_update
from streams.processing import clean_message, process
from streams.pseudonym import Pseudonymiser
from streams.reference.models import FacilityRef
from streams.reference.store import ReferenceStore
from streams.reference.wards import ward_provinces
from tests import factories as f

PSEUDO = Pseudonymiser(b"unit-test-key-0123456789")
PERSON_KEY = PSEUDO("person", f"VN:{f.CCCD}")
HANOI_WARD = "00070"  # Phường Hoàn Kiếm, Hà Nội


def _context(residents: Mapping[str, Resident]) -> CleanContext:
    return CleanContext(
        now=datetime(2026, 11, 21, tzinfo=UTC),
        province_code=92,
        wards=ward_provinces(),
        cameras={},
        facilities={"FAC-1": FacilityRef("FAC-1", f.WARD, "guesthouse", None)},
        watchlist={},
        residents=residents,
        pseudonymise=PSEUDO,
    )


def _update(change: str, occurred_at: str, **overrides: Any) -> Row:
    """A population update of f.CCCD as the cleaner lands it."""
    fields: dict[str, Any] = {"ward_code": None, "residence": None}
    if change in ("registered", "moved"):
        fields = {"ward_code": f.WARD, "residence": "permanent"}
    event = f.population(change=change, occurred_at=occurred_at, **{**fields, **overrides})
    row = clean_message(f.message("population.updates", event), _context({})).row
    assert row is not None
    return row


def _fold(rows: Sequence[Row]) -> Resident:
    resident = apply_update(None, rows[0])
    for row in rows[1:]:
        resident = apply_update(resident, row)
    return resident


def _place(resident: Resident) -> tuple[str | None, str | None]:
    return resident.ward_code, resident.residence


REGISTERED = _update("registered", "2025-08-01T09:00:00+07:00")
MOVED = _update("moved", "2026-02-01T09:00:00+07:00", ward_code=f.OTHER_WARD, residence="temporary")
REMOVED = _update("removed", "2026-05-01T09:00:00+07:00")
ID_CARD = _update("id_card_issued", "2025-09-01T09:00:00+07:00")
VNEID_2 = _update("vneid_activated", "2025-10-01T09:00:00+07:00", vneid_level=2)
VNEID_1 = _update("vneid_activated", "2025-11-01T09:00:00+07:00", vneid_level=1)


def test_a_registration_places_a_person_with_their_birth_date_and_sex() -> None:
    resident = apply_update(None, REGISTERED)
    assert resident == Resident(
        birth_date=date(1995, 4, 12),
        sex="male",
        updated_at=datetime(2025, 8, 1, 2, 0, tzinfo=UTC),
        ward_code=f.WARD,
        residence="permanent",
        placed_at=datetime(2025, 8, 1, 2, 0, tzinfo=UTC),
    )


def test_moves_and_removals_change_the_ward_and_nothing_else() -> None:
    moved = _fold([REGISTERED, ID_CARD, MOVED])
    assert _place(moved) == (f.OTHER_WARD, "temporary")
    removed = _fold([REGISTERED, ID_CARD, MOVED, REMOVED])
    assert _place(removed) == (None, None)
    assert removed.has_id_card and removed.birth_date == date(1995, 4, 12)


def test_id_cards_and_vneid_accounts_are_kept_at_their_best() -> None:
    resident = _fold([REGISTERED, ID_CARD, VNEID_2, VNEID_1])
    assert (resident.has_id_card, resident.vneid_level) == (True, 2)
    assert _place(resident) == (f.WARD, "permanent")


def test_a_late_update_does_not_undo_a_newer_one() -> None:
    # The move happened after the registration but reached the stream first.
    assert _place(_fold([MOVED, REGISTERED])) == (f.OTHER_WARD, "temporary")
    assert _place(_fold([REMOVED, MOVED])) == (None, None)


def test_an_id_card_alone_does_not_place_anyone() -> None:
    assert _place(apply_update(None, ID_CARD)) == (None, None)


@given(
    st.lists(
        st.sampled_from([REGISTERED, MOVED, REMOVED, ID_CARD, VNEID_2, VNEID_1]),
        min_size=1,
        unique_by=lambda row: row["occurred_at"],
    ),
    st.integers(0, 6),
)
def test_arrival_order_and_replays_do_not_change_the_result(rows: list[Row], replayed: int) -> None:
    once = _fold(rows)
    assert once == _fold(sorted(rows, key=lambda row: row["occurred_at"]))
    # A crash replays the tail of a partition on top of a registry that has already seen it.
    twice = once
    for row in rows[max(0, len(rows) - replayed) :]:
        twice = apply_update(twice, row)
    assert twice == once


def test_a_resident_survives_the_changelog_codec() -> None:
    for resident in (_fold([REGISTERED, ID_CARD, VNEID_2]), apply_update(None, ID_CARD)):
        assert Resident.loads(resident.dumps()) == resident


def _checkin_row(residents: Mapping[str, Resident], **overrides: Any) -> Row:
    message = f.message("lodging.checkins", f.checkin(**overrides))
    row = clean_message(message, _context(residents)).row
    assert row is not None
    return row


def _home(row: Row) -> tuple[Any, ...]:
    return row["guest_home_ward_code"], row["guest_home_province_code"], row["is_visitor"]


def test_a_guest_registered_in_the_facilitys_province_is_no_visitor() -> None:
    registry = {PERSON_KEY: _fold([REGISTERED, MOVED])}
    assert _home(_checkin_row(registry)) == (f.OTHER_WARD, 92, False)


def test_guests_from_elsewhere_or_unknown_are_visitors() -> None:
    moved_away = _fold([REGISTERED, _update("moved", "2026-03-01T09:00:00+07:00",
                                            ward_code=HANOI_WARD)])  # fmt: skip
    assert _home(_checkin_row({PERSON_KEY: moved_away})) == (HANOI_WARD, 1, True)
    removed = _fold([REGISTERED, REMOVED])
    assert _home(_checkin_row({PERSON_KEY: removed})) == (None, None, True)
    assert _home(_checkin_row({})) == (None, None, True)
    passport = f.guest(id_type="passport", id_number="C1234567", nationality="KR", phone=None)
    registry = {PERSON_KEY: apply_update(None, REGISTERED)}
    assert _home(_checkin_row(registry, guest=passport)) == (None, None, True)


def test_the_keeper_registers_accepted_updates_only(tmp_path: Path) -> None:
    residents: dict[str, Resident] = {}
    contexts = ContextFactory(
        Settings(data_dir=tmp_path, demo_mode=True), ReferenceStore(), residents
    )
    keeper = RegistryKeeper(residents, contexts)
    key = contexts.pseudonymise("person", f"VN:{f.CCCD}")
    keeper.register(f.message("population.updates", f.population("pop-1")))
    keeper.register(f.message("population.updates", f.population("pop-2", ward_code="99999")))
    assert list(residents) == [key]
    assert _place(residents[key]) == (f.WARD, "permanent")
    other = build_cccd(92, 1990, "female", 77)
    person = {**f.population()["person"], "id_number": other, "date_of_birth": "1990-01-01",
              "sex": "female"}  # fmt: skip
    keeper.register(f.message("population.updates", f.population("pop-3", person=person)))
    assert len(residents) == 2 and keeper.registered == 2


def test_the_keeper_reads_a_batch_once_and_cleans_what_landing_skipped(tmp_path: Path) -> None:
    residents: dict[str, Resident] = {}
    contexts = ContextFactory(
        Settings(data_dir=tmp_path, demo_mode=True), ReferenceStore(), residents
    )
    reads: list[set[str]] = []

    def read_many(keys: Collection[str]) -> dict[str, Resident]:
        reads.append(set(keys))
        return {key: residents[key] for key in keys if key in residents}

    keeper = RegistryKeeper(residents, contexts, read_many)
    other = build_cccd(92, 1990, "female", 77)
    person = {**f.population()["person"], "id_number": other, "date_of_birth": "1990-01-01",
              "sex": "female"}  # fmt: skip
    moved = f.population("pop-3", change="moved", occurred_at="2025-09-01T09:00:00+07:00",
                         ward_code=f.OTHER_WARD, residence="temporary")  # fmt: skip
    batch = [
        f.message("population.updates", f.population("pop-1"), offset=10),
        f.message("population.updates", f.population("pop-2", ward_code="99999"), offset=11),
        f.message("population.updates", moved, offset=12),
        f.message("population.updates", f.population("pop-4", person=person), offset=13),
    ]
    # The landing path cleaned all but offset 12 (already landed before a crash).
    cleaned = process([batch[0], batch[1], batch[3]], contexts())
    placed = keeper.fold([(f"event-{m.offset}", m) for m in batch], cleaned)

    assert keeper.registered == 3  # the unknown ward is rejected and changes nothing
    first, second = (contexts.pseudonymise("person", f"VN:{n}") for n in (f.CCCD, other))
    assert reads == [{first, second}]  # the batch's people, read once
    # One record per person, written as the last event that changed it.
    assert [(p.source, p.key) for p in placed] == [("event-12", first), ("event-13", second)]
    assert _place(placed[0].resident) == (f.OTHER_WARD, "temporary")
    assert _place(placed[1].resident) == (f.WARD, "permanent")
    assert residents == {}  # the caller writes


def test_a_batch_builds_each_record_on_what_the_batch_changed_before(tmp_path: Path) -> None:
    contexts = ContextFactory(Settings(data_dir=tmp_path, demo_mode=True), ReferenceStore(), {})
    key = contexts.pseudonymise("person", f"VN:{f.CCCD}")
    before = apply_update(None, {**REGISTERED, "person_key": key})
    keeper = RegistryKeeper({key: before}, contexts)
    card = f.population("pop-2", change="id_card_issued", ward_code=None, residence=None,
                        occurred_at="2025-09-01T09:00:00+07:00")  # fmt: skip
    moved = f.population("pop-3", change="moved", occurred_at="2025-10-01T09:00:00+07:00",
                         ward_code=f.OTHER_WARD, residence="temporary")  # fmt: skip
    batch = [f.message("population.updates", e, offset=n) for n, e in enumerate((card, moved))]

    (placed,) = keeper.fold([(m.offset, m) for m in batch], [])

    assert (placed.source, placed.key) == (1, key)
    assert placed.resident.has_id_card  # the card of the same batch is kept by the move
    assert _place(placed.resident) == (f.OTHER_WARD, "temporary")
