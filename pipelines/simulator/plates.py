"""Licence plates as a camera would read them: canonical forms, and the ways ANPR gets them wrong.

Canonical forms follow the domain brief: cars ``65A-123.45`` (older ``65A-1234``), motorbikes
``65-B1 234.56`` (newer two-letter series ``65-AA 002.33``). Misspellings only ever change what a
reader can undo by position: the locality is always two digits, the series starts with a letter,
the number is all digits. So an OCR confusion (0/O, 1/I, 8/B) is applied to the number and the
first series letter only.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["Vehicle", "VehicleType", "compact", "make_plate", "misspell", "watchlist_spelling"]

VehicleType = Literal["motorbike", "car", "truck", "bus"]

# Series letters in use: I, J, O, Q, R and W are never issued (they look like digits or others).
_MOTORBIKE_LETTERS: Final = "BCDEFGHKLMNPSTUVXYZ"
_CAR_SERIES: Final[dict[str, str]] = {"car": "AAAAAAFGHK", "truck": "C", "bus": "B"}
_CANONICAL: Final = re.compile(r"^(\d{2})(?:-([A-Z][A-Z0-9]) |([A-Z])-)(\d{3}\.\d{2}|\d{4})$")
_TO_LETTER: Final = str.maketrans({"0": "O", "1": "I", "8": "B"})


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A vehicle seen by cameras: its canonical plate and type."""

    plate: str
    vehicle_type: VehicleType


def make_plate(rng: random.Random, locality: int, vehicle_type: VehicleType) -> str:
    """A canonical plate of a locality number."""
    number = rng.randrange(100_000)
    five = f"{number // 100:03d}.{number % 100:02d}"
    if vehicle_type == "motorbike":
        if rng.random() < 0.12:
            series = rng.choice("ABCDEFGHKL") + rng.choice("ABCDEFGHKL")
        else:
            series = rng.choice(_MOTORBIKE_LETTERS) + str(rng.randrange(1, 10))
        return f"{locality:02d}-{series} {five}"
    letter = rng.choice(_CAR_SERIES[vehicle_type])
    tail = f"{number % 10_000:04d}" if rng.random() < 0.1 else five
    return f"{locality:02d}{letter}-{tail}"


def compact(plate: str) -> str:
    """Letters and digits only, upper case: the matching key of a canonical plate."""
    return re.sub(r"[^0-9A-Za-z]", "", plate).upper()


def _ocr(rng: random.Random, plate: str) -> str | None:
    """The plate with 0/1/8 read as O/I/B in the number, or B read as 8 in the series."""
    match = _CANONICAL.match(plate)
    if match is None:
        return None
    locality, bike_series, car_series, number = match.groups()
    series = bike_series or car_series
    swappable = [i for i, c in enumerate(number) if c in "018"]
    new_series = series
    if series[0] == "B" and (not swappable or rng.random() < 0.5):
        new_series = "8" + series[1:]
    elif swappable:
        chosen = rng.sample(swappable, k=min(len(swappable), rng.randint(1, 2)))
        number = "".join(
            c.translate(_TO_LETTER) if i in chosen else c for i, c in enumerate(number)
        )
    else:
        return None
    if bike_series:
        return f"{locality}-{new_series} {number}"
    return f"{locality}{new_series}-{number}"


def misspell(rng: random.Random, plate: str) -> str:
    """A raw ANPR read of a canonical plate that differs from it but normalises back to it."""
    spelling = plate
    style = rng.randrange(5)
    if style == 0:
        spelling = plate.lower()
    elif style == 1:
        spelling = compact(plate)
    elif style == 2:
        spelling = " " + plate.replace("-", " - ").replace(" ", "  ") + " "
    elif style == 3:
        spelling = _ocr(rng, plate) or compact(plate).lower()
    else:
        # Separators where the reader put them: "65B1-234.56", "65 A 12345".
        spelling = watchlist_spelling(rng, plate, allow_canonical=False)
    if rng.random() < 0.3 and style != 0:
        spelling = spelling.lower()
    return spelling if spelling != plate else compact(plate)


def watchlist_spelling(rng: random.Random, plate: str, *, allow_canonical: bool = True) -> str:
    """How an officer might type a plate: canonical, compact, or separators moved (no OCR)."""
    match = _CANONICAL.match(plate)
    choice = rng.randrange(4 if allow_canonical else 3)
    if match is None or choice == 0:
        return compact(plate)
    locality, bike_series, car_series, number = match.groups()
    series = bike_series or car_series
    if choice == 1:
        return f"{locality}{series}-{number}"
    if choice == 2:
        return f"{locality} {series} {number.replace('.', '')}"
    return plate
