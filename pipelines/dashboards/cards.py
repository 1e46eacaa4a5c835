"""The headline cards and the data-quality status line that pages share."""

from __future__ import annotations

import datetime as dt
from html import escape

import polars as pl

from pipelines.dashboards.data import DashboardData
from pipelines.dashboards.html import Card, Tone
from pipelines.dashboards.readers import (
    AGE_BANDS,
    CRITERION_TARGET_PCT,
    SOCIAL_ORDER,
    Row,
    crime_verdict,
    criterion_rows,
    current_period,
    judge,
    petition_verdict,
    province_row,
    safe_pct,
    ward_rows,
    year_label,
)
from warehouse.api import LOCAL_TZ
from warehouse.vietnamese import (
    format_change,
    format_count,
    format_date,
    format_datetime,
    format_int,
    format_pct,
)

__all__ = [
    "camera_card",
    "crime_card",
    "criterion_card",
    "dq_status",
    "id_card_card",
    "lodging_card",
    "meta",
    "petition_card",
    "petition_year",
    "province_bands",
    "status_bar",
    "vneid_card",
]


def dq_status(dq: pl.DataFrame | None, docs_href: str | None) -> tuple[str, Tone]:
    """The latest data-quality run in one line of HTML, and its tone."""
    link = f'<a href="{escape(docs_href)}">Xem báo cáo chi tiết</a>' if docs_href else ""
    if dq is None:
        return f"Chất lượng dữ liệu: chưa kiểm tra{link}", "neutral"
    run_at: dt.datetime = dq["run_at"].max()  # type: ignore[assignment]
    when = format_datetime(run_at.astimezone(LOCAL_TZ)) if run_at else "—"
    failed = dq.filter(~pl.col("success"))
    total = format_int(dq.height)
    if failed.is_empty():
        return f"Chất lượng dữ liệu: đạt {total}/{total} kiểm tra (lúc {when}){link}", "good"
    names = ", ".join(escape(f"{r['suite']}: {r['check_name']}") for r in failed.head(3).to_dicts())
    more = "…" if failed.height > 3 else ""
    return (
        f"Chất lượng dữ liệu: {format_int(failed.height)}/{total} kiểm tra không đạt "
        f"(lúc {when}): {names}{more}{link}",
        "bad",
    )


def meta(data: DashboardData) -> str:
    return escape(
        f"Số liệu đến hết ngày {format_date(data.as_of)} · "
        f"Xuất lúc {format_datetime(data.generated_at)}"
    )


def status_bar(data: DashboardData, docs_href: str | None) -> str:
    text, tone = dq_status(data.dq, docs_href)
    return f'<div class="status {tone}">{text}</div>'


def crime_card(data: DashboardData) -> Card:
    row = province_row(current_period(data, "year"))
    verdict, tone = crime_verdict(row)
    return Card(
        title=f"{SOCIAL_ORDER}, {year_label(row)}",
        value=f"{format_int(row.get('crimes'))} vụ",
        detail=(
            f"Đến ngày {format_date(row.get('data_through'))}: "
            f"{format_change(row.get('crimes'), row.get('prior_crimes'))} so với cùng kỳ; "
            f"tỷ lệ khám phá {format_pct(row.get('clearance_pct'))}"
        ),
        verdict=verdict,
        tone=tone,
    )


