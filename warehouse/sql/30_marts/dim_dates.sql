-- dim_dates: local calendar dates (Asia/Ho_Chi_Minh) from 1 January of the baseline year (or 2015,
-- whichever is earlier) to 31 December of the year after as_of, with the police reporting month
-- and year each date belongs to (reporting_periods(): month M from the 15th of the month before to
-- the 14th, the year from 15 December).
-- grain: one row per local date
-- key: date_day
create or replace view dim_dates as
with days as (
    select cast(range as date) as date_day
    from range(
        make_date(least(getvariable('baseline_year'), 2015), 1, 1),
        make_date(year(getvariable('as_of')) + 2, 1, 1),
        interval 1 day
    )
),

months as (
    select period_year, period_number, period_start, period_end
    from reporting_periods(
        least(getvariable('baseline_year'), 2015), year(getvariable('as_of')) + 2
    )
    where period_kind = 'month'
),

final as (
    select
        days.date_day,
        year(days.date_day) as year,
        quarter(days.date_day) as quarter,
        month(days.date_day) as month,
        day(days.date_day) as day_of_month,
        isodow(days.date_day) as iso_day_of_week,
        isoyear(days.date_day) as iso_year,
        weekofyear(days.date_day) as iso_week,
        cast(date_trunc('week', days.date_day) as date) as week_start_on,
        isodow(days.date_day) >= 6 as is_weekend,
        months.period_year as reporting_year,
        months.period_number as reporting_month
    from days
    inner join months on days.date_day between months.period_start and months.period_end
)

select * from final;
