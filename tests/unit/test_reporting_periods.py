"""Reporting periods as the Ministry of Public Security reports them, on hand-computed fixtures.

A reporting month runs from the 15th of the month before to the 14th, a reporting year from 15
December to 14 December, by local date (Asia/Ho_Chi_Minh): an event at 23:30 local on the 14th is
16:30 UTC on the 14th and belongs to the 14th; one at 00:30 local on the 15th is 17:30 UTC on the
14th and belongs to the 15th. The fixtures are written in local time and landed in UTC.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

import duckdb
import polars as pl
import pytest

from tests.unit.test_warehouse_indicators import (
    CAN_THO_WARDS,
    HA_NOI_WARD,
    WARD_A,
    WARD_B,
    Landing,
    Registry,
    dec,
    moved,
    only,
    registered,
    report,
    simple,
)
from warehouse import connect, indicator

AS_OF = date(2025, 2, 20)  # a Thursday in reporting month 3/2025 (15/02/2025 to 14/03/2025)


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    ((value,),) = con.execute(sql).fetchall()
    return value


@pytest.fixture
def con(tmp_path: Any) -> Any:
    connection = connect(landing_dir=tmp_path / "landing")
    yield connection
    connection.close()


# --- The period rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "year"),
    [
        ("2024-12-14", 2024),
        ("2024-12-15", 2025),
        ("2024-12-31", 2025),
        ("2025-01-01", 2025),
        ("2024-02-29", 2024),
        ("2025-12-14", 2025),
    ],
)
def test_reporting_year_turns_on_15_december(
    con: duckdb.DuckDBPyConnection, day: str, year: int
) -> None:
    assert scalar(con, f"SELECT reporting_year(DATE '{day}')") == year


def periods(con: duckdb.DuckDBPyConnection, year: int) -> dict[tuple[str, int | None], Any]:
    rows = con.execute(
        "SELECT period_kind, period_number, period_start, period_end, period_label "
        f"FROM reporting_periods({year}, {year})"
    ).fetchall()
    return {(kind, number): (start, end, label) for kind, number, start, end, label in rows}


def test_reporting_periods_and_their_labels(con: duckdb.DuckDBPyConnection) -> None:
    p2025 = periods(con, 2025)
    # 12 months, 4 quarters, 6 months, 9 months, the year and the calendar year.
    assert len(p2025) == 20
    assert p2025[("year", None)] == (
        date(2024, 12, 15),
        date(2025, 12, 14),
        "năm 2025 (từ 15/12/2024 đến 14/12/2025)",
    )
    assert p2025[("month", 1)] == (
        date(2024, 12, 15),
        date(2025, 1, 14),
        "tháng 1/2025 (từ 15/12/2024 đến 14/01/2025)",
    )
    assert p2025[("quarter", 1)] == (
        date(2024, 12, 15),
        date(2025, 3, 14),
        "quý 1/2025 (từ 15/12/2024 đến 14/03/2025)",
    )
    assert p2025[("quarter", 4)][:2] == (date(2025, 9, 15), date(2025, 12, 14))
    assert p2025[("six_months", None)] == (
        date(2024, 12, 15),
        date(2025, 6, 14),
        "6 tháng năm 2025 (từ 15/12/2024 đến 14/06/2025)",
    )
    assert p2025[("nine_months", None)] == (
        date(2024, 12, 15),
        date(2025, 9, 14),
        "9 tháng năm 2025 (từ 15/12/2024 đến 14/09/2025)",
    )
    assert p2025[("calendar_year", None)] == (
        date(2025, 1, 1),
        date(2025, 12, 31),
        "năm dương lịch 2025 (từ 01/01/2025 đến 31/12/2025)",
    )
    assert periods(con, 2021)[("month", 9)] == (
        date(2021, 8, 15),
        date(2021, 9, 14),
        "tháng 9/2021 (từ 15/08/2021 đến 14/09/2021)",
    )
    # Leap year: month 3/2024 holds 29 February (15/02 to 14/03: 29 days).
    start, end, _ = periods(con, 2024)[("month", 3)]
    assert (start, end, (end - start).days + 1) == (date(2024, 2, 15), date(2024, 3, 14), 29)
    start, end, _ = periods(con, 2025)[("month", 3)]
    assert (end - start).days + 1 == 28
    # The months of a year tile it: each starts the day after the one before ends.
    months = sorted(v[:2] for k, v in p2025.items() if k[0] == "month")
    assert all(b[0] == a[1].replace(day=15) for a, b in pairwise(months))
    assert (months[0][0], months[-1][1]) == (date(2024, 12, 15), date(2025, 12, 14))


def test_dim_dates_carry_the_reporting_month_and_year(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT date_day, reporting_year, reporting_month FROM dim_dates "
        "WHERE date_day IN ('2024-12-14', '2024-12-15', '2025-01-14', '2025-01-15', "
        "'2024-02-29', '2024-03-14', '2024-03-15') ORDER BY date_day"
    ).fetchall()
    assert rows == [
        (date(2024, 2, 29), 2024, 3),
        (date(2024, 3, 14), 2024, 3),
        (date(2024, 3, 15), 2024, 4),
        (date(2024, 12, 14), 2024, 12),
        (date(2024, 12, 15), 2025, 1),
        (date(2025, 1, 14), 2025, 1),
        (date(2025, 1, 15), 2025, 2),
    ]
    # Every date has one reporting month, and agrees with reporting_year().
    assert (
        scalar(
            con,
            "SELECT count(*) FILTER (WHERE reporting_year <> reporting_year(date_day)) "
            "+ count(*) - count(DISTINCT date_day) FROM dim_dates",
        )
        == 0
    )


def test_year_earlier_falls_back_from_29_february(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "SELECT year_earlier(DATE '2024-02-29')") == date(2023, 2, 28)
    assert scalar(con, "SELECT year_earlier(DATE '2025-03-01')") == date(2024, 3, 1)


# --- ind_crime_periods -------------------------------------------------------------------------

CRIMES_A = [
    # (local occurred, local solved or None)
    ("2023-12-14 23:30", None),  # 16:30 UTC on the 14th: year 2023, month 12/2023
    ("2023-12-15 00:30", None),  # 17:30 UTC on the 14th: year 2024, month 1/2024
    ("2024-01-14 12:00", "2024-01-20 09:00"),  # month 1/2024
    ("2024-01-15 12:00", "2024-02-01 09:00"),  # month 2/2024
    ("2024-02-10 12:00", "2024-03-01 09:00"),  # month 2/2024
    ("2024-02-20 23:30", None),  # month 3/2024; the same date as as_of a year earlier
    ("2024-02-21 00:30", None),  # month 3/2024; one day after it (17:30 UTC on the 20th)
    ("2024-02-29 12:00", None),  # month 3/2024, the leap day
    ("2024-07-01 12:00", "2024-07-02 09:00"),
    ("2024-07-01 13:00", "2024-12-14 23:30"),  # solved on the last day of year 2024
    ("2024-07-01 14:00", "2024-12-15 00:30"),  # solved on the first day of year 2025
    ("2024-12-14 23:30", "2025-02-21 09:00"),  # year 2024; solved after as_of
    ("2024-12-15 00:30", None),  # year 2025, month 1/2025; still calendar year 2024
    ("2025-01-20 12:00", "2025-02-01 09:00"),  # month 2/2025
    ("2025-01-20 13:00", None),  # month 2/2025
    ("2025-02-16 12:00", None),  # month 3/2025, in progress on as_of
    ("2025-02-25 12:00", None),  # after as_of
]


def land_province(landing: Landing) -> None:
    rows = [
        report(f"a-{i}", WARD_A, "social_order_crime", occurred, solved=solved)
        for i, (occurred, solved) in enumerate(CRIMES_A)
    ]
    rows += [
        # The first report the province received: the data covers every day from 1/12/2023.
        report("first", WARD_B, "petition", "2023-12-01 08:00"),
        report("b-1", WARD_B, "social_order_crime", "2024-03-01 12:00", solved="2024-03-02 08:00"),
        report("b-2", WARD_B, "social_order_crime", "2025-01-01 12:00"),
        report("b-3", WARD_B, "social_order_crime", "2025-01-01 13:00"),
        # None of these is a social-order crime of the province:
        report("a-drug", WARD_A, "drug_crime", "2025-01-20 12:00"),
        report("a-void", WARD_A, "social_order_crime", "2025-01-20 12:00", status="dismissed"),
        report("hn", HA_NOI_WARD, "social_order_crime", "2025-01-20 12:00"),
    ]
    landing.land("incident_reports", rows)

    registry = Registry()
    born = date(1990, 1, 1)
    for key in ("a1", "a2"):
        registry.person(key, born, [registered("2023-06-01 09:00")])
    registry.person(
        "a3",
        born,
        # Removed at 23:30 local on 14/12/2024: no longer a resident on that day.
        [registered("2023-06-01 09:00"), simple("removed", "2024-12-14 23:30")],
    )
    registry.person("a4", born, [registered("2023-06-01 09:00"), moved("2024-06-01 09:00", WARD_B)])
    registry.person("b1", born, [registered("2023-06-01 09:00", WARD_B)])
    registry.person("late", born, [registered("2025-02-21 09:00")])  # after as_of
    for partition, people in enumerate(registry.partitions):
        if people:
            landing.land("population_updates", people, partition=partition)


@pytest.fixture
def province(tmp_path: Any) -> Any:
    landing = Landing(tmp_path / "province")
    land_province(landing)
    connection = connect(landing_dir=landing.zone.root)
    yield connection
    connection.close()


def figures(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["crimes"], row["prior_crimes"], row["change"], row["pct_change"])


def test_crime_periods_grid_and_columns(province: duckdb.DuckDBPyConnection) -> None:
    df = indicator("ind_crime_periods", con=province, as_of=AS_OF)
    assert df.columns == [
        "ward_code", "period_kind", "period_year", "period_number", "period_start", "period_end",
        "period_label", "data_through", "is_complete", "crimes", "prior_crimes", "change",
        "pct_change", "solved", "clearance_pct", "residents", "crimes_per_100k", "meets_target",
        "is_provisional",
    ]  # fmt: skip
    # Reporting years 2023 (the first report, 1/12/2023, falls in it) to 2025, calendar years 2023
    # to 2025: 12 + 12 + 3 months (month 4/2025 starts after as_of), 4 + 4 + 1 quarters, and 3 of
    # each of the other four kinds; for 103 wards and the province.
    assert df.height == (27 + 9 + 4 * 3) * (CAN_THO_WARDS + 1)
    assert df.row(0, named=True)["ward_code"] is None
    counts = dict(df.group_by("period_kind").len().iter_rows())
    assert counts["month"] == 27 * (CAN_THO_WARDS + 1)
    assert df.filter(pl.col("period_start") > AS_OF).height == 0


def test_crime_periods_years_in_local_time(province: duckdb.DuckDBPyConnection) -> None:
    df = indicator("ind_crime_periods", con=province, ward=WARD_A, as_of=AS_OF)

    y2023 = only(df, period_kind="year", period_year=2023)
    assert y2023["period_label"] == "năm 2023 (từ 15/12/2022 đến 14/12/2023)"
    # Only the crime at 23:30 on 14/12/2023; the data does not cover 2022.
    assert figures(y2023) == (1, None, None, None)
    assert (y2023["is_complete"], y2023["meets_target"], y2023["is_provisional"]) == (
        True,
        None,
        False,
    )

    # Year 2024, 15/12/2023 to 14/12/2024: 11 crimes, from 00:30 on the 15th to 23:30 on the 14th.
    # Its previous year began on 15/12/2022, before the data: not comparable.
    y2024 = only(df, period_kind="year", period_year=2024)
    assert figures(y2024) == (11, None, None, None)
    assert y2024["meets_target"] is None
    # Solved by 14/12/2024: 4 by July, and one at 23:30 on the 14th; not the one solved at 00:30
    # on the 15th nor the one solved after as_of. 5 / 11 = 45.4545...
    assert (y2024["solved"], y2024["clearance_pct"]) == (5, dec("45.45"))
    # Residents of A on 14/12/2024: a1 and a2 (a3 removed at 23:30 that day, a4 moved to B).
    # 11 x 100,000 / 2
    assert (y2024["residents"], y2024["crimes_per_100k"]) == (2, dec("550000.00"))

    # Calendar year 2024: the crime at 23:30 on 14/12/2023 and the one at 00:30 on 15/12/2023
    # are 2023; the one at 00:30 on 15/12/2024 is 2024: 11 crimes, 6 solved by 31/12/2024.
    c2024 = only(df, period_kind="calendar_year", period_year=2024)
    assert c2024["period_label"] == "năm dương lịch 2024 (từ 01/01/2024 đến 31/12/2024)"
    assert (c2024["crimes"], c2024["solved"], c2024["clearance_pct"]) == (11, 6, dec("54.55"))
    assert c2024["prior_crimes"] is None  # 1/1/2023 is before the data


def test_crime_periods_in_progress_compare_the_same_dates(
    province: duckdb.DuckDBPyConnection,
) -> None:
    df = indicator("ind_crime_periods", con=province, as_of=AS_OF)

    # Year 2025 to date: 15/12/2024 to 20/02/2025, against 15/12/2023 to 20/02/2024, never against
    # the whole of year 2024 (11 crimes).
    y2025 = only(df, ward_code=WARD_A, period_kind="year", period_year=2025)
    assert (y2025["data_through"], y2025["is_complete"], y2025["is_provisional"]) == (
        AS_OF,
        False,
        True,
    )
    # 00:30 on 15/12/2024, two on 20/01 and 16/02/2025; a year earlier: 00:30 on 15/12/2023,
    # 14/01, 15/01, 10/02 and 23:30 on 20/02/2024 (00:30 on 21/02/2024 is a day too late).
    assert figures(y2025) == (4, 5, -1, dec("-20.00"))
    assert y2025["meets_target"] is None  # no verdict before the year ends
    assert (y2025["solved"], y2025["clearance_pct"]) == (1, dec("25.00"))
    # Quarter 1/2025 is the same span so far.
    assert figures(only(df, ward_code=WARD_A, period_kind="quarter", period_year=2025)) == (
        4,
        5,
        -1,
        dec("-20.00"),
    )
    # Calendar 2025 to date: 20/01 (x2) and 16/02; 2024: 14/01, 15/01, 10/02, 20/02.
    assert figures(only(df, ward_code=WARD_A, period_kind="calendar_year", period_year=2025)) == (
        3,
        4,
        -1,
        dec("-25.00"),
    )

    # B: 2 crimes on 1/1/2025, none a year earlier: no percentage.
    b2025 = only(df, ward_code=WARD_B, period_kind="year", period_year=2025)
    assert figures(b2025) == (2, 0, 2, None)
    # Province: A + B = 6 against 5; residents on as_of: a1, a2 in A; b1, a4 in B.
    p2025 = only(df, ward_code=None, period_kind="year", period_year=2025)
    assert figures(p2025) == (6, 5, 1, dec("20.00"))
    assert (p2025["residents"], p2025["crimes_per_100k"]) == (4, dec("150000.00"))
    assert (p2025["solved"], p2025["clearance_pct"]) == (1, dec("16.67"))
    assert p2025["period_label"] == "năm 2025 (từ 15/12/2024 đến 14/12/2025)"


def test_crime_periods_months_and_verdicts(province: duckdb.DuckDBPyConnection) -> None:
    df = indicator("ind_crime_periods", con=province, ward=WARD_A, period_kind="month", as_of=AS_OF)
    assert set(df["period_kind"].to_list()) == {"month"}

    # Month 1/2025 (15/12/2024 to 14/01/2025) has ended: 1 against 2 (00:30 on 15/12/2023 and
    # 14/01/2024): a 50% reduction meets the target.
    m1 = only(df, period_year=2025, period_number=1)
    assert m1["period_label"] == "tháng 1/2025 (từ 15/12/2024 đến 14/01/2025)"
    assert figures(m1) == (1, 2, -1, dec("-50.00"))
    assert (m1["is_complete"], m1["meets_target"]) == (True, True)
    # Month 2/2025: 2 against 2 (15/01 and 10/02/2024) misses it.
    m2 = only(df, period_year=2025, period_number=2)
    assert figures(m2) == (2, 2, 0, dec("0.00"))
    assert m2["meets_target"] is False
    # Month 3/2025, in progress: 15/02 to 20/02/2025 against 15/02 to 20/02/2024.
    m3 = only(df, period_year=2025, period_number=3)
    assert figures(m3) == (1, 1, 0, dec("0.00"))
    assert (m3["data_through"], m3["meets_target"], m3["is_provisional"]) == (AS_OF, None, True)
    # The first month of the data's first reporting year: 0 crimes, nothing to compare.
    first = only(df, period_year=2023, period_number=1)
    assert figures(first) == (0, None, None, None)
    assert (first["clearance_pct"], first["residents"]) == (None, 0)
    # Month 12/2023 (15/11 to 14/12/2023) holds the crime at 23:30 on the 14th; month 1/2024 the
    # one at 00:30 on the 15th and 14/01/2024.
    assert only(df, period_year=2023, period_number=12)["crimes"] == 1
    assert only(df, period_year=2024, period_number=1)["crimes"] == 2
    # Month 3/2024 holds the leap day: 20/02 23:30, 21/02 00:30 and 29/02.
    assert only(df, period_year=2024, period_number=3)["crimes"] == 3


def test_crime_periods_leap_day_a_year_earlier(province: duckdb.DuckDBPyConnection) -> None:
    def month_3(as_of: date) -> dict[str, Any]:
        df = indicator(
            "ind_crime_periods", con=province, ward=WARD_A, period_kind="month", as_of=as_of
        )
        return only(df, period_year=2025, period_number=3)

    # On 28/02/2025 (16/02 and 25/02 so far) the same dates a year earlier end on 28/02/2024:
    # 20/02 and 21/02/2024 count, 29/02/2024 is left out.
    m3 = month_3(date(2025, 2, 28))
    assert (m3["crimes"], m3["prior_crimes"]) == (2, 2)
    # On 1/3/2025 they end on 1/3/2024 and take it in.
    m3 = month_3(date(2025, 3, 1))
    assert (m3["crimes"], m3["prior_crimes"]) == (2, 3)
    # On 14/03/2025 the month has ended and is compared with all of month 3/2024.
    m3 = month_3(date(2025, 3, 14))
    assert (m3["is_complete"], m3["prior_crimes"], m3["meets_target"]) == (True, 3, True)


def test_crime_periods_on_an_empty_zone(con: duckdb.DuckDBPyConnection) -> None:
    df = indicator("ind_crime_periods", con=con, period_kind="year", as_of=AS_OF)
    # Without data, only the reporting year of as_of is listed, with nothing in it.
    assert df.height == CAN_THO_WARDS + 1
    row = only(df, ward_code=None)
    assert (row["period_year"], row["crimes"], row["prior_crimes"], row["clearance_pct"]) == (
        2025,
        0,
        None,
        None,
    )


def test_period_kind_applies_to_ind_crime_periods_only(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="period_kind= applies to ind_crime_periods"):
        indicator("ind_crime_reduction", con=con, period_kind="year")
    with pytest.raises(ValueError, match="unknown period_kind 'week'"):
        indicator("ind_crime_periods", con=con, period_kind="week")  # type: ignore[arg-type]


def test_the_demo_headline_speaks_in_reporting_periods(
    province: duckdb.DuckDBPyConnection,
) -> None:
    from pipelines.summary import crime_line

    years = indicator("ind_crime_periods", con=province, period_kind="year", as_of=AS_OF)
    assert crime_line(only(years, ward_code=None, period_year=2025)) == (
        "Tội phạm về trật tự xã hội năm 2025 (từ 15/12/2024 đến 14/12/2025, đến 20/02/2025): "
        "6 vụ, tăng 1 vụ (+20,00%) so với cùng kỳ; tỷ lệ khám phá 16,67%; "
        "150.000,00 vụ/100.000 dân — chưa kết thúc kỳ"
    )
    months = indicator(
        "ind_crime_periods", con=province, ward=WARD_A, period_kind="month", as_of=AS_OF
    )
    assert crime_line(only(months, period_year=2025, period_number=1)) == (
        "Tội phạm về trật tự xã hội tháng 1/2025 (từ 15/12/2024 đến 14/01/2025): 1 vụ, "
        "giảm 1 vụ (−50,00%) so với cùng kỳ; tỷ lệ khám phá 0,00%; 50.000,00 vụ/100.000 dân "
        "— đạt mục tiêu giảm ít nhất 5%"
    )
    # Without the same dates a year earlier there is no comparison and no verdict.
    assert crime_line(only(years, ward_code=None, period_year=2024)) == (
        "Tội phạm về trật tự xã hội năm 2024 (từ 15/12/2023 đến 14/12/2024): 12 vụ, "
        "chưa có số liệu cùng kỳ; tỷ lệ khám phá 50,00%; 300.000,00 vụ/100.000 dân "
        "— chưa đủ dữ liệu để đánh giá mục tiêu giảm ít nhất 5%"
    )
