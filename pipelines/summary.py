"""The closing summary of ``antt demo``: the headline indicators for the province, in Vietnamese.

Leadership reads these lines, so the labels are Vietnamese; operators' lines elsewhere are English.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from antt.settings import Settings
from warehouse import connect, indicator
from warehouse.api import local_today

__all__ = ["headline_lines", "print_summary"]


def _pct(value: Any) -> str:
    return "—" if value is None else f"{float(value):.2f}%".replace(".", ",")


def _n(value: Any) -> str:
    return f"{int(value or 0):,}".replace(",", ".")  # Vietnamese groups thousands with dots


def _province(frame: pl.DataFrame) -> dict[str, Any]:
    rows = frame.filter(pl.col("ward_code").is_null()).to_dicts()
    return rows[0] if rows else {}


def headline_lines(settings: Settings) -> list[str]:
    """One line per headline indicator, for the last complete year and as of today."""
    con = connect(settings)
    try:
        year = local_today().year - 1
        crime = _province(indicator("ind_crime_reduction", con=con, year=year))
        criterion = _province(indicator("ind_criterion_19_2", con=con, year=year))
        coverage = indicator("ind_project06_coverage", con=con).filter(
            pl.col("ward_code").is_null()
        )
        bands = {row["age_band"]: row for row in coverage.to_dicts()}
        cameras = _province(indicator("ind_camera_coverage", con=con))
        lodging = _province(indicator("ind_lodging_platform", con=con))
        petitions = _province(indicator("ind_petition_resolution", con=con, year=year))
    finally:
        con.close()

    def met(flag: Any) -> str:
        return {True: "đạt", False: "chưa đạt"}.get(flag, "chưa đủ dữ liệu")

    all_band = bands.get("all", {})
    return [
        f"Tội phạm về trật tự xã hội năm {year}: {_n(crime.get('crimes'))} vụ, năm {year - 1}: "
        f"{_n(crime.get('prev_year_crimes'))} vụ ({_pct(crime.get('pct_change'))}) — "
        f"{met(crime.get('meets_target'))} mục tiêu giảm ít nhất 5%",
        f"Tiêu chí 19.2 năm {year}: {_n(criterion.get('wards_passed'))}/"
        f"{_n(criterion.get('wards'))} xã, phường đạt ({_pct(criterion.get('wards_passed_pct'))})",
        "Đề án 06, tỷ lệ cấp thẻ căn cước: dưới 6 tuổi "
        f"{_pct(bands.get('under_6', {}).get('id_card_pct'))}, từ 6 đến dưới 14 tuổi "
        f"{_pct(bands.get('6_to_13', {}).get('id_card_pct'))}, từ 14 tuổi "
        f"{_pct(bands.get('14_plus', {}).get('id_card_pct'))}, toàn bộ "
        f"{_pct(all_band.get('id_card_pct'))} ({_n(all_band.get('with_id_card'))}/"
        f"{_n(all_band.get('residents'))} người)",
        f"VNeID mức 2 (từ 14 tuổi): {_pct(all_band.get('vneid_level2_pct'))}",
        f"Camera an ninh: {_n(cameras.get('wards_with_connected_camera'))}/"
        f"{_n(cameras.get('wards'))} xã, phường có camera kết nối trung tâm giám sát "
        f"({_pct(cameras.get('connected_ward_pct'))})",
        f"Lưu trú: {_n(lodging.get('on_platform'))}/{_n(lodging.get('facilities'))} cơ sở trên nền "
        f"tảng ({_pct(lodging.get('on_platform_pct'))}), đọc chip "
        f"{_pct(lodging.get('chip_read_pct'))}, thông báo trễ hạn "
        f"{_pct(lodging.get('late_notification_pct'))}",
        f"Đơn thư, kiến nghị năm {year}: đã giải quyết {_n(petitions.get('resolved'))}/"
        f"{_n(petitions.get('received'))} ({_pct(petitions.get('resolved_pct'))}) — "
        f"{met(petitions.get('meets_target'))} mục tiêu 80%",
    ]


def print_summary(settings: Settings) -> None:
    print("\nChỉ số chính của tỉnh (dữ liệu mô phỏng):")
    for line in headline_lines(settings):
        print(f"  • {line}")
