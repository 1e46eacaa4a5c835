"""The five pages: the province overview and one page per subject, as HTML text.

Figures are aggregates only: no pseudonym, name, ID number, phone, plate or free text is read.
Counts of persons go through ``format_count`` ("<5"); percentages through ``readers.safe_pct``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from html import escape
from typing import Final

import polars as pl

from pipelines.dashboards import charts
from pipelines.dashboards.cards import (
    camera_card,
    crime_card,
    criterion_card,
    id_card_card,
    lodging_card,
    meta,
    petition_card,
    petition_year,
    status_bar,
    vneid_card,
)
from pipelines.dashboards.data import DashboardData
from pipelines.dashboards.html import PAGES, Cell, Size, Tone, card_grid, chart, page, table
from pipelines.dashboards.readers import (
    AGE_BANDS,
    ALERT_KINDS,
    FAILED_CHECKS,
    PETITION_TARGET_PCT,
    SOCIAL_ORDER,
    Row,
    crime_verdict,
    criterion_rows,
    current_period,
    is_safe,
    judge,
    petition_verdict,
    province_row,
    safe_pct,
    ward_rows,
    year_label,
)
from pipelines.dashboards.style import PALETTE
from warehouse.vietnamese import (
    format_change,
    format_count,
    format_date,
    format_decimal,
    format_int,
    format_pct,
)

__all__ = ["PAGES", "build_pages", "overview"]

# Two charts side by side on A4 landscape with 9 mm margins (about 1.050 CSS pixels across).
BRIEFING_CHART: Final = Size(width=500, height=270)

PERIOD_KINDS: Final = ("year", "nine_months", "six_months", "quarter", "month")
COMPSTAT_PERIODS: Final = (
    ("wtd", "Tuần này"),
    ("d28", "28 ngày qua"),
    ("ytd", "Từ đầu năm báo cáo"),  # from 15 December, as the Ministry counts a year
)
FOOTER: Final = (
    "Số liệu tổng hợp từ kho dữ liệu đã ẩn danh; số người từ 1 đến 4 trong một nhóm hiển thị "
    "là “<5”. Không có họ tên, số định danh, số điện thoại, biển số xe hay nội dung tin báo."
)


def _ward_change_ranking(data: DashboardData, fixed: Size | None = None, size: int = 5) -> str:
    """The wards with the largest fall and the largest rise in social-order crime."""
    period = current_period(data, "year")
    wards = ward_rows(period).filter(pl.col("prior_crimes").is_not_null())
    if wards.is_empty():
        return '<p class="note">Chưa đủ số liệu cùng kỳ để xếp hạng xã, phường.</p>'
    ranked = wards.with_columns((pl.col("crimes") - pl.col("prior_crimes")).alias("delta")).sort(
        ["delta", "ward_name"]
    )
    best = ranked.head(size)
    worst = ranked.tail(size).filter(~pl.col("ward_code").is_in(best["ward_code"].implode()))
    shown = pl.concat([best, worst])
    label = year_label(province_row(period))
    figure = charts.ranking(
        shown["ward_name"].to_list(),
        shown["delta"].to_list(),
        [format_change(r["crimes"], r["prior_crimes"]) for r in shown.to_dicts()],
        title="Xã, phường giảm và tăng nhiều nhất",
        subtitle=f"{SOCIAL_ORDER}, {label}, so với cùng kỳ",
        axis="Số vụ tăng (+) hoặc giảm (−) so với cùng kỳ",
        higher_is_better=False,
    )
    return chart(figure, "ward-ranking", fixed)


def _crime_weekly(
    data: DashboardData, div_id: str, *, only_social_order: bool, fixed: Size | None = None
) -> str:
    weekly = data.weekly_incidents
    if only_social_order:
        weekly = weekly.filter(pl.col("group") == SOCIAL_ORDER)
    figure = charts.weekly_trend(
        weekly,
        title="Số vụ theo tuần" if only_social_order else "Số vụ theo tuần và nhóm vụ việc",
        subtitle=f"{SOCIAL_ORDER if only_social_order else 'Chọn nhóm'}: 52 tuần đến "
        f"{format_date(data.as_of)} (tuần cuối chưa trọn), so với cùng kỳ năm trước",
        unit="vụ",
        first=SOCIAL_ORDER,
    )
    return chart(figure, div_id, fixed)


def overview(data: DashboardData, docs_href: str | None, *, briefing: bool = False) -> str:
    """The province at a glance; ``briefing`` sizes the charts for an A4 landscape sheet."""
    fixed = BRIEFING_CHART if briefing else None
    cards = [
        crime_card(data),
        criterion_card(data),
        id_card_card(data),
        vneid_card(data),
        camera_card(data),
        lodging_card(data),
        petition_card(data),
    ]
    body = (
        f"{status_bar(data, docs_href)}<h2>Chỉ tiêu chính</h2>{card_grid(cards)}"
        '<div class="grid2">'
        f"{_crime_weekly(data, 'weekly-crime', only_social_order=True, fixed=fixed)}"
        f"{_ward_change_ranking(data, fixed)}</div>"
    )
    return page(PAGES[0], heading=_heading(data), meta=meta(data), body=body, footer=FOOTER)


def _period_table(data: DashboardData) -> str:
    rows: list[tuple[Sequence[Cell], Tone]] = []
    for kind in PERIOD_KINDS:
        row = province_row(current_period(data, kind))
        if row:
            verdict, tone = crime_verdict(row)
            rows.append((_period_cells(row, str(row["period_label"]), verdict), tone))
    headers = [
        Cell("Kỳ báo cáo"),
        Cell("Số vụ", True),
        Cell("Cùng kỳ", True),
        Cell("So với cùng kỳ"),
        Cell("Tỷ lệ khám phá", True),
        Cell("Trên 100.000 dân", True),
        Cell("Mục tiêu giảm 5%"),
    ]
    return table("periods", headers, rows)


def _period_cells(row: Row, name: str, verdict: str) -> list[Cell]:
    return [
        Cell(name),
        Cell(format_int(row.get("crimes")), True),
        Cell(format_int(row.get("prior_crimes")), True),
        Cell(format_change(row.get("crimes"), row.get("prior_crimes"))),
        Cell(format_pct(row.get("clearance_pct")), True),
        Cell(format_decimal(row.get("crimes_per_100k")), True),
        Cell(verdict, verdict=True),
    ]


def _reporting_year(year: int, complete: bool, through: dt.date) -> str:
    """A reporting year on a chart's axis; one not yet ended says how far its figures reach."""
    return f"{year}" + ("" if complete else f" (đến {format_date(through)})")


