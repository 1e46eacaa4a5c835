"""Personal identifiers: CCCD, legacy CMND and passport numbers, checked against what else is said.

A CCCD whose digits contradict the stated date of birth or sex is rejected, never silently fixed:
one of the two is wrong and only the source can say which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from streams.cleaning.identity import Sex, read_cccd
from streams.cleaning.reject import Reject

__all__ = ["IdType", "PersonId", "clean_person_id"]

IdType = Literal["cccd", "cmnd", "passport"]
_SEPARATORS: Final = re.compile(r"[\s.\-_/]")
_PASSPORT: Final = re.compile(r"^[A-Z0-9]{5,20}$")


@dataclass(frozen=True, slots=True)
class PersonId:
    """A checked identifier and the material its pseudonym is made from."""

    id_type: IdType
    number: str
    is_legacy: bool
    birth_province_code: int | None

    @property
    def key_material(self) -> str:
        # Passports match across streams by number alone: watchlist entries carry no nationality.
        return f"P:{self.number}" if self.id_type == "passport" else f"VN:{self.number}"


def clean_person_id(
    raw: str, id_type: IdType | None, birth_date: date | None, sex: Sex | None
) -> PersonId:
    """Check an identifier; ``id_type`` None means infer it from the digits (registry records)."""
    number = _SEPARATORS.sub("", raw).upper()
    if id_type == "passport":
        if not _PASSPORT.match(number):
            raise Reject("invalid_id_number", "a passport number is not 5-20 letters and digits")
        return PersonId("passport", number, False, None)
    if not number.isdigit() or not number.isascii():
        raise Reject("invalid_id_number", "the ID number has characters other than digits")
    if len(number) == 9:
        return PersonId("cmnd", number, True, None)
    if len(number) != 12:
        raise Reject(
            "invalid_id_number",
            f"ID number has {len(number)} digits; a CCCD has 12 and a legacy CMND 9",
        )
    cccd = read_cccd(number)
    if cccd is None:
        raise Reject(
            "invalid_id_number",
            "the CCCD's first three digits are not one of the 63 province codes",
        )
    if birth_date is not None and birth_date.year != cccd.birth_year:
        raise Reject("id_number_mismatch", "the CCCD's digits 4-6 contradict the year of birth")
    if sex is not None and sex != cccd.sex:
        raise Reject("id_number_mismatch", "the CCCD's digit 4 contradicts the stated sex")
    return PersonId("cccd", number, False, cccd.birth_province_code)
