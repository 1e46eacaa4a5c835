-- ind_criterion_19_2: NTM criterion 19.2 per ward and year (Hướng dẫn 04/HD-BCA-V05): no mass
-- petition, no especially serious crime, and social-order crimes, social evils and traffic
-- accidents not above the previous year. Years are reporting years (15 December to 14 December)
-- unless the session's year_basis is 'calendar'; period_label names the year as a report does.
-- grain: one row per (ward_code, year), ward_code NULL for the province
-- key: (ward_code, year)
-- failed_checks names the checks that failed, in a fixed order: mass_petition,
-- especially_serious_crime, social_order_crime_increase, social_evil_increase,
-- traffic_accident_increase. The three comparisons are with the same dates one year earlier (for a
-- year still running, the same part of the previous year) and are not made when the data does not
-- cover those dates (the first year with data, or one that starts mid-way). passes is false as
-- soon as a mass petition or an especially serious crime has happened; otherwise it is NULL while
-- the year runs (is_provisional: the comparisons so far are listed but are no verdict) or when the
-- comparisons cannot be made. The province row does not pass or fail; it gives the share of wards
-- that passed, NULL until the year has ended with the comparisons known.
create or replace view ind_criterion_19_2 as
-- Materialized: read for the wards' verdicts and the province row, from one set of landed files.
with ward_years as materialized (
    select * from agg_ward_years
),

judged as (
    select
        *,
        list_filter(
            [
                case when mass_petitions > 0 then 'mass_petition' end,
                case when especially_serious_crimes > 0 then 'especially_serious_crime' end,
                case
                    when social_order_crimes > prev_social_order_crimes
                        then 'social_order_crime_increase'
                end,
                case when social_evils > prev_social_evils then 'social_evil_increase' end,
                case
                    when traffic_accidents > prev_traffic_accidents
                        then 'traffic_accident_increase'
                end
            ],
            lambda check_name: check_name is not null
        ) as failed_checks,
        case
            when
                list_has_any(failed_checks, ['mass_petition', 'especially_serious_crime'])
                then false
            when not is_complete_year or not has_previous_year then null
            else len(failed_checks) = 0
        end as passes
    from ward_years
    where ward_code is not null
),

-- The province's counts are agg_ward_years' province row; its verdict is the share of wards.
passed as (
    select
        year,
        count(*) as wards,
        count(*) filter (where passes) as wards_passed
    from judged
    group by year
),

final as (
    select
        ward_years.ward_code,
        ward_years.year,
        judged.passes,
        judged.failed_checks,
        passed.wards,
        passed.wards_passed,
        case
            when ward_years.is_complete_year and ward_years.has_previous_year
                then pct(passed.wards_passed, passed.wards)
        end as wards_passed_pct,
        ward_years.mass_petitions,
        ward_years.especially_serious_crimes,
        ward_years.social_order_crimes,
        ward_years.prev_social_order_crimes,
        ward_years.social_evils,
        ward_years.prev_social_evils,
        ward_years.traffic_accidents,
        ward_years.prev_traffic_accidents,
        ward_years.is_complete_year,
        ward_years.period_label,
        ward_years.data_through,
        not ward_years.is_complete_year as is_provisional
    from ward_years
    left join judged
        on ward_years.ward_code = judged.ward_code and ward_years.year = judged.year
    left join passed on ward_years.ward_code is null and ward_years.year = passed.year
)

select * from final
order by ward_code nulls first, year;
