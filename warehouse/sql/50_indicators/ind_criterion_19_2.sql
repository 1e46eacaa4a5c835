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
with ward_years as (
    select * from agg_ward_years
    where ward_code is not null
),

checked as (
    select
        ward_code,
        year,
        has_previous_year,
        is_complete_year,
        period_label,
        data_through,
        mass_petitions,
        especially_serious_crimes,
        social_order_crimes,
        social_evils,
        traffic_accidents,
        prev_social_order_crimes,
        prev_social_evils,
        prev_traffic_accidents
    from ward_years
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
        ) as failed_checks
    from checked
),

-- Materialized: scanned once, so every row of this query sees the same landed files.
ward_rows as materialized (
    select
        ward_code,
        year,
        case
            when
                list_has_any(failed_checks, ['mass_petition', 'especially_serious_crime'])
                then false
            when not is_complete_year or not has_previous_year then null
            else len(failed_checks) = 0
        end as passes,
        failed_checks,
        null::bigint as wards,
        null::bigint as wards_passed,
        null::decimal(12, 2) as wards_passed_pct,
        mass_petitions,
        especially_serious_crimes,
        social_order_crimes,
        prev_social_order_crimes,
        social_evils,
        prev_social_evils,
        traffic_accidents,
        prev_traffic_accidents,
        is_complete_year,
        has_previous_year,
        period_label,
        data_through
    from judged
),

province_rows as (
    select
        null::varchar as ward_code,
        year,
        null::boolean as passes,
        null::varchar[] as failed_checks,
        count(*) as wards,
        count(*) filter (where passes) as wards_passed,
        case
            when bool_and(is_complete_year and has_previous_year)
                then pct(count(*) filter (where passes), count(*))
        end as wards_passed_pct,
        cast(sum(mass_petitions) as bigint) as mass_petitions,
        cast(sum(especially_serious_crimes) as bigint) as especially_serious_crimes,
        cast(sum(social_order_crimes) as bigint) as social_order_crimes,
        cast(sum(prev_social_order_crimes) as bigint) as prev_social_order_crimes,
        cast(sum(social_evils) as bigint) as social_evils,
        cast(sum(prev_social_evils) as bigint) as prev_social_evils,
        cast(sum(traffic_accidents) as bigint) as traffic_accidents,
        cast(sum(prev_traffic_accidents) as bigint) as prev_traffic_accidents,
        bool_and(is_complete_year) as is_complete_year,
        bool_and(has_previous_year) as has_previous_year,
        any_value(period_label) as period_label,
        any_value(data_through) as data_through
    from ward_rows
    group by year
),

final as (
    select
        * exclude (has_previous_year),
        not is_complete_year as is_provisional
    from (
        select * from ward_rows
        union all by name
        select * from province_rows
    )
)

select * from final
order by ward_code nulls first, year;
