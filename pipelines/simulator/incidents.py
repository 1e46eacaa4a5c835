"""Incident reports: tip-offs, crime reports, accidents and petitions, re-sent on each change.

Volumes follow the residents: each category has a rate per 100,000 residents a year
(``CATEGORY_RATE``), times the ward's activity (busier in towns), and for social-order crime,
social evils and traffic accidents the ward's own yearly change (see ``wards``), so that
year-over-year comparisons come out differently per ward. Crimes carry a Penal Code severity
class; "especially serious" ones and mass petitions are rare by design, since criterion 19.2 fails
a commune on a single one.

A report goes received -> verifying -> resolved / transferred / dismissed (a few go straight from
received to transferred or dismissed); every version is a message with a later ``updated_at``.
A crime report is resolved when the crime is solved (khám phá: ``solved_at``), days to months
after it was reported, or stays under investigation; about 84% of the social-order crimes that
were not dismissed get solved, the national clearance rate (83-87% a year).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from pipelines.simulator.clock import DAY, HOUR, MINUTE, iso, local, local_midnight
from pipelines.simulator.config import SimulationConfig
from pipelines.simulator.messages import Draft, Payload
from pipelines.simulator.names import STREETS
from pipelines.simulator.population import office_time
from pipelines.simulator.rand import Weighted, growth_integral, growth_time, hours, poisson
from pipelines.simulator.wards import WardProfile

__all__ = [
    "CATEGORY_RATE",
    "CATEGORY_SHARE",
    "Category",
    "Report",
    "hour_profile",
    "incident_drafts",
    "make_report",
    "report_payload",
    "yearly_change",
]

Category = Literal[
    "social_order_crime",
    "drug_crime",
    "economic_crime",
    "environmental_crime",
    "social_evil",
    "traffic_accident",
    "fire_explosion",
    "petition",
    "other",
]
Severity = Literal["less_serious", "serious", "very_serious", "especially_serious"]

# Reports per 100,000 residents a year, before the ward's activity. Social-order crime is the
# Ministry of Public Security's national figure (41,700-47,100 a year for about 100 million people
# in 2020-2022: about 45); the others are orders of magnitude (docs/architecture.md).
CATEGORY_RATE: Final[dict[Category, float]] = {
    "social_order_crime": 45.0, "drug_crime": 25.0, "economic_crime": 6.0,
    "environmental_crime": 3.0, "social_evil": 40.0, "traffic_accident": 60.0,
    "fire_explosion": 4.0, "petition": 150.0, "other": 250.0,
}  # fmt: skip
# The mix of categories, for events made one at a time (the live phase).
CATEGORY_SHARE: Final[dict[Category, float]] = {
    category: rate / sum(CATEGORY_RATE.values()) for category, rate in CATEGORY_RATE.items()
}
_PER_RESIDENT_DAY: Final = 1 / 100_000 / 365.25
_CRIMES: Final = frozenset(
    {"social_order_crime", "drug_crime", "economic_crime", "environmental_crime"}
)
# Province-wide yearly change of the categories that do not vary per ward.
_PROVINCE_CHANGE: Final[dict[Category, float]] = {
    "drug_crime": 0.05, "economic_crime": 0.0, "environmental_crime": 0.0,
    "fire_explosion": -0.05, "petition": -0.08, "other": 0.0,
}  # fmt: skip
_SEVERITY: Final[Weighted[Severity]] = Weighted(
    [("less_serious", 0.585), ("serious", 0.3), ("very_serious", 0.112),
     ("especially_serious", 0.003)]
)  # fmt: skip
_HOURS: Final[dict[str, Weighted[int]]] = {
    "crime": hours([3, 2, 2, 2, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 4, 4, 5, 6, 6, 6, 5, 4]),
    "traffic": hours([1, 0.5, 0.5, 0.5, 1, 2, 4, 5, 4, 3, 3, 3,
                      3, 3, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1.5]),
    "evening": hours([4, 3, 2, 1, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1,
                      1, 1, 1, 1, 2, 2, 3, 5, 6, 6, 6, 5]),
    "day": hours([1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 1, 1]),
}  # fmt: skip
_CHANNELS: Final[dict[str, Weighted[str]]] = {
    "crime": Weighted([("hotline", 0.25), ("in_person", 0.25), ("zalo", 0.15), ("facebook", 0.08),
                       ("vneid", 0.1), ("public_service_portal", 0.07), ("camera", 0.1)]),
    "petition": Weighted([("in_person", 0.4), ("public_service_portal", 0.3), ("vneid", 0.2),
                          ("zalo", 0.1)]),
    "traffic": Weighted([("hotline", 0.6), ("camera", 0.15), ("in_person", 0.15), ("zalo", 0.1)]),
    "other": Weighted([("hotline", 0.3), ("zalo", 0.25), ("facebook", 0.15), ("in_person", 0.2),
                       ("vneid", 0.1)]),
}  # fmt: skip
_OUTCOMES: Final[dict[str, Weighted[str]]] = {
    "social_evil": Weighted([("resolved", 0.85), ("transferred", 0.05), ("dismissed", 0.10)]),
    "traffic_accident": Weighted([("resolved", 0.8), ("transferred", 0.15), ("dismissed", 0.05)]),
    "petition": Weighted([("resolved", 0.84), ("transferred", 0.09), ("dismissed", 0.07)]),
    "fire_explosion": Weighted([("resolved", 0.9), ("transferred", 0.05), ("dismissed", 0.05)]),
    "other": Weighted([("resolved", 0.75), ("transferred", 0.05), ("dismissed", 0.2)]),
}  # fmt: skip
# Of the crime reports verified as founded, the share solved (the rest stay under investigation),
# chosen so that about 84% of the crimes that were not dismissed are solved in the end.
_SOLVED: Final[dict[Category, float]] = {
    "social_order_crime": 0.90, "drug_crime": 0.97, "economic_crime": 0.93,
    "environmental_crime": 0.93,
}  # fmt: skip
# Verified crime reports found unfounded.
_UNFOUNDED: Final = 0.07
# Median days from verification to a decision, by category group.
_DECISION_DAYS: Final[dict[str, float]] = {
    "crime": 12, "social_evil": 3, "traffic_accident": 5, "petition": 20, "fire_explosion": 4,
    "other": 2,
}  # fmt: skip

_SUMMARIES: Final[dict[str, tuple[str, ...]]] = {
    "social_order_crime/less_serious": (
        "Mất trộm xe máy trước cửa nhà.", "Trộm cắp tài sản tại chợ {place}.",
        "Trộm điện thoại di động tại quán cà phê.", "Đánh nhau gây mất trật tự công cộng.",
        "Lừa đảo chiếm đoạt tài sản qua mạng xã hội.", "Trộm gà, vịt của hộ dân ban đêm.",
    ),
    "social_order_crime/serious": (
        "Cướp giật túi xách trên đường {street}.", "Trộm cắp tài sản có giá trị lớn tại cửa hàng.",
        "Lừa đảo qua điện thoại chiếm đoạt hơn 200 triệu đồng.",
        "Cố ý gây thương tích sau va chạm giao thông.",
    ),
    "social_order_crime/very_serious": (
        "Cướp tài sản có sử dụng hung khí.", "Cố ý gây thương tích nặng bằng dao.",
        "Lừa đảo đầu tư qua mạng, nhiều người bị hại.",
    ),
    "social_order_crime/especially_serious": (
        "Giết người sau mâu thuẫn trong gia đình.", "Cướp tài sản có vũ khí gây chết người.",
    ),
    "drug_crime": (
        "Tàng trữ trái phép chất ma túy.", "Mua bán trái phép chất ma túy tại nhà trọ.",
        "Tổ chức sử dụng trái phép chất ma túy tại quán karaoke.",
    ),
    "economic_crime": (
        "Buôn lậu thuốc lá điếu.", "Sản xuất, buôn bán hàng giả.",
        "Kinh doanh xăng dầu không rõ nguồn gốc.",
    ),
    "environmental_crime": (
        "Khai thác cát trái phép trên sông.", "Xả thải chưa qua xử lý ra kênh thủy lợi.",
        "Vận chuyển động vật hoang dã trái phép.",
    ),
    "social_evil": (
        "Đánh bạc dưới hình thức đá gà.", "Tụ tập đánh bài ăn tiền tại nhà dân.",
        "Nghi có hoạt động mại dâm tại cơ sở massage.",
        "Sử dụng trái phép chất ma túy tại nhà dân.",
    ),
    "traffic_accident": (
        "Va chạm giữa xe máy và ô tô tại ngã tư {street}.",
        "Tai nạn giao thông trên đường {street}.",
    ),
    "traffic_accident/casualties": (
        "Tai nạn giao thông trên đường {street}: {deaths} người chết, {injuries} người bị thương.",
    ),
    "fire_explosion": (
        "Cháy nhà dân, không có thương vong.", "Cháy kho chứa hàng, thiệt hại tài sản.",
        "Nổ bình gas tại quán ăn.",
    ),
    "petition": (
        "Khiếu nại về bồi thường giải phóng mặt bằng.", "Kiến nghị giải quyết tranh chấp đất đai.",
        "Phản ánh tiếng ồn từ quán karaoke.", "Tố cáo hành vi cho vay nặng lãi.",
    ),
    "petition/mass": (
        "Nhiều hộ dân khiếu nại đông người về bồi thường đất.",
        "Đơn tập thể kiến nghị về ô nhiễm từ cơ sở chăn nuôi.",
    ),
    "other": (
        "Phản ánh người lạ khả nghi trong xóm.", "Nhặt được tài sản bị đánh rơi, giao nộp công an.",
        "Báo tin người đi lạc.", "Phản ánh thanh niên tụ tập chạy xe lạng lách.",
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Report:
    """A report with every version it will go through: (updated_at, status)."""

    ward_code: str
    category: Category
    severity: Severity | None
    channel: str
    occurred: int
    received: int
    deaths: int
    injuries: int
    mass_petition: bool
    summary: str | None
    versions: tuple[tuple[int, str], ...]
    solved_at: int | None = None


def _group(category: Category) -> str:
    if category in _CRIMES:
        return "crime"
    return category


def _days(rng: random.Random, median: float, spread: float, low: float, high: float) -> int:
    """A log-normal duration in seconds, clipped."""
    days = math.exp(rng.gauss(math.log(median), spread))
    return int(min(high, max(low, days)) * DAY)


def make_report(rng: random.Random, ward: WardProfile, category: Category, at: int) -> Report:
    """A report whose primary instant is ``at``: when it happened, or for petitions when filed."""
    group = _group(category)
    severity = _SEVERITY.draw(rng) if group == "crime" else None
    deaths = injuries = 0
    mass = False
    if category == "petition":
        received = at
        occurred = at - rng.randint(1, 180) * DAY
        mass = rng.random() < 0.012
        channel = "in_person" if mass else _CHANNELS["petition"].draw(rng)
    else:
        occurred = at
        if category in ("traffic_accident", "fire_explosion"):
            received = at + rng.randint(2 * MINUTE, 40 * MINUTE)
        else:
            pick = rng.random()
            delay = (
                rng.randint(10 * MINUTE, 2 * HOUR)
                if pick < 0.6
                else rng.randint(2 * HOUR, DAY)
                if pick < 0.9
                else rng.randint(DAY, 5 * DAY)
            )
            received = at + delay
        channel = _CHANNELS.get(group, _CHANNELS["other"]).draw(rng)
    if category == "traffic_accident":
        deaths = rng.choices((0, 1, 2), (0.86, 0.12, 0.02))[0]
        injuries = rng.choices((0, 1, 2, 3), (0.15, 0.55, 0.2, 0.1))[0]
    elif category == "fire_explosion":
        injuries = 1 if rng.random() < 0.05 else 0
    elif severity == "especially_serious":
        deaths = 1
    elif severity == "very_serious":
        injuries = 1 if rng.random() < 0.5 else 0

    key = f"{category}/{severity}" if category == "social_order_crime" else category
    if category == "traffic_accident" and deaths + injuries:
        key = "traffic_accident/casualties"
    if mass:
        key = "petition/mass"
    summary = None
    if rng.random() >= 0.03:
        summary = rng.choice(_SUMMARIES[key]).format(
            place=ward.info.short_name, street=rng.choice(STREETS), deaths=deaths, injuries=injuries
        )
    versions, solved_at = _lifecycle(rng, category, received, mass)
    return Report(
        ward_code=ward.code,
        category=category,
        severity=severity,
        channel=channel,
        occurred=occurred,
        received=received,
        deaths=deaths,
        injuries=injuries,
        mass_petition=mass,
        summary=summary,
        versions=versions,
        solved_at=solved_at,
    )


def _lifecycle(
    rng: random.Random, category: Category, received: int, mass: bool
) -> tuple[tuple[tuple[int, str], ...], int | None]:
    """The report's versions (updated_at, status), and when the crime was solved, if it was."""
    group = _group(category)
    if rng.random() < 0.1:
        # Not ours or not a matter for the police: passed on or closed within hours.
        status = "transferred" if rng.random() < 0.6 else "dismissed"
        return ((received, "received"), (received + rng.randint(HOUR, 12 * HOUR), status)), None
    if category == "petition":
        verifying = office_time(rng, received + rng.randint(1, 5) * DAY)
    else:
        verifying = received + rng.randint(30 * MINUTE, 48 * HOUR)
    opened = ((received, "received"), (verifying, "verifying"))
    if group == "crime":
        if rng.random() < _UNFOUNDED:
            return (*opened, (verifying + _days(rng, 7, 0.8, 2 / 24, 60), "dismissed")), None
        if rng.random() >= _SOLVED[category]:
            return opened, None  # still under investigation
        # Solved within hours (caught in the act) to months.
        solved = verifying + _days(rng, _DECISION_DAYS[group], 1.3, 2 / 24, 240)
        return (*opened, (solved, "resolved")), solved
    median = 45.0 if mass else _DECISION_DAYS[group]
    decided = verifying + _days(rng, median, 0.8, 2 / 24, 120)
    return (*opened, (decided, _OUTCOMES[group].draw(rng))), None