def _years_chart(data: DashboardData) -> str:
    years = (
        data.crime_periods.filter(pl.col("ward_code").is_null() & (pl.col("period_kind") == "year"))
        .sort("period_start")
        .to_dicts()
    )
    figure = charts.grouped_bars(
        [_reporting_year(r["period_year"], r["is_complete"], r["data_through"]) for r in years],
        [
            ("Kỳ báo cáo", [r["crimes"] for r in years]),
            ("Cùng kỳ năm trước", [r["prior_crimes"] for r in years]),
        ],
        title=f"{SOCIAL_ORDER} theo năm báo cáo",
        subtitle="Từ 15/12 năm trước đến 14/12; năm chưa kết thúc so với cùng kỳ đến cùng ngày",
        unit="vụ",
    )
    return chart(figure, "crime-years")


def _compstat_table(data: DashboardData) -> str:
    province = data.compstat.filter(pl.col("ward_code").is_null())
    counts = {(r["category"], r["period"]): r for r in province.to_dicts()}
    present = set(province["category"].to_list())
    categories = [c for c in data.category_labels if c in present]
    headers = [Cell("Nhóm vụ việc")]
    for _, name in COMPSTAT_PERIODS:
        headers += [Cell(name, True), Cell("So với cùng kỳ")]
    rows: list[tuple[Sequence[Cell], Tone]] = []
    for category in categories:
        cells = [Cell(data.category_labels.get(category, category))]
        for period, _ in COMPSTAT_PERIODS:
            r = counts[(category, period)]
            cells += [
                Cell(format_int(r["current"]), True),
                Cell(format_change(r["current"], r["prior_year"])),
            ]
        rows.append((cells, "plain"))
    return table("compstat", headers, rows)


def _crime_ward_table(data: DashboardData) -> str:
    period = ward_rows(current_period(data, "year"))
    judged_year = criterion_rows(data)
    criterion = {r["ward_code"]: r for r in ward_rows(judged_year).to_dicts()}
    rows: list[tuple[Sequence[Cell], Tone]] = []
    for r in period.to_dicts():
        judged = criterion.get(r["ward_code"], {})
        failed = "; ".join(FAILED_CHECKS.get(c, c) for c in judged.get("failed_checks") or [])
        text, tone = judge(
            judged.get("passes"), "Đạt", f"Không đạt: {failed}", "Chưa đủ số liệu so sánh"
        )
        rows.append((_period_cells(r, str(r["ward_name"]), text), tone))
    label = year_label(province_row(judged_year))
    headers = [
        Cell("Xã, phường"),
        Cell("Số vụ", True),
        Cell("Cùng kỳ", True),
        Cell("So với cùng kỳ"),
        Cell("Tỷ lệ khám phá", True),
        Cell("Trên 100.000 dân", True),
        Cell(f"Tiêu chí 19.2 ({label})"),
    ]
    return table("crime-wards", headers, rows, filterable=True)


