"""Where the province is: its real 2025 wards, the old provinces it was merged from, plate numbers.

Ward codes and names come from `vietnam-provinces` (the post-July-2025 units). The mapping from a
current province to the pre-2025 provinces it absorbed (Resolution 202/2025/QH15) matters twice:
CCCD numbers keep the old birth-province codes, and licence plates keep the old locality numbers.
Coordinates are rough province centres; the package has none, and the simulator needs only
plausible points on a map, not surveyed ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

from vietnam_provinces import Province, Ward

__all__ = [
    "PLATE_NUMBERS",
    "PROVINCE_OLD_CODES",
    "ProvinceInfo",
    "WardInfo",
    "current_ward_codes",
    "province_info",
]

# Current (2025) province code -> the pre-2025 province codes (CCCD digits 1-3) it is made of,
# the one that gave the province its seat first.
PROVINCE_OLD_CODES: Final[dict[int, tuple[int, ...]]] = {
    1: (1,), 4: (4,), 8: (8, 2), 11: (11,), 12: (12,), 14: (14,), 15: (10, 15), 19: (19, 6),
    20: (20,), 22: (22,), 24: (27, 24), 25: (25, 26, 17), 31: (31, 30), 33: (33, 34),
    37: (37, 35, 36), 38: (38,), 40: (40,), 42: (42,), 44: (45, 44), 46: (46,), 48: (48, 49),
    51: (51, 62), 52: (64, 52), 56: (56, 58), 66: (66, 54), 68: (68, 67, 60), 75: (75, 70),
    79: (79, 74, 77), 80: (72, 80), 82: (87, 82), 86: (86, 83, 84), 91: (89, 91),
    92: (92, 93, 94), 96: (96, 95),
}  # fmt: skip

# Pre-2025 province code -> its licence-plate locality numbers (Thông tư 24/2023/TT-BCA annex).
PLATE_NUMBERS: Final[dict[int, tuple[int, ...]]] = {
    1: (29, 30, 31, 32, 33, 40), 2: (23,), 4: (11,), 6: (97,), 8: (22,), 10: (24,), 11: (27,),
    12: (25,), 14: (26,), 15: (21,), 17: (28,), 19: (20,), 20: (12,), 22: (14,), 24: (98,),
    25: (19,), 26: (88,), 27: (99,), 30: (34,), 31: (15, 16), 33: (89,), 34: (17,), 35: (90,),
    36: (18,), 37: (35,), 38: (36,), 40: (37,), 42: (38,), 44: (73,), 45: (74,), 46: (75,),
    48: (43,), 49: (92,), 51: (76,), 52: (77,), 54: (78,), 56: (79,), 58: (85,), 60: (86,),
    62: (82,), 64: (81,), 66: (47,), 67: (48,), 68: (49,), 70: (93,), 72: (70,), 74: (61,),
    75: (60,), 77: (72,), 79: (41, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59), 80: (62,), 82: (63,),
    83: (71,), 84: (84,), 86: (64,), 87: (66,), 89: (67,), 91: (68,), 92: (65,), 93: (95,),
    94: (83,), 95: (94,), 96: (69,),
}  # fmt: skip

# Approximate centre (latitude, longitude) of each current province.
_CENTRES: Final[dict[int, tuple[float, float]]] = {
    1: (21.03, 105.85), 4: (22.67, 106.25), 8: (22.35, 105.05), 11: (21.6, 103.0),
    12: (22.3, 103.3), 14: (21.2, 104.0), 15: (22.0, 104.3), 19: (21.8, 105.8),
    20: (21.85, 106.75), 22: (21.1, 107.3), 24: (21.25, 106.2), 25: (21.1, 105.2),
    31: (20.85, 106.5), 33: (20.6, 106.2), 37: (20.3, 106.0), 38: (20.0, 105.5),
    40: (19.2, 104.9), 42: (18.35, 105.9), 44: (17.2, 106.6), 46: (16.45, 107.55),
    48: (15.7, 108.0), 51: (14.8, 108.3), 52: (14.0, 108.4), 56: (12.1, 109.0),
    66: (12.9, 108.5), 68: (11.7, 107.8), 75: (11.2, 107.0), 79: (10.8, 106.7),
    80: (11.0, 106.1), 82: (10.4, 105.9), 86: (10.1, 106.3), 91: (10.3, 105.1),
    92: (9.85, 105.8), 96: (9.2, 105.3),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class WardInfo:
    """A current ward (phường), commune (xã) or special zone (đặc khu)."""

    code: str
    name: str
    short_name: str
    division: str


@dataclass(frozen=True, slots=True)
class ProvinceInfo:
    """A current province with its wards in code order."""

    code: int
    name: str
    short_name: str
    wards: tuple[WardInfo, ...]
    old_codes: tuple[int, ...]
    plate_numbers: tuple[int, ...]
    centre: tuple[float, float]


def _short(name: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@cache
def province_info(code: int) -> ProvinceInfo:
    """The province with this current code; raises KeyError for an unknown one."""
    old_codes = PROVINCE_OLD_CODES[code]
    province = next(p for p in Province.iter_all() if p.code.value == code)
    wards = sorted(
        (w for w in Ward.iter_all() if w.province_code.value == code), key=lambda w: w.code.value
    )
    infos = tuple(
        WardInfo(
            code=f"{w.code.value:05d}",
            name=w.name,
            short_name=_short(w.name, ("Phường ", "Xã ", "Đặc khu ")),
            division=str(w.division_type.value),
        )
        for w in wards
    )
    plates = tuple(n for old in old_codes for n in PLATE_NUMBERS[old])
    return ProvinceInfo(
        code=code,
        name=province.name,
        short_name=_short(province.name, ("Thành phố ", "Tỉnh ")),
        wards=infos,
        old_codes=old_codes,
        plate_numbers=plates,
        centre=_CENTRES[code],
    )


@cache
def current_ward_codes() -> frozenset[str]:
    """Every current ward code in the country, 5-digit strings."""
    return frozenset(f"{w.code.value:05d}" for w in Ward.iter_all())