def report_payload(report_id: str, report: Report, updated_at: int, status: str) -> Payload:
    """One version of a report; from the version that says it was solved on, with solved_at."""
    payload: Payload = {
        "schema_version": 1,
        "report_id": report_id,
        "updated_at": iso(updated_at),
        "received_at": iso(report.received),
        "occurred_at": iso(report.occurred),
        "ward_code": report.ward_code,
        "category": report.category,
        "severity": report.severity,
        "channel": report.channel,
        "status": status,
        "deaths": report.deaths,
        "injuries": report.injuries,
        "mass_petition": report.mass_petition,
        "summary": report.summary,
    }
    if report.solved_at is not None and updated_at >= report.solved_at:
        payload["solved_at"] = iso(report.solved_at)
    return payload


def yearly_change(ward: WardProfile, category: Category) -> float:
    """The ward's yearly relative change of a category's rate."""
    if category == "social_order_crime":
        return ward.crime_change
    if category == "social_evil":
        return ward.social_evil_change
    if category == "traffic_accident":
        return ward.traffic_change
    return _PROVINCE_CHANGE[category]


def hour_profile(category: Category) -> Weighted[int]:
    if category == "traffic_accident":
        return _HOURS["traffic"]
    if category in ("social_evil", "drug_crime"):
        return _HOURS["evening"]
    if category in _CRIMES:
        return _HOURS["crime"]
    return _HOURS["day"]


