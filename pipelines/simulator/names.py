"""People's names, phone numbers and foreign passports.

Given names come from Faker's vi_VN person provider, widened with common names of the Mekong
Delta. Faker's own vi_VN formats put the given name first ("Nam Nguyễn"), the Western order;
Vietnamese registries write family name, middle name(s), given name ("Nguyễn Văn Nam"), so the
parts are drawn here and joined in that order. Family names follow their real frequency in the
South (Huỳnh and Võ are common there; Thạch, Danh and Sơn are Khmer family names of Sóc Trăng).
"""

from __future__ import annotations

import random
from typing import Final

from faker.providers.address.vi_VN import Provider as _FakerAddress
from faker.providers.person.vi_VN import Provider as _FakerPerson

from pipelines.simulator.rand import Weighted
from streams.cleaning.identity import Sex

__all__ = [
    "NATIONALITIES",
    "STREETS",
    "foreign_name",
    "passport_number",
    "phone_number",
    "vietnamese_name",
]


def _unique(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for group in groups for name in group))


_FAMILY: Final = Weighted(
    [
        ("Nguyễn", 31), ("Trần", 11), ("Lê", 9), ("Phạm", 6), ("Huỳnh", 5), ("Võ", 5),
        ("Phan", 4), ("Trương", 2), ("Đặng", 2), ("Bùi", 2), ("Hoàng", 1.5), ("Đỗ", 1.5),
        ("Hồ", 1.5), ("Ngô", 1.5), ("Dương", 1), ("Lý", 1), ("Lâm", 1), ("Vũ", 1), ("Đinh", 0.8),
        ("Thạch", 0.8), ("Châu", 0.6), ("Mai", 0.6), ("Danh", 0.5), ("Kim", 0.5), ("Cao", 0.5),
        ("Sơn", 0.4), ("Lưu", 0.4), ("Quách", 0.3), ("Tạ", 0.3), ("Tô", 0.3),
    ]
)  # fmt: skip
_MALE_GIVEN: Final = _unique(
    _FakerPerson.first_names_male,
    _FakerPerson.first_names_unisex,
    ("Bình", "Cường", "Đạt", "Hiếu", "Hòa", "Khang", "Khánh", "Kiệt", "Lộc", "Long", "Lợi",
     "Nghĩa", "Nhân", "Phát", "Phong", "Phú", "Sang", "Tài", "Tâm", "Thắng", "Thiện", "Thịnh",
     "Toàn", "Trí", "Tuấn", "Vinh", "Hậu", "Tín", "Duy", "Hùng"),
)  # fmt: skip
_FEMALE_GIVEN: Final = _unique(
    _FakerPerson.first_names_female,
    tuple(n for n in _FakerPerson.first_names_unisex if n not in ("Thành", "Khoa", "Hải")),
    ("Bích", "Cúc", "Diễm", "Dung", "Giang", "Hân", "Hằng", "Hoa", "Huyền", "Kiều", "Loan",
     "Ly", "My", "Nga", "Ngân", "Nhung", "Nhi", "Oanh", "Phượng", "Quyên", "Thu", "Thùy",
     "Trang", "Trinh", "Tuyết", "Uyên", "Vy", "Thư", "Trâm", "Tiên"),
)  # fmt: skip
_MALE_MIDDLE: Final = Weighted(
    [("Văn", 40), ("Hữu", 6), ("Minh", 8), ("Quốc", 6), ("Thanh", 6), ("Hoàng", 4),
     ("Công", 4), ("Tấn", 5), ("Đức", 5), ("Trọng", 3), ("Chí", 3), ("Gia", 3), ("Thành", 3),
     ("Phước", 3), ("Quang", 3)]
)  # fmt: skip
_FEMALE_MIDDLE: Final = Weighted(
    [("Thị", 45), ("Ngọc", 10), ("Thu", 5), ("Thanh", 5), ("Kim", 5), ("Mỹ", 5), ("Bích", 3),
     ("Hồng", 4), ("Diễm", 2), ("Thúy", 3), ("Minh", 3), ("Thị Ngọc", 4), ("Thị Kim", 3),
     ("Thị Thu", 3)]
)  # fmt: skip