def crime(data: DashboardData, docs_href: str | None) -> str:
    year = province_row(current_period(data, "year"))
    body = (
        f"{status_bar(data, docs_href)}"
        f"<h2>{SOCIAL_ORDER} theo kỳ báo cáo (so với cùng kỳ)</h2>{_period_table(data)}"
        f'<div class="grid2">{_years_chart(data)}'
        f"{_crime_weekly(data, 'weekly-categories', only_social_order=False)}</div>"
        f"<h2>Theo nhóm vụ việc (CompStat)</h2>{_compstat_table(data)}"
        f"<h2>Theo xã, phường, {escape(year_label(year))}</h2>{_crime_ward_table(data)}"
    )
    return page(PAGES[1], heading=_heading(data), meta=meta(data), body=body, footer=FOOTER)


def _coverage_bars(rows: Sequence[Row]) -> tuple[list[str], list[float]]:
    """Age-band bars (and VNeID level 2) that give no count of persons from 1 to 4 away."""
    labels: list[str] = []
    values: list[float] = []
    for r in rows:
        if r["id_card_pct"] is not None and is_safe(r["with_id_card"], r["residents"]):
            labels.append(AGE_BANDS[r["age_band"]])
            values.append(float(r["id_card_pct"]))
    adults = next((r for r in rows if r["age_band"] == "14_plus"), None)
    if (
        adults
        and adults["vneid_level2_pct"] is not None
        and is_safe(adults["vneid_level2"], adults["residents"])
    ):
        labels.append("VNeID mức 2 (từ 14 tuổi)")
        values.append(float(adults["vneid_level2_pct"]))
    return labels, values


def _coverage_chart(data: DashboardData) -> str:
    options = []
    for name, rows in data.coverage.group_by("ward_code", "ward_name", maintain_order=True):
        labels, values = _coverage_bars(rows.to_dicts())
        if labels:
            options.append((str(name[1]), labels, values))
    figure = charts.selectable_bars(
        options,
        title="Thẻ căn cước theo độ tuổi, VNeID mức 2",
        subtitle="Chọn tỉnh hoặc một xã, phường; nhóm lộ số người dưới 5 không hiển thị",
    )
    return chart(figure, "coverage-bands")


def _coverage_ranking(data: DashboardData, size: int = 10) -> str:
    every = ward_rows(data.coverage.filter(pl.col("age_band") == "all")).to_dicts()
    shown = sorted(
        (
            r
            for r in every
            if r["id_card_pct"] is not None and is_safe(r["with_id_card"], r["residents"])
        ),
        key=lambda r: (r["id_card_pct"], r["ward_name"]),
    )[:size]
    if not shown:
        return '<p class="note">Các xã, phường đều có dưới 5 người chưa có thẻ căn cước.</p>'
    figure = charts.ranking(
        [r["ward_name"] for r in shown],
        [float(r["id_card_pct"]) for r in shown],
        [format_pct(r["id_card_pct"]) for r in shown],
        title="Tỷ lệ cấp thẻ căn cước thấp nhất",
        subtitle=f"{len(shown)} xã, phường, mọi độ tuổi, đến {format_date(data.as_of)}",
        axis="Tỷ lệ cấp thẻ căn cước (%)",
        higher_is_better=None,
    )
    return chart(figure, "coverage-ranking")


def _coverage_table(data: DashboardData) -> str:
    by_ward: dict[str, dict[str, Row]] = {}
    for r in ward_rows(data.coverage).to_dicts():
        by_ward.setdefault(str(r["ward_name"]), {})[str(r["age_band"])] = r
    rows: list[tuple[Sequence[Cell], Tone]] = []
    for name, bands in by_ward.items():
        every = bands["all"]
        cells = [Cell(name), Cell(format_count(every["residents"]), True)]
        for band in AGE_BANDS:
            b = bands[band]
            cells.append(Cell(safe_pct(b["with_id_card"], b["residents"], b["id_card_pct"]), True))
        adults = bands["14_plus"]
        cells.append(
            Cell(
                safe_pct(adults["vneid_level2"], adults["residents"], adults["vneid_level2_pct"]),
                True,
            )
        )
        rows.append((cells, "plain"))
    headers = [Cell("Xã, phường"), Cell("Dân số", True)]
    headers += [Cell(f"Thẻ căn cước: {label.lower()}", True) for label in AGE_BANDS.values()]
    headers.append(Cell("VNeID mức 2 (từ 14 tuổi)", True))
    return table("coverage-wards", headers, rows, filterable=True)


