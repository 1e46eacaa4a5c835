-- ind_crime_reduction: social-order crimes per ward and year against the previous year and against
-- the baseline year (Quyết định 926/QĐ-TTg: at least 5% below 2019; seed 004: at least 5% below the
-- previous year).
-- grain: one row per (ward_code, year), ward_code NULL for the province total
-- key: (ward_code, year)
-- pct_change is NULL when the previous year had no crime or is unknown (before the first year with
-- data); meets_target then is true for 0 -> 0, false for 0 -> n and NULL when unknown. The same
-- rules apply to the baseline comparison (NULL columns when the baseline year has no data).
create or replace view ind_crime_reduction as
with ward_years as (
    select * from agg_ward_years
),

compared as (
    select
        ward_code,
        year,
        social_order_crimes as crimes,
        case
            when has_previous_year
                then lag(social_order_crimes) over (partition by ward_code order by year)
        end as prev_year_crimes,
        getvariable('baseline_year') as baseline_year,
        max(social_order_crimes) filter (where year = getvariable('baseline_year'))
            over (partition by ward_code) as baseline_crimes,
        is_complete_year
    from ward_years
),

final as (
    select
        ward_code,
        year,
        crimes,
        prev_year_crimes,
        pct(crimes - prev_year_crimes, prev_year_crimes) as pct_change,
        baseline_year,
        baseline_crimes,
        pct(crimes - baseline_crimes, baseline_crimes) as pct_change_vs_baseline,
        meets_reduction_target(crimes, prev_year_crimes) as meets_target,
        meets_reduction_target(crimes, baseline_crimes) as meets_baseline_target,
        is_complete_year
    from compared
)

select * from final
order by ward_code nulls first, year;
