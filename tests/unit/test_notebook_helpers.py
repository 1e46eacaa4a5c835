"""The notebooks' helpers: Vietnamese tables, ward names, the session and the summary output."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from warehouse.notebook import (
    AGE_BAND_LABELS,
    CHECK_LABELS,
    SUMMARY_MIME,
    Column,
    NotebookSession,
    emit_summary,
    jsonable,
    open_session,
    show,
    to_html,
    vietnamese_table,
)

ROWS = pl.DataFrame(
    {
        "ward_code": [None, "31120", "31135"],
        "crimes": [2387, 3, 0],
        "prior_crimes": [2626, 1, None],
        "persons": [10_060, 4, 0],
        "pct": [Decimal("81.80"), Decimal("-9.02"), None],
        "rate": [Decimal("45.10"), Decimal("20258.45"), None],
        "day": [dt.date(2025, 12, 14), None, dt.date(2026, 1, 5)],
        "passes": [True, False, None],
        "checks": [[], ["mass_petition", "social_evil_increase"], None],
        "band": ["14_plus", "under_6", "somewhere_else"],
    }
)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[NotebookSession]:
    opened = open_session(tmp_path, as_of="2025-12-14", province_code=92)
    yield opened
    opened.con.close()


def test_each_column_kind_is_written_for_vietnamese_readers() -> None:
    table = vietnamese_table(
        ROWS,
        [
            Column("crimes", "Số vụ", "int"),
            Column("crimes", "So với cùng kỳ", "change", reference="prior_crimes"),
            Column("persons", "Nhân khẩu", "count"),
            Column("pct", "Tỷ lệ", "pct"),
            Column("pct", "Thay đổi", "signed_pct"),
            Column("rate", "Trên 100.000 dân", "decimal"),
            Column("day", "Ngày", "date"),
            Column("passes", "Đạt", "verdict"),
            Column("passes", "Có", "yes_no"),
            Column("checks", "Lý do", labels=CHECK_LABELS),
            Column("band", "Nhóm tuổi", labels=AGE_BAND_LABELS),
        ],
    )
    assert table.columns[:3] == ["Số vụ", "So với cùng kỳ", "Nhân khẩu"]
    assert table.rows() == [
        (
            "2.387",
            "giảm 239 vụ (−9,10%)",
            "10.060",
            "81,80%",
            "+81,80%",
            "45,10",
            "14/12/2025",
            "Đạt",
            "Có",
            "—",
            "Từ 14 tuổi trở lên",
        ),
        (
            "3",
            "tăng 2 vụ (+200,00%)",
            "<5",
            "−9,02%",
            "−9,02%",
            "20.258,45",
            "—",
            "Không đạt",
            "Không",
            "có khiếu kiện đông người; tệ nạn xã hội tăng",
            "Dưới 6 tuổi",
        ),
        (
            "0",
            "chưa có số liệu cùng kỳ",
            "0",
            "—",
            "—",
            "—",
            "05/01/2026",
            "Chưa đánh giá",
            "—",
            "—",
            "somewhere_else",
        ),
    ]


def test_a_change_column_without_a_reference_is_refused() -> None:
    with pytest.raises(ValueError, match="'So với cùng kỳ' needs a reference"):
        vietnamese_table(ROWS, [Column("crimes", "So với cùng kỳ", "change")])


def test_an_empty_frame_keeps_its_headers() -> None:
    table = vietnamese_table(ROWS.clear(), [Column("crimes", "Số vụ", "int")])
    assert (table.columns, table.height) == (["Số vụ"], 0)


def test_html_tables_escape_what_they_show() -> None:
    frame = pl.DataFrame({"Xã <b>": ["A & B"]})
    assert to_html(frame) == (
        "<table><thead><tr><th>Xã &lt;b&gt;</th></tr></thead>"
        "<tbody><tr><td>A &amp; B</td></tr></tbody></table>"
    )


def test_jsonable_keeps_decimals_and_dates_exact() -> None:
    value = {"pct": Decimal("-9.02"), "day": dt.date(2025, 12, 14), 7: [Decimal("0.10"), None]}
    assert jsonable(value) == {"pct": "-9.02", "day": "2025-12-14", "7": ["0.10", None]}


def test_summary_and_tables_are_display_outputs() -> None:
    InteractiveShell.instance()
    with capture_output() as captured:
        emit_summary("crime", {"crimes": 3, "pct": Decimal("81.80")})
        show(ROWS.head(1), [Column("crimes", "Số vụ", "int")])
    summary, table = captured.outputs
    assert summary.data[SUMMARY_MIME] == {"notebook": "crime", "crimes": 3, "pct": "81.80"}
    assert '"pct": "81.80"' in summary.data["text/plain"]
    assert table.data["text/html"] == (
        "<table><thead><tr><th>Số vụ</th></tr></thead>"
        "<tbody><tr><td>2.387</td></tr></tbody></table>"
    )


def test_a_session_sets_the_day_and_province_of_its_connection(session: NotebookSession) -> None:
    assert session.as_of == dt.date(2025, 12, 14)
    assert (session.province_code, session.province_name) == (92, "Thành phố Cần Thơ")
    assert session.con.sql(
        "SELECT getvariable('as_of'), getvariable('province_code')"
    ).fetchall() == [(dt.date(2025, 12, 14), 92)]
    assert session.wards.columns == ["ward_code", "ward_name"]
    assert session.wards.height == 103
    assert session.wards["ward_name"].to_list() == sorted(session.wards["ward_name"].to_list())


def test_named_puts_ward_names_first_and_the_province_on_the_total_row(
    session: NotebookSession,
) -> None:
    named = session.named(ROWS.select("ward_code", "crimes"))
    assert named.columns == ["ward_name", "ward_code", "crimes"]
    assert named.rows() == [
        ("Thành phố Cần Thơ", None, 2387),
        ("Phường Cái Khế", "31120", 3),
        ("Phường Ninh Kiều", "31135", 0),
    ]


def test_a_missing_landing_zone_is_one_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match=r"no landing zone at .*nowhere: run `make demo`"):
        open_session(missing)
    assert not missing.exists()


def test_bad_parameters_are_refused(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError, match="as_of must be a date written YYYY-MM-DD, not '14/12/2025'"
    ):
        open_session(tmp_path, as_of="14/12/2025")
    with pytest.raises(TypeError, match="calendar date, not a datetime"):
        open_session(tmp_path, as_of=dt.datetime(2025, 12, 14, 8))
    with pytest.raises(ValueError, match="province code 999 has no wards"):
        open_session(tmp_path, province_code=999)
