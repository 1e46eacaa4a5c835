"""The dashboard page builders, without a browser: figures, Vietnamese formats, privacy, links."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
import pytest
from plotly.offline import get_plotlyjs

from antt.settings import Settings
from pipelines.cli import main
from pipelines.dashboards import charts
from pipelines.dashboards.cards import dq_status, petition_card
from pipelines.dashboards.cli import export_for_demo
from pipelines.dashboards.data import DashboardData
from pipelines.dashboards.export import export_dashboards
from pipelines.dashboards.html import PAGES, chart
from pipelines.dashboards.pages import build_pages
from pipelines.dashboards.pdf import print_pdf
from pipelines.dashboards.readers import safe_pct

AS_OF = dt.date(2026, 11, 23)
WARDS = pl.DataFrame({"ward_code": ["00001", "00002"], "ward_name": ["Phường Một", "Xã Hai"]})
PROVINCE = "Tỉnh Thử"


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows for the province (ward_code None) and the two wards, with their names."""
    names = {None: PROVINCE, "00001": "Phường Một", "00002": "Xã Hai"}
    return pl.DataFrame([{**r, "ward_name": names[r["ward_code"]]} for r in rows])


def _crime_periods() -> pl.DataFrame:
    rows = []
    for year, complete, crimes, prior in ((2025, True, 2626, 2700), (2026, False, 2387, 2626)):
        for ward, share in ((None, 1), ("00001", 0.5), ("00002", 0.5)):
            rows.append(
                {
                    "ward_code": ward,
                    "period_kind": "year",
                    "period_year": year,
                    "period_start": dt.date(year - 1, 12, 15),
                    "period_label": f"năm {year} (từ 15/12/{year - 1} đến 14/12/{year})",
                    "data_through": min(dt.date(year, 12, 14), AS_OF),
                    "is_complete": complete,
                    "crimes": int(crimes * share) + (ward == "00002"),
                    "prior_crimes": int(prior * share),
                    "clearance_pct": Decimal("83.40"),
                    "crimes_per_100k": Decimal("45.10"),
                    "meets_target": (crimes * 100 <= prior * 95) if complete else None,
                }
            )
    return _frame(rows)


def _coverage() -> pl.DataFrame:
    rows = []
    # Xã Hai has 3 residents: every count of it is a count of 1 to 4 persons.
    for ward, residents, cards in ((None, 2103, 1890), ("00001", 2100, 1887), ("00002", 3, 3)):
        for band, share in (("under_6", 0.1), ("6_to_13", 0.2), ("14_plus", 0.7), ("all", 1)):
            n, k = round(residents * share), round(cards * share)
            rows.append(
                {
                    "ward_code": ward,
                    "age_band": band,
                    "residents": n,
                    "with_id_card": k,
                    "id_card_pct": Decimal(k * 100) / n if n else None,
                    "vneid_level2": k // 2,
                    "vneid_level2_pct": Decimal(50) if band in ("14_plus", "all") else None,
                }
            )
    return _frame(rows)


def _weekly(groups: list[str], current: int) -> pl.DataFrame:
    weeks = [AS_OF - dt.timedelta(days=7 * i) for i in range(4, 0, -1)]
    return pl.DataFrame(
        {
            "group": [g for g in groups for _ in weeks],
            "week_start": weeks * len(groups),
            "current": [current] * len(weeks) * len(groups),
            "prior_year": [current + 1] * len(weeks) * len(groups),
        }
    )


