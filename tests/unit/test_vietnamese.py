"""Figures as Vietnamese reports write them: dot thousands, decimal comma, real minus, "<5"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from warehouse.vietnamese import (
    format_change,
    format_count,
    format_date,
    format_decimal,
    format_int,
    format_pct,
    is_suppressed,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (999, "999"), (2704, "2.704"), (3_200_000, "3.200.000"), (-47062, "−47.062"),
     (None, "—")],
)  # fmt: skip
def test_format_int(value: int | None, text: str) -> None:
    assert format_int(value) == text


def test_format_pct_rounds_half_away_from_zero_with_a_decimal_comma() -> None:
    assert format_pct(81.8) == "81,80%"
    assert format_pct(Decimal("96.065")) == "96,07%"
    assert format_pct(Decimal("-5.425"), signed=True) == "−5,43%"
    assert format_pct(3.1, signed=True) == "+3,10%"
    assert format_pct(0, signed=True) == "0,00%"
    assert format_pct(1234.5) == "1.234,50%"
    assert format_pct(None) == "—"


def test_format_change_says_so_voi_cung_ky_as_reports_do() -> None:
    # The Ministry's 2020 wording: "giảm 2.704 vụ (−5,43%)" (49,766 → 47,062).
    assert format_change(47_062, 49_766) == "giảm 2.704 vụ (−5,43%)"
    assert format_change(52, 50) == "tăng 2 vụ (+4,00%)"
    assert format_change(7, 7) == "bằng cùng kỳ"
    assert format_change(3, 0) == "tăng 3 vụ"
    assert format_change(3, None) == "chưa có số liệu cùng kỳ"


def test_small_counts_of_persons_are_suppressed() -> None:
    assert [is_suppressed(n) for n in (0, 1, 4, 5)] == [False, True, True, False]
    assert [format_count(n) for n in (0, 1, 4, 5, 1200)] == ["0", "<5", "<5", "5", "1.200"]
    assert format_count(3, persons=False) == "3"


def test_dates_read_day_month_year() -> None:
    assert format_date(dt.date(2025, 12, 14)) == "14/12/2025"
    assert format_date(None) == "—"


def test_format_decimal_is_a_rate_without_a_percent_sign() -> None:
    assert [format_decimal(Decimal("20258.45")), format_decimal(45.1), format_decimal(None)] == [
        "20.258,45",
        "45,10",
        "—",
    ]
