"""The closing summary of ``antt demo``: the headline indicators for the province, in Vietnamese.

Leadership reads these lines, so they speak as the police's reports do: reporting periods (the
year from 15 December), "so với cùng kỳ" against the same dates a year earlier, the clearance rate
and crimes per 100,000 residents; a period that has not ended says so. Operators' lines elsewhere
are English.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from antt.settings import Settings
from warehouse import connect, indicator
from warehouse.vietnamese import (
    format_change,
    format_date,
    format_decimal,
    format_int,
    format_pct,
)

__all__ = ["crime_line", "headline_lines", "print_summary"]


def _province(frame: pl.DataFrame) -> dict[str, Any]:
    rows = frame.filter(pl.col("ward_code").is_null()).to_dicts()
    return rows[0] if rows else {}


def _compared(current: Any, prior: Any) -> str:
    text = format_change(current, prior)
    return f"{text} so với cùng kỳ" if prior is not None and text != "bằng cùng kỳ" else text


def _met(flag: Any) -> str:
    return {True: "đạt", False: "chưa đạt"}.get(flag, "chưa đủ dữ liệu để đánh giá")


def crime_line(row: dict[str, Any]) -> str:
    """Social-order crime of one reporting period, as a report writes it."""
    label = row["period_label"]
    if row["is_provisional"]:
        label = f"{label[:-1]}, đến {format_date(row['data_through'])})"
    text = (
        f"Tội phạm về trật tự xã hội {label}: {format_int(row['crimes'])} vụ, "
        f"{_compared(row['crimes'], row['prior_crimes'])}; tỷ lệ khám phá "
        f"{format_pct(row['clearance_pct'])}; "
        f"{format_decimal(row['crimes_per_100k'])} vụ/100.000 dân"
    )
    if row["is_provisional"]:
        return f"{text} — chưa kết thúc kỳ"
    return f"{text} — {_met(row['meets_target'])} mục tiêu giảm ít nhất 5%"


def headline_lines(settings: Settings) -> list[str]:
    """The current reporting year so far, the last whole one, and today's coverage figures."""
    con = connect(settings)
    try:
        years = (
            indicator("ind_crime_periods", con=con, period_kind="year")
            .filter(pl.col("ward_code").is_null())
            .sort("period_start")
        )
        current = years.row(-1, named=True)
        complete = years.filter(pl.col("is_complete"))
        last = complete.row(-1, named=True) if complete.height else None
        year = last["period_year"] if last else current["period_year"]
        criterion = _province(indicator("ind_criterion_19_2", con=con, year=year))
        petitions = _province(indicator("ind_petition_resolution", con=con, year=year))
        coverage = indicator("ind_project06_coverage", con=con).filter(
            pl.col("ward_code").is_null()
        )
        bands = {row["age_band"]: row for row in coverage.to_dicts()}
        cameras = _province(indicator("ind_camera_coverage", con=con))
        lodging = _province(indicator("ind_lodging_platform", con=con))
    finally:
        con.close()

    all_band = bands.get("all", {})
    lines = [crime_line(current)]
    if last is not None:
        lines.append(crime_line(last))
    return [
        *lines,
        f"Tiêu chí 19.2 {criterion.get('period_label', f'năm {year}')}: "
        f"{format_int(criterion.get('wards_passed'))}/{format_int(criterion.get('wards'))} xã, "
        f"phường đạt ({format_pct(criterion.get('wards_passed_pct'))})",
        "Đề án 06, tỷ lệ cấp thẻ căn cước: dưới 6 tuổi "
        f"{format_pct(bands.get('under_6', {}).get('id_card_pct'))}, từ 6 đến dưới 14 tuổi "
        f"{format_pct(bands.get('6_to_13', {}).get('id_card_pct'))}, từ 14 tuổi "
        f"{format_pct(bands.get('14_plus', {}).get('id_card_pct'))}, toàn bộ "
        f"{format_pct(all_band.get('id_card_pct'))} ({format_int(all_band.get('with_id_card'))}/"
        f"{format_int(all_band.get('residents'))} người)",
        f"VNeID mức 2 (từ 14 tuổi): {format_pct(all_band.get('vneid_level2_pct'))}",
        f"Camera an ninh: {format_int(cameras.get('wards_with_connected_camera'))}/"
        f"{format_int(cameras.get('wards'))} xã, phường có camera kết nối trung tâm giám sát "
        f"({format_pct(cameras.get('connected_ward_pct'))})",
        f"Lưu trú: {format_int(lodging.get('on_platform'))}/"
        f"{format_int(lodging.get('facilities'))} cơ sở trên nền tảng "
        f"({format_pct(lodging.get('on_platform_pct'))}), đọc chip "
        f"{format_pct(lodging.get('chip_read_pct'))}, thông báo trễ hạn "
        f"{format_pct(lodging.get('late_notification_pct'))}",
        f"Đơn thư, kiến nghị {petitions.get('period_label', f'năm {year}')}: đã giải quyết "
        f"{format_int(petitions.get('resolved'))}/{format_int(petitions.get('received'))} "
        f"({format_pct(petitions.get('resolved_pct'))}) — {_met(petitions.get('meets_target'))} "
        "mục tiêu 80%",
    ]


def print_summary(settings: Settings) -> None:
    print("\nChỉ số chính của tỉnh (dữ liệu mô phỏng):")
    for line in headline_lines(settings):
        print(f"  • {line}")