def make_data(dq: pl.DataFrame | None = None) -> DashboardData:
    labels = {
        "social_order_crime": "Tội phạm về trật tự xã hội",
        "drug_crime": "Tội phạm về ma túy",
    }
    return DashboardData(
        province_name=PROVINCE,
        as_of=AS_OF,
        generated_at=dt.datetime(2026, 11, 23, 8, 5),
        wards=WARDS,
        crime_periods=_crime_periods(),
        criterion=_frame(
            [
                {
                    "ward_code": None,
                    "year": 2026,
                    "passes": None,
                    "failed_checks": None,
                    "wards": 2,
                    "wards_passed": 1,
                    "wards_passed_pct": Decimal("50.00"),
                    "period_label": "năm 2026",
                },
                {
                    "ward_code": "00001",
                    "year": 2026,
                    "passes": True,
                    "failed_checks": [],
                    "wards": None,
                    "wards_passed": None,
                    "wards_passed_pct": None,
                    "period_label": "năm 2026",
                },
                {
                    "ward_code": "00002",
                    "year": 2026,
                    "passes": False,
                    "failed_checks": ["mass_petition"],
                    "wards": None,
                    "wards_passed": None,
                    "wards_passed_pct": None,
                    "period_label": "năm 2026",
                },
            ]
        ),
        coverage=_coverage(),
        cameras=_frame(
            [
                {
                    "ward_code": w,
                    "cameras": c,
                    "connected_cameras": k,
                    "wards": n,
                    "wards_with_connected_camera": m,
                    "connected_ward_pct": Decimal(p),
                }
                for w, c, k, n, m, p in (
                    (None, 7, 4, 2, 1, 50),
                    ("00001", 5, 4, 1, 1, 100),
                    ("00002", 2, 0, 1, 0, 0),
                )
            ]
        ),
        lodging=_frame(
            [
                {
                    "ward_code": w,
                    "facilities": 4,
                    "on_platform": 3,
                    "on_platform_pct": Decimal(75),
                    "checkins": n,
                    "chip_reads": n // 2,
                    "chip_read_pct": Decimal(50),
                    "late_notifications": 0,
                    "late_notification_pct": Decimal(0),
                }
                for w, n in ((None, 1002), ("00001", 1000), ("00002", 2))
            ]
        ),
        petitions=_frame(
            [
                {
                    "ward_code": w,
                    "year": 2026,
                    "received": r,
                    "resolved": s,
                    "resolved_pct": Decimal(s * 100) / r,
                    "meets_target": None,
                    "in_progress": r - s,
                    "is_complete_year": False,
                    "data_through": AS_OF,
                    "period_label": "năm 2026",
                }
                for w, r, s in ((None, 103, 82), ("00001", 100, 80), ("00002", 3, 2))
            ]
        ),
        compstat=pl.DataFrame(
            {
                "ward_code": [None] * 6,
                "category": ["social_order_crime"] * 3 + ["drug_crime"] * 3,
                "period": ["wtd", "d28", "ytd"] * 2,
                "current": [12, 50, 2387, 1, 4, 90],
                "prior_year": [10, 55, 2626, 0, 4, 100],
            },
            schema_overrides={"ward_code": pl.String},
        ),
        category_labels=labels,
        weekly_incidents=_weekly(list(labels.values()), 40),
        weekly_checkins=_weekly(["all"], 3),
        alert_months=pl.DataFrame(
            {
                "kind": ["plate_hit"] * 2,
                "month_start": [dt.date(2026, 10, 1), AS_OF],
                "count": [3, 9],
            }
        ),
        dq=dq,
    )


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return build_pages(make_data())


def _cells(html: str, table_id: str) -> list[list[str]]:
    body = html.split(f'<table id="{table_id}">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>", 1)[1])
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in rows]


def test_every_page_is_built_with_the_shared_nav_and_only_files_of_the_folder(
    pages: dict[str, str],
) -> None:
    assert list(pages) == [p.file for p in PAGES]
    for html in pages.values():
        assert html.count('<a href="') == len(PAGES)
        assert all(f'href="{p.file}"' in html for p in PAGES)
        assert '<script src="assets/plotly.min.js"></script>' in html
        assert '<link rel="stylesheet" href="assets/dashboard.css">' in html
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
        assert "Số liệu đến hết ngày 23/11/2026 · Xuất lúc 23/11/2026 08:05" in html


def test_the_crime_card_compares_the_year_to_date_with_the_same_dates_and_the_target(
    pages: dict[str, str],
) -> None:
    html = pages["index.html"]
    assert "2.387 vụ" in html
    assert "giảm 239 vụ (−9,10%) so với cùng kỳ" in html
    assert "tỷ lệ khám phá 83,40%" in html
    assert "Đang đạt mục tiêu giảm ít nhất 5% (tạm tính)" in html  # the year has not ended
    assert "năm 2026 (từ 15/12/2025 đến 14/12/2026)" in html


def test_the_overview_carries_every_headline(pages: dict[str, str]) -> None:
    html = pages["index.html"]
    for text in (
        "1/2</div>",  # wards passing 19.2
        "50,00% số xã, phường đạt",
        "Chưa đạt mục tiêu trên 80% số xã, phường",
        "Dưới 6 tuổi: 90,00%",  # 189 of 210, by age band
        "50,00%</div>",  # VNeID level 2 of residents aged 14 and over
        "4/7 camera đang kết nối",
        "3/4</div>",  # facilities on the platform, province row sums the wards'
        "79,61%",  # petitions: 82 of 103
        "Chưa đạt mục tiêu 80% (tạm tính)",
        "Chất lượng dữ liệu: chưa kiểm tra",
    ):
        assert text in html, text


