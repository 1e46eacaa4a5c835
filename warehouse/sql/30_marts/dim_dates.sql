-- dim_dates: local calendar dates (Asia/Ho_Chi_Minh) from 1 January of the baseline year (or 2015,
-- whichever is earlier) to 31 December of the year after as_of.
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

final as (
    select
        date_day,
        year(date_day) as year,
        quarter(date_day) as quarter,
        month(date_day) as month,
        day(date_day) as day_of_month,
        isodow(date_day) as iso_day_of_week,
        isoyear(date_day) as iso_year,
        weekofyear(date_day) as iso_week,
        cast(date_trunc('week', date_day) as date) as week_start_on,
        isodow(date_day) >= 6 as is_weekend
    from days
)

select * from final;