def criterion_card(data: DashboardData) -> Card:
    rows = criterion_rows(data)
    row = province_row(rows)
    passed_pct = row.get("wards_passed_pct")
    if passed_pct is None:
        wards = ward_rows(rows)["passes"]
        return Card(
            title=f"Xã, phường đạt tiêu chí 19.2, {year_label(row)}",
            value=f"{format_int(row.get('wards_passed'))}/{format_int(row.get('wards'))}",
            detail=(
                f"{format_int(wards.eq(False).sum())} xã, phường không đạt; "
                f"{format_int(wards.is_null().sum())} chưa đủ số liệu so sánh với năm trước"
            ),
            verdict="Chưa tính được tỷ lệ đạt",
            tone="neutral",
        )
    text, tone = judge(
        passed_pct > CRITERION_TARGET_PCT,
        f"Đạt mục tiêu trên {CRITERION_TARGET_PCT}% số xã, phường",
        f"Chưa đạt mục tiêu trên {CRITERION_TARGET_PCT}% số xã, phường",
        "",
    )
    return Card(
        title=f"Xã, phường đạt tiêu chí 19.2, {year_label(row)}",
        value=f"{format_int(row['wards_passed'])}/{format_int(row['wards'])}",
        detail=f"{format_pct(passed_pct)} số xã, phường đạt",
        verdict=text,
        tone=tone,
    )


def province_bands(data: DashboardData) -> dict[str, Row]:
    province = data.coverage.filter(pl.col("ward_code").is_null())
    return {str(r["age_band"]): r for r in province.to_dicts()}


def id_card_card(data: DashboardData) -> Card:
    bands = province_bands(data)
    every = bands.get("all", {})
    parts = [
        f"{AGE_BANDS[b]}: {safe_pct(r['with_id_card'], r['residents'], r['id_card_pct'])}"
        for b, r in bands.items()
        if b != "all"
    ]
    return Card(
        title="Cấp thẻ căn cước (Đề án 06)",
        value=safe_pct(every.get("with_id_card"), every.get("residents"), every.get("id_card_pct")),
        detail=(
            f"{format_count(every.get('with_id_card'))}/{format_count(every.get('residents'))} "
            f"người. {'; '.join(parts)}"
        ),
    )


def vneid_card(data: DashboardData) -> Card:
    adults = province_bands(data).get("14_plus", {})
    return Card(
        title="Tài khoản VNeID mức 2",
        value=safe_pct(
            adults.get("vneid_level2"), adults.get("residents"), adults.get("vneid_level2_pct")
        ),
        detail=(
            f"{format_count(adults.get('vneid_level2'))}/{format_count(adults.get('residents'))}"
            " người từ 14 tuổi"
        ),
    )


def camera_card(data: DashboardData) -> Card:
    row = province_row(data.cameras)
    return Card(
        title="Xã, phường có camera kết nối trung tâm giám sát",
        value=f"{format_int(row.get('wards_with_connected_camera'))}/{format_int(row.get('wards'))}",
        detail=(
            f"{format_pct(row.get('connected_ward_pct'))} số xã, phường; "
            f"{format_int(row.get('connected_cameras'))}/{format_int(row.get('cameras'))} "
            "camera đang kết nối"
        ),
    )


def lodging_card(data: DashboardData) -> Card:
    row = province_row(data.lodging)
    return Card(
        title="Cơ sở lưu trú thông báo qua nền tảng",
        value=f"{format_int(row.get('on_platform'))}/{format_int(row.get('facilities'))}",
        detail=(
            f"{format_pct(row.get('on_platform_pct'))} số cơ sở; đọc chip căn cước "
            f"{format_pct(row.get('chip_read_pct'))}; thông báo trễ hạn "
            f"{format_pct(row.get('late_notification_pct'))}"
        ),
    )


def petition_year(data: DashboardData) -> Row:
    years = data.petitions.filter(pl.col("ward_code").is_null())
    if years.is_empty():
        return {}
    return province_row(data.petitions.filter(pl.col("year") == years["year"].max()))


def petition_card(data: DashboardData) -> Card:
    """Petitions come from persons: small counts are suppressed like any count of persons."""
    row = petition_year(data)
    text, tone = petition_verdict(row)
    return Card(
        title=f"Đơn thư, kiến nghị đã giải quyết, {year_label(row)}",
        value=safe_pct(row.get("resolved"), row.get("received"), row.get("resolved_pct")),
        detail=(
            f"{format_count(row.get('resolved'))}/{format_count(row.get('received'))} đơn; "
            f"đang giải quyết {format_count(row.get('in_progress'))}"
        ),
        verdict=text,
        tone=tone,
    )
