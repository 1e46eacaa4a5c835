"""Licence plates: one canonical form from ANPR reads in any spacing, case and punctuation.

Canonical forms (domain brief): cars ``NNL-DDD.DD`` / ``NNL-DDDD`` (and two-letter series
``NNLL-DDD.DD``), motorbikes ``NN-LX DDD.DD`` / ``NN-LX DDDD``. Watchlist matching uses the
compact form (locality, series and digits with no separators), which is the same for every
spelling of one plate; the display form is for people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

__all__ = ["Plate", "PlateStatus", "read_plate"]

PlateStatus = Literal["absent", "readable", "unreadable"]

# OCR confuses these pairs; which one is right depends on whether a digit or a letter belongs there.
_AS_DIGIT: Final = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "B": "8",
                                  "S": "5", "Z": "2", "G": "6"})  # fmt: skip
_AS_LETTER: Final = str.maketrans({"0": "D", "8": "B", "1": "T", "5": "S", "2": "Z", "6": "G"})
# The series' second character is a letter or a digit; I and O are never issued in civilian
# series, so there they can only be the camera's reading of 1 and 0.
_NEVER_ISSUED: Final = str.maketrans({"I": "1", "O": "0"})
_SHAPE: Final = re.compile(r"^\d{2}[A-Z][A-Z0-9]?\d{4,5}$")
# Locality numbers 10-99 are issued except these (not assigned to any locality).
_UNASSIGNED: Final = frozenset({10, 13, 39, 42, 44, 45, 46, 87, 91, 96})
_HEAVY: Final = frozenset({"car", "truck", "bus"})


@dataclass(frozen=True, slots=True)
class Plate:
    """A plate read: its status, compact key form, display form and locality number."""

    status: PlateStatus
    compact: str | None = None
    display: str | None = None
    locality: str | None = None


def _series_length(chars: str, vehicle_type: str | None) -> int:
    """How many series characters follow the locality: 1 (cars) or 2 (motorbikes, new cars).

    Seven characters are a car with four digits, nine a two-character series with five digits.
    Eight are ambiguous (car ``51F-123.45`` or older motorbike ``65-B1 2345``): the vehicle type
    decides, else a letter in fourth place means a series. The compact key is the same either way.
    """
    if len(chars) == 7:
        return 1
    if len(chars) == 9:
        return 2
    if vehicle_type in _HEAVY:
        return 1
    if vehicle_type == "motorbike":
        return 2
    return 2 if chars[3].isalpha() and chars[3] not in "OQDILBSZG" else 1


# Pure, and a plate passes many cameras: the cache spares the regex and translations per read.
@lru_cache(maxsize=65536)
def read_plate(raw: str | None, vehicle_type: str | None = None) -> Plate:
    """Canonicalise an ANPR read; what cannot be read is ``unreadable``, never an error."""
    if raw is None or not raw.strip():
        return Plate("absent")
    chars = re.sub(r"[^0-9A-Za-z]", "", raw).upper()
    if not 7 <= len(chars) <= 9:
        return Plate("unreadable")
    series_len = _series_length(chars, vehicle_type)
    # Positions 1-2 are digits, 3 a letter, the last 4-5 digits; fix OCR confusions by position.
    candidate = (
        chars[:2].translate(_AS_DIGIT)
        + chars[2].translate(_AS_LETTER)
        + chars[3 : 2 + series_len].translate(_NEVER_ISSUED)
        + chars[2 + series_len :].translate(_AS_DIGIT)
    )
    locality, series, number = (
        candidate[:2],
        candidate[2 : 2 + series_len],
        candidate[2 + series_len :],
    )
    if not (_SHAPE.match(candidate) and number.isdigit() and 4 <= len(number) <= 5):
        return Plate("unreadable")
    letter, second = series[0], series[1:]
    if int(locality) in _UNASSIGNED:
        return Plate("unreadable")
    compact = f"{locality}{letter}{second}{number}"
    tail = f"{number[:3]}.{number[3:]}" if len(number) == 5 else number
    motorbike = second.isdigit() or (second != "" and vehicle_type not in _HEAVY)
    if motorbike:
        display = f"{locality}-{letter}{second} {tail}"
    else:
        display = f"{locality}{letter}{second}-{tail}"
    return Plate("readable", compact, display, locality)
