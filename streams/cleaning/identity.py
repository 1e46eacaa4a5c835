"""Citizen ID numbers: the 12-digit CCCD, built and read by the rules of Thông tư 07/2016/TT-BCA.

Digits 1-3 are the pre-2025 province code of birth registration (the 63-province list, unchanged
by the 2025 mergers); digit 4 encodes century and sex (0/1 = 1900s male/female, 2/3 = 2000s, ...);
digits 5-6 are the last two digits of the birth year; digits 7-12 are random.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

__all__ = [
    "BIRTH_PROVINCES",
    "AgeBand",
    "Cccd",
    "Sex",
    "age_band",
    "age_on",
    "build_cccd",
    "read_cccd",
]

Sex = Literal["male", "female"]
# Identity Law 2023 bands: optional under 6, optional with biometrics 6-13, mandatory from 14.
AgeBand = Literal["under_6", "6_to_13", "14_plus"]

# The 63 pre-2025 province codes used in CCCD numbers (appendix of Thông tư 07/2016/TT-BCA).
BIRTH_PROVINCES: Final[dict[int, str]] = {
    1: "Hà Nội", 2: "Hà Giang", 4: "Cao Bằng", 6: "Bắc Kạn", 8: "Tuyên Quang", 10: "Lào Cai",
    11: "Điện Biên", 12: "Lai Châu", 14: "Sơn La", 15: "Yên Bái", 17: "Hòa Bình",
    19: "Thái Nguyên", 20: "Lạng Sơn", 22: "Quảng Ninh", 24: "Bắc Giang", 25: "Phú Thọ",
    26: "Vĩnh Phúc", 27: "Bắc Ninh", 30: "Hải Dương", 31: "Hải Phòng", 33: "Hưng Yên",
    34: "Thái Bình", 35: "Hà Nam", 36: "Nam Định", 37: "Ninh Bình", 38: "Thanh Hóa",
    40: "Nghệ An", 42: "Hà Tĩnh", 44: "Quảng Bình", 45: "Quảng Trị", 46: "Thừa Thiên Huế",
    48: "Đà Nẵng", 49: "Quảng Nam", 51: "Quảng Ngãi", 52: "Bình Định", 54: "Phú Yên",
    56: "Khánh Hòa", 58: "Ninh Thuận", 60: "Bình Thuận", 62: "Kon Tum", 64: "Gia Lai",
    66: "Đắk Lắk", 67: "Đắk Nông", 68: "Lâm Đồng", 70: "Bình Phước", 72: "Tây Ninh",
    74: "Bình Dương", 75: "Đồng Nai", 77: "Bà Rịa–Vũng Tàu", 79: "TP Hồ Chí Minh", 80: "Long An",
    82: "Tiền Giang", 83: "Bến Tre", 84: "Trà Vinh", 86: "Vĩnh Long", 87: "Đồng Tháp",
    89: "An Giang", 91: "Kiên Giang", 92: "Cần Thơ", 93: "Hậu Giang", 94: "Sóc Trăng",
    95: "Bạc Liêu", 96: "Cà Mau",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Cccd:
    """What a CCCD number says about its holder."""

    number: str
    birth_province_code: int
    birth_year: int
    sex: Sex


def build_cccd(birth_province_code: int, birth_year: int, sex: Sex, serial: int) -> str:
    """The CCCD number for a holder; ``serial`` fills the six random digits."""
    if birth_province_code not in BIRTH_PROVINCES:
        raise ValueError(f"unknown birth province code {birth_province_code:03d}")
    century = birth_year // 100 - 19
    if not 0 <= century <= 4:
        raise ValueError(f"birth year {birth_year} is outside 1900-2399")
    if not 0 <= serial <= 999_999:
        raise ValueError("serial must have at most six digits")
    digit4 = century * 2 + (1 if sex == "female" else 0)
    return f"{birth_province_code:03d}{digit4}{birth_year % 100:02d}{serial:06d}"


def read_cccd(number: str) -> Cccd | None:
    """Decode a 12-digit CCCD; None when it is not 12 digits or names no known province."""
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        return None
    province = int(number[:3])
    if province not in BIRTH_PROVINCES:
        return None
    digit4 = int(number[3])
    if digit4 > 9:
        return None
    birth_year = 1900 + 100 * (digit4 // 2) + int(number[4:6])
    sex: Sex = "female" if digit4 % 2 else "male"
    return Cccd(number, province, birth_year, sex)


def age_on(birth_date: date, on: date) -> int:
    """Age in whole years on a day (a birthday counts on the day itself)."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (1 if before_birthday else 0)


def age_band(age: int) -> AgeBand:
    """The Identity Law 2023 band of an age in whole years."""
    if age < 6:
        return "under_6"
    return "6_to_13" if age < 14 else "14_plus"
