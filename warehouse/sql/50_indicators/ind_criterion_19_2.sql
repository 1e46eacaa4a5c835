-- ind_criterion_19_2: NTM criterion 19.2 per ward and year (Hướng dẫn 04/HD-BCA-V05): no mass
-- petition, no especially serious crime, and social-order crimes, social evils and traffic
-- accidents not above the previous year.
-- grain: one row per (ward_code, year), ward_code NULL for the province
-- key: (ward_code, year)
-- failed_checks names the checks that failed, in a fixed order: mass_petition,
-- especially_serious_crime, social_order_crime_increase, social_evil_increase,
-- traffic_accident_increase. In the first year with data the previous year is unknown: the three
-- comparisons are not made and passes is NULL unless another check failed. The province row does
-- not pass or fail; it gives the share of wards that passed (NULL while the comparisons are unknown).
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
        mass_petitions,
        especially_serious_crimes,
        social_order_crimes,
        social_evils,
        traffic_accidents,
        case when has_previous_year then lag(social_order_crimes) over previous end
            as prev_social_order_crimes,
        case when has_previous_year then lag(social_evils) over previous end as prev_social_evils,
        case when has_previous_year then lag(traffic_accidents) over previous end
            as prev_traffic_accidents
    from ward_years
    window previous as (partition by ward_code order by year)
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
            when len(failed_checks) > 0 then false
            when has_previous_year then true
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
        prev_traffic_accidents
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
            when bool_and(prev_social_order_crimes is not null)
                then pct(count(*) filter (where passes), count(*))
        end as wards_passed_pct,
        cast(sum(mass_petitions) as bigint) as mass_petitions,
        cast(sum(especially_serious_crimes) as bigint) as especially_serious_crimes,
        cast(sum(social_order_crimes) as bigint) as social_order_crimes,
        cast(sum(prev_social_order_crimes) as bigint) as prev_social_order_crimes,
        cast(sum(social_evils) as bigint) as social_evils,
        cast(sum(prev_social_evils) as bigint) as prev_social_evils,
        cast(sum(traffic_accidents) as bigint) as traffic_accidents,
        cast(sum(prev_traffic_accidents) as bigint) as prev_traffic_accidents
    from ward_rows
    group by year
),

final as (
    select * from ward_rows
    union all by name
    select * from province_rows
)

select * from final
order by ward_code nulls first, year;
