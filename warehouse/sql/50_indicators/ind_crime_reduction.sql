-- ind_crime_reduction: social-order crimes per ward and year against the previous year and against
-- the baseline year (Quyết định 926/QĐ-TTg: at least 5% below 2019; seed 004: at least 5% below the
-- previous year). Years are reporting years (15 December to 14 December) unless the session's
-- year_basis is 'calendar'; period_label names the year as a report does.
-- grain: one row per (ward_code, year), ward_code NULL for the province total
-- key: (ward_code, year)
-- A year is compared with the same dates one year earlier (and of the baseline year): a complete
-- year with the whole previous year, a year still running with the same part of the previous year,
-- never with all of it (comparison says which). The previous or baseline count is NULL when the
-- data does not cover those dates; a first year that starts mid-way is not comparable.
-- pct_change is NULL when the reference count is 0 or NULL. Verdicts wait for the year to end:
-- while it runs (is_provisional) meets_target and meets_baseline_target are NULL; after it they
-- are true for 0 -> 0, false for 0 -> n, NULL when not comparable, else the exact test
-- crimes x 100 <= reference x 95.
create or replace view ind_crime_reduction as
with ward_years as (
    select * from agg_ward_years
),

final as (
    select
        ward_code,
        year,
        social_order_crimes as crimes,
        prev_social_order_crimes as prev_year_crimes,
        pct(social_order_crimes - prev_social_order_crimes, prev_social_order_crimes)
            as pct_change,
        getvariable('baseline_year') as baseline_year,
        baseline_social_order_crimes as baseline_crimes,
        pct(social_order_crimes - baseline_social_order_crimes, baseline_social_order_crimes)
            as pct_change_vs_baseline,
        case
            when is_complete_year
                then meets_reduction_target(social_order_crimes, prev_social_order_crimes)
        end as meets_target,
        case
            when is_complete_year
                then meets_reduction_target(social_order_crimes, baseline_social_order_crimes)
        end as meets_baseline_target,
        is_complete_year,
        period_label,
        data_through,
        not is_complete_year as is_provisional,
        case
            when prev_social_order_crimes is null then null
            when is_complete_year then 'previous_year'
            else 'same_dates_previous_year'
        end as comparison
    from ward_years
)

select * from final
order by ward_code nulls first, year;
