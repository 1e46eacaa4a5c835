"""The population registry as the stream processors hold it: one ``Resident`` per person pseudonym.

``apply_update`` folds one cleaned ``population.updates`` row into a person's record. It agrees
with the warehouse's ``fct_residents``: the latest registration, move or removal by
``occurred_at`` decides where a person lives, so an update that arrives late cannot undo a newer
one, and replaying a partition after a crash leaves every record as it was.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

import faust

if TYPE_CHECKING:
    from streams.cleaning.context import Row

__all__ = ["Resident", "apply_update"]

_PLACEMENTS: Final = frozenset({"registered", "moved", "removed"})


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


class Resident(
    faust.Record,
    serializer="json",
    coerce=True,
    # Faust parses only datetimes back from JSON; ``datetime`` comes first because it is a
    # subclass of ``date`` and Faust takes the first coercion whose type matches.
    coercions={datetime: _as_datetime, date: _as_date},
):
    """One person as the registry describes them.

    ``ward_code`` is None for someone who lives in no ward of the registry: removed, or known
    only from an ID card or a VNeID account.
    """

    birth_date: date
    sex: str
    updated_at: datetime  # occurred_at of the latest update applied
    ward_code: str | None = None
    residence: str | None = None  # permanent | temporary
    placed_at: datetime | None = None  # occurred_at of the registration, move or removal in force
    has_id_card: bool = False
    vneid_level: int | None = None


def apply_update(resident: Resident | None, row: Row) -> Resident:
    """The record after one cleaned update; ``resident`` None for a person not seen before."""
    occurred_at: datetime = row["occurred_at"]
    fields: dict[str, Any] = (
        {"birth_date": row["birth_date"], "sex": row["sex"], "updated_at": occurred_at}
        if resident is None
        else resident.asdict()
    )
    if occurred_at >= fields["updated_at"]:
        fields.update(birth_date=row["birth_date"], sex=row["sex"], updated_at=occurred_at)
    change = row["change"]
    if change in _PLACEMENTS:
        placed_at = fields.get("placed_at")
        if placed_at is None or occurred_at >= placed_at:
            lives_here = change != "removed"
            fields.update(
                ward_code=row["ward_code"] if lives_here else None,
                residence=row["residence"] if lives_here else None,
                placed_at=occurred_at,
            )
    elif change == "id_card_issued":
        fields["has_id_card"] = True
    elif change == "vneid_activated":
        fields["vneid_level"] = max(fields.get("vneid_level") or 0, row["vneid_level"])
    return Resident(**fields)