def test_a_ward_of_3_persons_shows_less_than_5_and_no_percentage(pages: dict[str, str]) -> None:
    rows = {r[0]: r for r in _cells(pages["project06.html"], "coverage-wards")}
    assert rows["Xã Hai"][1:] == ["&lt;5", "—", "—", "—", "—", "—"]
    assert rows["Phường Một"][1] == "2.100"
    petitions = {r[0]: r for r in _cells(pages["petitions.html"], "petition-wards")}
    assert petitions["Xã Hai"][1:] == [
        "&lt;5",
        "&lt;5",
        "&lt;5",
        "—",
        "Quá ít đơn để công bố tỷ lệ",
    ]
    assert petitions["Phường Một"][1:] == [
        "100", "80", "20", "80,00%", "Đang đạt mục tiêu 80% (tạm tính)",
    ]  # fmt: skip
    lodging = {r[0]: r for r in _cells(pages["operations.html"], "operations-wards")}
    assert lodging["Xã Hai"][5:] == ["&lt;5", "—", "—"]


def test_the_project06_ward_dropdown_leaves_out_groups_that_give_a_small_count_away(
    pages: dict[str, str],
) -> None:
    html = pages["project06.html"]
    assert '"label":"Tỉnh Thử"' in html and '"label":"Phường Một"' in html
    assert '"label":"Xã Hai"' not in html  # every band of it is a group of 1 to 4 persons


def test_criterion_19_2_names_the_failed_checks_per_ward(pages: dict[str, str]) -> None:
    rows = {r[0]: r for r in _cells(pages["crime.html"], "crime-wards")}
    assert rows["Xã Hai"][-1] == "Không đạt: khiếu kiện đông người"
    assert rows["Phường Một"][-1] == "Đạt"


def test_compstat_table_reads_so_voi_cung_ky(pages: dict[str, str]) -> None:
    rows = {r[0]: r for r in _cells(pages["crime.html"], "compstat")}
    assert rows["Tội phạm về trật tự xã hội"][1:] == [
        "12", "tăng 2 vụ (+20,00%)", "50", "giảm 5 vụ (−9,09%)", "2.387", "giảm 239 vụ (−9,10%)",
    ]  # fmt: skip
    assert rows["Tội phạm về ma túy"][2] == "tăng 1 vụ"


@pytest.mark.parametrize(
    ("numerator", "denominator", "pct", "shown"),
    [
        (10, 20, 50, "50,00%"),
        (3, 20, 15, "—"),  # 3 persons
        (18, 20, 90, "—"),  # 2 persons without
        (3, 3, 100, "—"),  # a group of 3
        (0, 20, 0, "0,00%"),
        (20, 20, 100, "100,00%"),
    ],
)
def test_safe_pct_hides_percentages_that_give_a_count_of_1_to_4_away(
    numerator: int, denominator: int, pct: float, shown: str
) -> None:
    assert safe_pct(numerator, denominator, pct) == shown


def test_data_quality_status_reads_the_latest_run() -> None:
    assert dq_status(None, None) == ("Chất lượng dữ liệu: chưa kiểm tra", "neutral")
    run_at = dt.datetime(2026, 11, 23, 1, 5, tzinfo=dt.UTC)
    results = pl.DataFrame(
        {
            "suite": ["stg_alerts", "fct_incidents", "ind_crime_periods"],
            "check_name": ["keys unique", "ward known", "pct within 0-100"],
            "severity": ["critical", "critical", "warning"],
            "success": [True, False, True],
            "run_at": [run_at] * 3,
        }
    )
    text, tone = dq_status(results, "chat-luong-du-lieu/index.html")
    assert tone == "bad"
    assert text.startswith(
        "Chất lượng dữ liệu: 1/3 kiểm tra không đạt (lúc 23/11/2026 08:05): "
        "fct_incidents: ward known"
    )
    assert '<a href="chat-luong-du-lieu/index.html">' in text
    passed = results.with_columns(pl.lit(True).alias("success"))
    assert dq_status(passed, None) == (
        "Chất lượng dữ liệu: đạt 3/3 kiểm tra (lúc 23/11/2026 08:05)",
        "good",
    )


