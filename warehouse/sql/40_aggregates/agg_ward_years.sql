-- agg_ward_years: incident and petition counts per ward of the deployment province and local
-- calendar year.
-- grain: one row per (ward_code, year), ward_code NULL for the province total
-- key: (ward_code, year)
-- Years run from the first year in which a report was received to the as_of year: earlier years
-- are unknown, not zero (has_previous_year says whether the year before is known). Incidents count
-- by local occurrence date up to as_of, leaving out dismissed reports; petitions count by local
-- date received up to as_of, with their latest status even when it changed after the year ended.
-- The as_of year is year-to-date unless as_of is 31 December (is_complete_year).
create or replace view agg_ward_years as
with wards as (
    select ward_code
    from dim_wards
    where province_code = getvariable('province_code')
),

-- Materialized: scanned once, so every row of this query sees the same landed files.
incidents as materialized (
    select fct_incidents.*
    from fct_incidents
    semi join wards on fct_incidents.ward_code = wards.ward_code
    where
        fct_incidents.occurred_on <= getvariable('as_of')
        or fct_incidents.received_on <= getvariable('as_of')
),

bounds as (
    select
        least(
            coalesce(
                min(year(received_on)) filter (where received_on <= getvariable('as_of')),
                year(getvariable('as_of'))
            ),
            year(getvariable('as_of'))
        ) as first_year,
        year(getvariable('as_of')) as last_year
    from incidents
),

years as (
    select
        unnest(range(bounds.first_year, bounds.last_year + 1)) as year,
        bounds.first_year
    from bounds
),

occurred as (
    select
        ward_code,
        year(occurred_on) as year,
        count(*) filter (where category = 'social_order_crime') as social_order_crimes,
        count(*) filter (where category = 'social_evil') as social_evils,
        count(*) filter (where category = 'traffic_accident') as traffic_accidents,
        coalesce(sum(deaths) filter (where category = 'traffic_accident'), 0) as traffic_deaths,
        coalesce(sum(injuries) filter (where category = 'traffic_accident'), 0)
            as traffic_injuries,
        count(*) filter (where is_crime and severity = 'especially_serious')
            as especially_serious_crimes
    from incidents
    where occurred_on <= getvariable('as_of') and not is_dismissed
    group by ward_code, year(occurred_on)
),

received as (
    select
        ward_code,
        year(received_on) as year,
        count(*) filter (where is_mass_petition and not is_dismissed) as mass_petitions,
        count(*) filter (where category = 'petition') as petitions_received,
        count(*) filter (where category = 'petition' and status = 'resolved')
            as petitions_resolved,
        count(*) filter (where category = 'petition' and status in ('received', 'verifying'))
            as petitions_in_progress,
        count(*) filter (where category = 'petition' and status = 'transferred')
            as petitions_transferred,
        count(*) filter (where category = 'petition' and status = 'dismissed')
            as petitions_dismissed
    from incidents
    where received_on <= getvariable('as_of')
    group by ward_code, year(received_on)
),

-- Materialized: scanned once, so every row of this query sees the same landed files.
ward_years as materialized (
    select
        wards.ward_code,
        years.year,
        years.year > years.first_year as has_previous_year,
        coalesce(occurred.social_order_crimes, 0) as social_order_crimes,
        coalesce(occurred.social_evils, 0) as social_evils,
        coalesce(occurred.traffic_accidents, 0) as traffic_accidents,
        cast(coalesce(occurred.traffic_deaths, 0) as bigint) as traffic_deaths,
        cast(coalesce(occurred.traffic_injuries, 0) as bigint) as traffic_injuries,
        coalesce(occurred.especially_serious_crimes, 0) as especially_serious_crimes,
        coalesce(received.mass_petitions, 0) as mass_petitions,
        coalesce(received.petitions_received, 0) as petitions_received,
        coalesce(received.petitions_resolved, 0) as petitions_resolved,
        coalesce(received.petitions_in_progress, 0) as petitions_in_progress,
        coalesce(received.petitions_transferred, 0) as petitions_transferred,
        coalesce(received.petitions_dismissed, 0) as petitions_dismissed
    from wards
    cross join years
    left join occurred on wards.ward_code = occurred.ward_code and years.year = occurred.year
    left join received on wards.ward_code = received.ward_code and years.year = received.year
),

province_years as (
    select
        null::varchar as ward_code,
        year,
        bool_and(has_previous_year) as has_previous_year,
        cast(sum(social_order_crimes) as bigint) as social_order_crimes,
        cast(sum(social_evils) as bigint) as social_evils,
        cast(sum(traffic_accidents) as bigint) as traffic_accidents,
        cast(sum(traffic_deaths) as bigint) as traffic_deaths,
        cast(sum(traffic_injuries) as bigint) as traffic_injuries,
        cast(sum(especially_serious_crimes) as bigint) as especially_serious_crimes,
        cast(sum(mass_petitions) as bigint) as mass_petitions,
        cast(sum(petitions_received) as bigint) as petitions_received,
        cast(sum(petitions_resolved) as bigint) as petitions_resolved,
        cast(sum(petitions_in_progress) as bigint) as petitions_in_progress,
        cast(sum(petitions_transferred) as bigint) as petitions_transferred,
        cast(sum(petitions_dismissed) as bigint) as petitions_dismissed
    from ward_years
    group by year
),

final as (
    select
        *,
        year < year(getvariable('as_of'))
        or getvariable('as_of') = make_date(year, 12, 31) as is_complete_year
    from (
        select * from ward_years
        union all by name
        select * from province_years
    )
)

select * from final;
