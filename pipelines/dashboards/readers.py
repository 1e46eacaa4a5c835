"""Reading the indicator frames for a page: rows, current periods, verdicts, and privacy.

A percentage whose numerator, denominator or remainder is a count of persons from 1 to 4 is not
shown: it would give that count away as surely as printing it.
"""

from __future__ import annotations

from typing import Any, Final

import polars as pl

from pipelines.dashboards.data import DashboardData
from pipelines.dashboards.html import Tone
from warehouse.vietnamese import format_pct, is_suppressed

__all__ = [
    "AGE_BANDS",
    "ALERT_KINDS",
    "CRIME_TARGET_PCT",
    "CRITERION_TARGET_PCT",
    "FAILED_CHECKS",
    "PETITION_TARGET_PCT",
    "SOCIAL_ORDER",
    "Row",
    "crime_verdict",
    "criterion_rows",
    "current_period",
    "is_safe",
    "judge",
    "petition_verdict",
    "province_row",
    "safe_pct",
    "ward_rows",
    "year_label",
]

Row = dict[str, Any]

CRIME_TARGET_PCT: Final = 5  # social-order crime down at least 5% (seed 004, QĐ 926/QĐ-TTg)
CRITERION_TARGET_PCT: Final = 80  # seed 004: above 80% of communes pass 19.2
PETITION_TARGET_PCT: Final = 80  # seed 004: resolve over 80% of petitions a year
SOCIAL_ORDER: Final = "Tội phạm về trật tự xã hội"
AGE_BANDS: Final = {
    "under_6": "Dưới 6 tuổi",
    "6_to_13": "Từ 6 đến dưới 14 tuổi",
    "14_plus": "Từ 14 tuổi",
    "all": "Toàn bộ",
}
FAILED_CHECKS: Final = {
    "mass_petition": "khiếu kiện đông người",
    "especially_serious_crime": "tội phạm đặc biệt nghiêm trọng",
    "social_order_crime_increase": "tội phạm trật tự xã hội tăng",
    "social_evil_increase": "tệ nạn xã hội tăng",
    "traffic_accident_increase": "tai nạn giao thông tăng",
}
ALERT_KINDS: Final = {
    "plate_hit": "Xe trong danh sách theo dõi",
    "person_hit": "Người trong danh sách theo dõi",
}


def province_row(frame: pl.DataFrame) -> Row:
    rows = frame.filter(pl.col("ward_code").is_null()).to_dicts()
    return rows[0] if rows else {}


def ward_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("ward_code").is_not_null()).sort("ward_name")


def current_period(data: DashboardData, kind: str) -> pl.DataFrame:
    """Every ward's row (and the province's) of the latest period of one kind."""
    rows = data.crime_periods.filter(pl.col("period_kind") == kind)
    if rows.is_empty():
        return rows
    return rows.filter(pl.col("period_start") == rows["period_start"].max())


def criterion_rows(data: DashboardData) -> pl.DataFrame:
    """Criterion 19.2 for the latest year with a share of wards passing, else the latest year."""
    province = data.criterion.filter(pl.col("ward_code").is_null())
    judged = province.filter(pl.col("wards_passed_pct").is_not_null())
    years = judged if not judged.is_empty() else province
    if years.is_empty():
        return data.criterion
    return data.criterion.filter(pl.col("year") == years["year"].max())


def year_label(row: Row) -> str:
    label = row.get("period_label")
    return str(label) if label else f"năm {row.get('year')}"


def safe_pct(numerator: int | None, denominator: int | None, pct: Any) -> str:
    """``pct`` formatted, unless a count of persons from 1 to 4 could be read back from it."""
    if numerator is None or denominator is None:
        return format_pct(pct)
    if any(is_suppressed(n) for n in (numerator, denominator, denominator - numerator)):
        return "—"
    return format_pct(pct)


def is_safe(numerator: int, denominator: int) -> bool:
    return safe_pct(numerator, denominator, 0) != "—"


def judge(flag: bool | None, met: str, missed: str, unknown: str) -> tuple[str, Tone]:
    if flag is None:
        return unknown, "neutral"
    return (met, "good") if flag else (missed, "bad")


def crime_verdict(row: Row) -> tuple[str, Tone]:
    """Against the 5% target: final once the period ended, otherwise a provisional reading."""
    crimes, prior = row.get("crimes"), row.get("prior_crimes")
    target = f"mục tiêu giảm ít nhất {CRIME_TARGET_PCT}%"
    if row.get("meets_target") is not None:
        return judge(row["meets_target"], f"Đạt {target}", f"Chưa đạt {target}", "")
    if crimes is None or prior is None or prior == 0:
        return "Chưa đủ số liệu cùng kỳ để so sánh", "neutral"
    on_track = crimes * 100 <= prior * (100 - CRIME_TARGET_PCT)
    return judge(on_track, f"Đang đạt {target} (tạm tính)", f"Chưa đạt {target} (tạm tính)", "")


def petition_verdict(row: Row) -> tuple[str, Tone]:
    """Against 80% resolved: final once the year has ended, else provisional; no verdict when
    the petitions are too few to publish a rate (they come from persons)."""
    received, resolved = row.get("received") or 0, row.get("resolved") or 0
    target = f"mục tiêu {PETITION_TARGET_PCT}%"
    if not received:
        return "Chưa tiếp nhận đơn", "neutral"
    if not is_safe(resolved, received):
        return "Quá ít đơn để công bố tỷ lệ", "neutral"
    if row.get("meets_target") is not None:
        return judge(row["meets_target"], f"Đạt {target}", f"Chưa đạt {target}", "")
    return judge(
        resolved * 100 >= received * PETITION_TARGET_PCT,
        f"Đang đạt {target} (tạm tính)",
        f"Chưa đạt {target} (tạm tính)",
        "",
    )