def test_weekly_trend_pairs_this_year_with_last_year_and_a_dropdown_per_group() -> None:
    figure = charts.weekly_trend(
        _weekly(["A", "B", "C"], 40), title="t", subtitle="s", unit="vụ", first="B"
    )
    assert [t.name for t in figure.data] == ["Năm nay", "Cùng kỳ năm trước"] * 3
    assert [t.visible for t in figure.data] == [True, True] + [False] * 4
    menu = figure.layout.updatemenus[0]
    assert [b.label for b in menu.buttons] == ["B", "A", "C"]
    assert menu.buttons[2].args[0]["visible"] == [False] * 4 + [True] * 2
    assert figure.layout.separators == ",."


def test_a_group_of_small_counts_has_a_tick_every_1_and_a_larger_one_plotly_s_own() -> None:
    small, large = _weekly(["small"], 2), _weekly(["large"], 40)
    figure = charts.weekly_trend(
        pl.concat([small, large]), title="t", subtitle="s", unit="vụ", first="small"
    )
    assert figure.layout.yaxis.dtick == 1  # counts up to 3: no 0.5 steps
    menu = figure.layout.updatemenus[0]
    assert [b.args[1] for b in menu.buttons] == [{"yaxis.dtick": 1}, {"yaxis.dtick": None}]


def test_person_charts_drop_values_from_1_to_4() -> None:
    figure = charts.weekly_trend(
        _weekly(["all"], 3), title="t", subtitle="s", unit="lượt", persons=True
    )
    assert list(figure.data[0].y) == [None] * 4
    assert list(figure.data[1].y) == [None] * 4  # 4 a year earlier
    assert "updatemenus" not in figure.layout or not figure.layout.updatemenus


def test_a_chart_without_any_value_becomes_a_note() -> None:
    empty = go.Figure(go.Scatter(x=[1, 2], y=[None, None]))
    empty.update_layout(title_text="Lượt lưu trú")
    html = chart(empty, "x")
    assert "chưa có số liệu" in html and "Plotly.newPlot" not in html
    assert "Plotly.newPlot" in chart(go.Figure(go.Bar(x=["a"], y=[0])), "y")


def test_alert_months_leave_out_months_of_1_to_4(pages: dict[str, str]) -> None:
    figure = charts.stacked_months(
        make_data().alert_months, title="t", unit="cảnh báo", labels={"plate_hit": "Xe"}
    )
    assert figure is not None
    assert list(figure.data[0].y) == [None, 9]
    assert figure.data[0].name == "Xe"


def test_export_on_an_empty_warehouse_writes_every_page_and_plotly_inside(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "antt")
    result = export_dashboards(settings, tmp_path / "out", as_of=AS_OF)
    assert [p.name for p in result.pages] == [p.file for p in PAGES]
    shipped = (tmp_path / "out" / "assets" / "plotly.min.js").read_text(encoding="utf-8")
    assert shipped == get_plotlyjs()
    assert (tmp_path / "out" / "assets" / "dashboard.css").stat().st_size > 1000
    overview = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "0 vụ" in overview and "Chất lượng dữ liệu: chưa kiểm tra" in overview
    assert result.pdf is None


def test_export_copies_and_links_the_data_quality_report(tmp_path: Path) -> None:
    docs = tmp_path / "dq" / "site"
    docs.mkdir(parents=True)
    (docs / "index.html").write_text("<html>dq</html>", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "antt")
    export_dashboards(settings, tmp_path / "out", as_of=AS_OF, dq_docs=tmp_path / "dq")
    assert (tmp_path / "out" / "chat-luong-du-lieu" / "site" / "index.html").exists()
    assert 'href="chat-luong-du-lieu/site/index.html"' in (
        tmp_path / "out" / "index.html"
    ).read_text(encoding="utf-8")


def test_pdf_without_chromium_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"^cannot write the PDF: /nowhere/chromium is missing"):
        print_pdf(tmp_path / "index.html", tmp_path / "x.pdf", browser=Path("/nowhere/chromium"))


def test_the_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["dashboards", "export", "--help"])
    assert exit_.value.code == 0
    assert "--as-of" in capsys.readouterr().out


def test_the_demo_step_links_the_data_quality_report_and_prints_the_pdf(tmp_path: Path) -> None:
    (tmp_path / "dq-docs").mkdir()
    (tmp_path / "dq-docs" / "index.html").write_text("<html>dq</html>", encoding="utf-8")
    line = export_for_demo(Settings(data_dir=tmp_path))
    folder = tmp_path / "dashboards"
    assert line == (
        f"dashboards: {(folder / 'index.html').as_uri()}, PDF briefing: {folder / 'tong-quan.pdf'}"
    )
    assert (folder / "tong-quan.pdf").read_bytes().startswith(b"%PDF")
    assert 'href="chat-luong-du-lieu/index.html"' in (folder / "index.html").read_text("utf-8")