STREETS: Final[tuple[str, ...]] = tuple(_FakerAddress.streets)

# Mobile prefixes in use since the 2018 renumbering (Viettel, Vinaphone, MobiFone, Vietnamobile),
# limited to those whose whole range libphonenumber accepts (not all of 089 is allocated).
_MOBILE_PREFIXES: Final = (
    "032", "033", "034", "035", "036", "037", "038", "039", "070", "076", "077", "078", "079",
    "081", "082", "083", "084", "085", "086", "088", "090", "091", "093", "094", "096",
    "097", "098",
)  # fmt: skip

# Foreign guests: nationality -> (family names, given names, passport number pattern). Every
# pattern carries a letter so that no passport number reads as a 9-digit CMND or a CCCD.
_FOREIGN: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...], str]]] = {
    "KR": (("Kim", "Lee", "Park", "Choi", "Jung"), ("Min Jun", "Seo Yeon", "Ji Ho"), "M########"),
    "CN": (("Wang", "Li", "Zhang", "Liu", "Chen"), ("Wei", "Fang", "Jing", "Lei"), "E########"),
    "TW": (("Chen", "Lin", "Huang", "Chang"), ("Yi Ting", "Chia Hao", "Shu Fen"), "T########"),
    "JP": (("Sato", "Suzuki", "Takahashi"), ("Haruto", "Yui", "Sota", "Aoi"), "TK#######"),
    "US": (("Smith", "Johnson", "Brown"), ("John", "Emily", "Michael", "Sarah"), "A########"),
    "FR": (("Martin", "Bernard", "Dubois"), ("Pierre", "Camille", "Louis", "Chloé"), "##AB#####"),
    "DE": (("Müller", "Schmidt", "Schneider"), ("Lukas", "Anna", "Jonas", "Lea"), "C##X##T##"),
    "AU": (("Wilson", "Taylor", "Anderson"), ("Jack", "Olivia", "Noah", "Mia"), "PA#######"),
    "GB": (("Brown", "Jones", "Evans"), ("Oliver", "Amelia", "Harry", "Isla"), "GB#######"),
    "KH": (("Sok", "Chan", "Kim", "Heng"), ("Dara", "Sophea", "Vanna", "Sreymom"), "N########"),
    "TH": (("Srisuk", "Saelim", "Wongsa"), ("Somchai", "Niran", "Ploy", "Malee"), "AA#######"),
}  # fmt: skip
NATIONALITIES: Final = Weighted(
    [("KR", 22), ("CN", 18), ("TW", 8), ("JP", 8), ("US", 10), ("FR", 6), ("DE", 5), ("AU", 6),
     ("GB", 5), ("KH", 8), ("TH", 4)]
)  # fmt: skip


def vietnamese_name(rng: random.Random, sex: Sex) -> str:
    """A full name in registry order: family, middle, given."""
    family = _FAMILY.draw(rng)
    if sex == "male":
        return f"{family} {_MALE_MIDDLE.draw(rng)} {rng.choice(_MALE_GIVEN)}"
    return f"{family} {_FEMALE_MIDDLE.draw(rng)} {rng.choice(_FEMALE_GIVEN)}"


def phone_number(rng: random.Random) -> str:
    """A 10-digit Vietnamese mobile number in national format, e.g. ``0912345678``."""
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"


def foreign_name(rng: random.Random, nationality: str) -> str:
    families, givens, _ = _FOREIGN[nationality]
    family, given = rng.choice(families), rng.choice(givens)
    # East Asian passports print the family name first.
    if nationality in ("KR", "CN", "TW", "JP", "KH"):
        return f"{family} {given}"
    return f"{given} {family}"


def passport_number(rng: random.Random, nationality: str) -> str:
    pattern = _FOREIGN[nationality][2]
    return "".join(str(rng.randrange(10)) if c == "#" else c for c in pattern)