def incident_drafts(
    config: SimulationConfig,
    wards: tuple[WardProfile, ...],
    population: Mapping[str, int],
    rng: random.Random,
) -> tuple[list[Draft], list[tuple[str, Report, int, str]]]:
    """Every report version of the window, and the versions still to come after its end."""
    start, end = config.start_s, config.end_s
    anchor = (start + end) // 2
    reports: list[Report] = []
    for ward in wards:
        per_day = population.get(ward.code, 0) * ward.activity * _PER_RESIDENT_DAY
        for category, rate in CATEGORY_RATE.items():
            change = yearly_change(ward, category)
            days = growth_integral(start, end, change, anchor)
            profile = hour_profile(category)
            for _ in range(poisson(rng, per_day * rate * days)):
                day = local_midnight(growth_time(rng, start, end, change))
                if category == "petition":
                    at = office_time(rng, day)
                else:
                    at = day + profile.draw(rng) * HOUR + rng.randrange(HOUR)
                report = make_report(rng, ward, category, at)
                if start <= at and report.received <= end:
                    reports.append(report)

    reports.sort(key=lambda r: (r.received, r.ward_code, r.category))
    drafts: list[Draft] = []
    pending: list[tuple[str, Report, int, str]] = []
    serial: dict[int, int] = {}
    for report in reports:
        year = local(report.received).year
        serial[year] = serial.get(year, 0) + 1
        report_id = f"INC-{year}-{serial[year]:06d}"
        for updated_at, status in report.versions:
            if updated_at > end:
                pending.append((report_id, report, updated_at, status))
                continue
            ms = updated_at * 1000 + rng.randrange(100, 2000)
            drafts.append(
                Draft("incident.reports", ms, report_payload(report_id, report, updated_at, status))
            )
    return drafts, pending