def test_a_province_with_4_petitions_shows_neither_the_count_nor_the_rate() -> None:
    few = _frame(
        [
            {"ward_code": None, "year": 2026, "received": 4, "resolved": 1,
             "resolved_pct": Decimal(25), "meets_target": None, "in_progress": 3,
             "period_label": "năm 2026"},
        ]
    )  # fmt: skip
    card = petition_card(dataclasses.replace(make_data(), petitions=few))
    assert (card.value, card.detail) == ("—", "<5/<5 đơn; đang giải quyết <5")
    assert card.verdict == "Quá ít đơn để công bố tỷ lệ"


def _petition_years(*years: tuple[int, int, int]) -> pl.DataFrame:
    """Province rows (year, received, resolved) and a ward of 3 in each year; 2026 unfinished."""
    return _frame(
        [
            {
                "ward_code": w,
                "year": year,
                "received": r,
                "resolved": s,
                "resolved_pct": Decimal(s * 100) / r if r else None,
                "meets_target": None,
                "in_progress": r - s,
                "is_complete_year": year < 2026,
                "data_through": min(dt.date(year, 12, 14), AS_OF),
                "period_label": f"năm {year}",
            }
            for year, received, resolved in years
            for w, r, s in ((None, received, resolved), ("00002", 3, 2))
        ]
    )


def _figure_data(html: str, div_id: str) -> list[dict[str, Any]]:
    """The traces of one chart of a page, as plotly.js receives them."""
    start = re.search(rf'Plotly\.newPlot\(\s*"{div_id}",\s*', html)
    assert start, f"no chart {div_id}"
    data: list[dict[str, Any]] = json.JSONDecoder().raw_decode(html, start.end())[0]
    return data


def test_a_small_province_still_charts_its_petitions_per_year_without_counts_of_1_to_4() -> None:
    # About 15 petitions a year: every ward is "<5", and 1 to 4 left unresolved hides the rate.
    small = _petition_years((2024, 15, 12), (2025, 16, 6), (2026, 13, 4))
    html = build_pages(dataclasses.replace(make_data(), petitions=small))["petitions.html"]
    traces = _figure_data(html, "petition-counts")
    assert [(t["name"], t["x"], t["y"]) for t in traces] == [
        ("Tiếp nhận", ["2024", "2025", "2026 (đến 23/11/2026)"], [15, 16, 13]),
        ("Đã giải quyết", ["2024", "2025", "2026 (đến 23/11/2026)"], [12, 6, None]),
    ]
    assert traces[1]["text"] == ["12", "6", ""]
    # Only 2025 (6 of 16 resolved, 10 not) has a rate that gives no count of 1 to 4 away.
    rate = _figure_data(html, "petition-years")
    assert (rate[0]["x"], rate[0]["text"]) == (["2025"], ["37,50%"])


def test_a_province_with_1_to_4_petitions_a_year_gets_notes_instead_of_charts() -> None:
    few = _petition_years((2025, 4, 1), (2026, 3, 3))
    html = build_pages(dataclasses.replace(make_data(), petitions=few))["petitions.html"]
    assert "Plotly.newPlot" not in html
    assert "Đơn thư, kiến nghị toàn tỉnh: mỗi năm có từ 1 đến 4 đơn, không công bố số đơn." in html
    assert (
        "Tỷ lệ giải quyết đơn toàn tỉnh: chưa năm nào đủ đơn để công bố tỷ lệ mà không lộ một "
        "nhóm từ 1 đến 4 đơn." in html
    )
    html = build_pages(dataclasses.replace(make_data(), petitions=few.clear()))["petitions.html"]
    assert "Đơn thư, kiến nghị toàn tỉnh: chưa tiếp nhận đơn." in html


def test_grouped_bars_of_persons_leave_out_1_to_4_and_draw_no_empty_series() -> None:
    figure = charts.grouped_bars(
        ["a", "b"],
        [("X", [5, 4]), ("Y", [1, 2]), ("Z", [None, 0])],
        title="t",
        unit="đơn",
        persons=True,
        colours=("#111111", "#222222", "#333333"),
    )
    assert [(t.name, list(t.y)) for t in figure.data] == [("X", [5, None]), ("Z", [None, 0])]
    counted = charts.grouped_bars(["a"], [("X", [4])], title="t", unit="vụ")
    assert list(counted.data[0].y) == [4]