def project06(data: DashboardData, docs_href: str | None) -> str:
    body = (
        f"{status_bar(data, docs_href)}"
        f"<h2>Đề án 06 đến ngày {format_date(data.as_of)}</h2>"
        f"{card_grid([id_card_card(data), vneid_card(data)])}"
        f'<div class="grid2">{_coverage_chart(data)}{_coverage_ranking(data)}</div>'
        '<h2>Theo xã, phường</h2><p class="note">“—”: tỷ lệ không hiển thị vì sẽ lộ một nhóm '
        f"từ 1 đến 4 người.</p>{_coverage_table(data)}"
    )
    return page(PAGES[2], heading=_heading(data), meta=meta(data), body=body, footer=FOOTER)


def _operations_table(data: DashboardData) -> str:
    cameras = {r["ward_code"]: r for r in data.cameras.to_dicts()}
    rows: list[tuple[Sequence[Cell], Tone]] = []
    for r in ward_rows(data.lodging).to_dicts():
        cam = cameras[r["ward_code"]]
        rows.append(
            (
                [
                    Cell(str(r["ward_name"])),
                    Cell(format_int(cam["cameras"]), True),
                    Cell(format_int(cam["connected_cameras"]), True),
                    Cell(format_int(r["facilities"]), True),
                    Cell(format_int(r["on_platform"]), True),
                    Cell(format_count(r["checkins"]), True),
                    Cell(safe_pct(r["chip_reads"], r["checkins"], r["chip_read_pct"]), True),
                    Cell(
                        safe_pct(
                            r["late_notifications"], r["checkins"], r["late_notification_pct"]
                        ),
                        True,
                    ),
                ],
                "plain",
            )
        )
    headers = [
        Cell("Xã, phường"),
        Cell("Camera", True),
        Cell("Đang kết nối", True),
        Cell("Cơ sở lưu trú", True),
        Cell("Trên nền tảng", True),
        Cell("Lượt lưu trú từ đầu năm", True),
        Cell("Đọc chip", True),
        Cell("Trễ hạn", True),
    ]
    return table("operations-wards", headers, rows, filterable=True)


def _alerts_chart(data: DashboardData) -> str:
    figure = charts.stacked_months(
        data.alert_months,
        title="Cảnh báo danh sách theo dõi theo tháng",
        subtitle=f"12 tháng đến {format_date(data.as_of)}; tháng có 1–4 cảnh báo không hiển thị",
        unit="cảnh báo",
        labels=ALERT_KINDS,
    )
    if figure is None:
        return '<p class="note">Chưa có cảnh báo trong 12 tháng qua.</p>'
    return chart(figure, "alerts-months")


def operations(data: DashboardData, docs_href: str | None) -> str:
    checkins = charts.weekly_trend(
        data.weekly_checkins,
        title="Lượt lưu trú theo tuần",
        subtitle=f"52 tuần đến {format_date(data.as_of)} (tuần cuối chưa trọn), so với cùng kỳ"
        " năm trước",
        unit="lượt",
        persons=True,
    )
    body = (
        f"{status_bar(data, docs_href)}"
        f"<h2>Camera an ninh và lưu trú đến ngày {format_date(data.as_of)}</h2>"
        f"{card_grid([camera_card(data), lodging_card(data)])}"
        f'<div class="grid2">{chart(checkins, "weekly-checkins")}{_alerts_chart(data)}</div>'
        f"<h2>Theo xã, phường</h2>{_operations_table(data)}"
    )
    return page(PAGES[3], heading=_heading(data), meta=meta(data), body=body, footer=FOOTER)


def _petition_years(data: DashboardData) -> list[Row]:
    """The province's row of each reporting year, oldest first."""
    return data.petitions.filter(pl.col("ward_code").is_null()).sort("year").to_dicts()


def _petition_label(row: Row) -> str:
    return _reporting_year(row["year"], row["is_complete_year"], row["data_through"])


