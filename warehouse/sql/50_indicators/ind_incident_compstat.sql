-- ind_incident_compstat: CompStat-style incident counts per ward, category and period, against the
-- same period a year earlier.
-- grain: one row per (ward_code, category, period), ward_code NULL for the province total
-- key: (ward_code, category, period)
-- Periods end on as_of, by local occurrence date, dismissed reports left out: wtd starts on the
-- Monday of as_of's week, d28 covers the last 28 days, ytd starts with the reporting year (15
-- December; 1 January when the session's year_basis is 'calendar'). wtd and d28 compare with the
-- same weekdays 52 weeks (364 days) earlier, as CompStat does, so that weekday patterns line up;
-- ytd compares with the same dates a year earlier (29 February falls back to 28 February).
-- pct_change is NULL when the prior period had none.
create or replace view ind_incident_compstat as
with wards as (
    select * from province_wards()
),

categories as (
    select category from incident_categories()
),

incidents as (
    select * from province_incidents('fct_incidents')
    where not is_dismissed
),

periods as (
    select
        period,
        period_order,
        current_start,
        as_of as current_end,
        prior_start,
        prior_end
    from (select getvariable('as_of') as as_of) as params,
        lateral (
            values
                (
                    'wtd', 1, cast(date_trunc('week', as_of) as date),
                    cast(date_trunc('week', as_of) as date) - 364, as_of - 364
                ),
                ('d28', 2, as_of - 27, as_of - 27 - 364, as_of - 364),
                (
                    'ytd', 3, basis_year_start(as_of),
                    year_earlier(basis_year_start(as_of)), year_earlier(as_of)
                )
        ) as spans (period, period_order, current_start, prior_start, prior_end)
),

hits as (
    select
        incidents.ward_code,
        incidents.category,
        periods.period,
        incidents.occurred_on between periods.current_start and periods.current_end as is_current,
        incidents.occurred_on between periods.prior_start and periods.prior_end as is_prior
    from incidents
    inner join periods
        on incidents.occurred_on between periods.prior_start and periods.current_end
),

counted as (
    select
        ward_code,
        category,
        period,
        count(*) filter (where is_current) as current_count,
        count(*) filter (where is_prior) as prior_count
    from hits
    group by ward_code, category, period
),

totals as (
    select
        wards.ward_code,
        categories.category,
        periods.period,
        cast(coalesce(sum(counted.current_count), 0) as bigint) as current_count,
        cast(coalesce(sum(counted.prior_count), 0) as bigint) as prior_count
    from wards
    cross join categories
    cross join periods
    left join counted
        on
            wards.ward_code = counted.ward_code
            and categories.category = counted.category
            and periods.period = counted.period
    group by grouping sets (
        (wards.ward_code, categories.category, periods.period),
        (categories.category, periods.period)
    )
),

final as (
    select
        totals.ward_code,
        totals.category,
        totals.period,
        totals.current_count as "current",
        totals.prior_count as prior_year,
        pct(totals.current_count - totals.prior_count, totals.prior_count) as pct_change,
        periods.current_start,
        periods.current_end,
        periods.prior_start,
        periods.prior_end,
        periods.period_order
    from totals
    inner join periods on totals.period = periods.period
)

select * exclude (period_order) from final
order by ward_code nulls first, category, period_order;