def _petition_counts_chart(years: Sequence[Row]) -> str:
    """Received and resolved a year across the province: drawn even when every ward's figures are
    "<5", since a province total from 1 to 4 is itself left out."""
    figure = charts.grouped_bars(
        [_petition_label(r) for r in years],
        [
            ("Tiếp nhận", [r["received"] for r in years]),
            ("Đã giải quyết", [r["resolved"] for r in years]),
        ],
        title="Đơn thư, kiến nghị toàn tỉnh theo năm báo cáo",
        subtitle="Từ 15/12 năm trước đến 14/12; số đơn từ 1 đến 4 không hiển thị",
        unit="đơn",
        persons=True,
        colours=(PALETTE["primary"], PALETTE["good"]),
    )
    received = any(r["received"] for r in years)
    return chart(
        figure,
        "petition-counts",
        empty="Đơn thư, kiến nghị toàn tỉnh: mỗi năm có từ 1 đến 4 đơn, không công bố số đơn."
        if received
        else "Đơn thư, kiến nghị toàn tỉnh: chưa tiếp nhận đơn.",
    )


def _petition_rate_chart(years: Sequence[Row]) -> str:
    """The share resolved, only in the years where no count from 1 to 4 can be read back."""
    shown = [
        r for r in years if r["resolved_pct"] is not None and is_safe(r["resolved"], r["received"])
    ]
    figure = charts.pct_bars(
        [_petition_label(r) for r in shown],
        [float(r["resolved_pct"]) for r in shown],
        title="Tỷ lệ đơn thư, kiến nghị đã giải quyết theo năm",
        subtitle=f"Mục tiêu: giải quyết ít nhất {PETITION_TARGET_PCT}% số đơn tiếp nhận trong năm",
        target=PETITION_TARGET_PCT,
    )
    return chart(
        figure,
        "petition-years",
        empty="Tỷ lệ giải quyết đơn toàn tỉnh: chưa năm nào đủ đơn để công bố tỷ lệ mà không lộ "
        "một nhóm từ 1 đến 4 đơn.",
    )


def _petition_table(data: DashboardData) -> str:
    year = petition_year(data).get("year")
    rows: list[tuple[Sequence[Cell], Tone]] = []
    for r in ward_rows(data.petitions.filter(pl.col("year").eq_missing(year))).to_dicts():
        verdict, tone = petition_verdict(r)
        rows.append(
            (
                [
                    Cell(str(r["ward_name"])),
                    Cell(format_count(r["received"]), True),
                    Cell(format_count(r["resolved"]), True),
                    Cell(format_count(r["in_progress"]), True),
                    Cell(safe_pct(r["resolved"], r["received"], r["resolved_pct"]), True),
                    Cell(verdict, verdict=True),
                ],
                tone,
            )
        )
    headers = [
        Cell("Xã, phường"),
        Cell("Tiếp nhận", True),
        Cell("Đã giải quyết", True),
        Cell("Đang giải quyết", True),
        Cell("Tỷ lệ giải quyết", True),
        Cell(f"Mục tiêu {PETITION_TARGET_PCT}%"),
    ]
    return table("petition-wards", headers, rows, filterable=True)


def petitions(data: DashboardData, docs_href: str | None) -> str:
    label = year_label(petition_year(data))
    years = _petition_years(data)
    body = (
        f"{status_bar(data, docs_href)}"
        f"<h2>Giải quyết đơn thư, kiến nghị</h2>{card_grid([petition_card(data)])}"
        f'<div class="grid2">{_petition_counts_chart(years)}{_petition_rate_chart(years)}</div>'
        f"<h2>Theo xã, phường, {escape(label)}</h2>"
        '<p class="note">Số đơn từ 1 đến 4 hiển thị là “&lt;5”.</p>'
        f"{_petition_table(data)}"
    )
    return page(PAGES[4], heading=_heading(data), meta=meta(data), body=body, footer=FOOTER)


def _heading(data: DashboardData) -> str:
    return f"Công an {data.province_name}"


_BUILDERS: Final[dict[str, Callable[[DashboardData, str | None], str]]] = {
    "index.html": overview,
    "crime.html": crime,
    "project06.html": project06,
    "operations.html": operations,
    "petitions.html": petitions,
}


def build_pages(data: DashboardData, docs_href: str | None = None) -> dict[str, str]:
    """Every page's HTML by file name; ``docs_href`` links the data-quality report when given."""
    assert [p.file for p in PAGES] == list(_BUILDERS)
    return {file: build(data, docs_href) for file, build in _BUILDERS.items()}
