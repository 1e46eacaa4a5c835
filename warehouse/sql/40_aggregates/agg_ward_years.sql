-- agg_ward_years: incident and petition counts per ward of the deployment province and year:
-- reporting years (15 December to 14 December) by default, calendar years when the session's
-- year_basis is 'calendar'.
-- grain: one row per (ward_code, year), ward_code NULL for the province total
-- key: (ward_code, year)
-- Years run from the year of the first report received to the year of as_of: earlier years are
-- unknown, not zero. A year counts from year_start to data_through = least(year_end, as_of), so
-- the as_of year is year to date (is_complete_year says whether it has ended). Incidents count by
-- local occurrence date, leaving out dismissed reports; petitions count by local date received,
-- with their latest status even when it changed after the year ended.
-- The prev_* counts cover the same dates one year earlier: a year still running is compared with
-- the same part of the year before, never with all of it. The data covers the days from the first
-- report received on, so a year whose start is earlier is not comparable: has_previous_year is
-- false and prev_* are NULL (a first year that starts mid-way never counts as a whole year).
-- baseline_social_order_crimes covers the same dates of the baseline year; NULL when the data
-- does not cover them or they lie after as_of.
create or replace view agg_ward_years as
-- Materialized: scanned once, so every row of this query sees the same landed files.
with incidents as materialized (
    select * from province_incidents('fct_incidents')
),

coverage as (
    select data_since(received_on) as data_since
    from incidents
),

spans as (
    select
        listed.period_year as year,
        listed.period_label,
        listed.period_start as year_start,
        listed.period_end as year_end,
        least(listed.period_end, getvariable('as_of')) as data_through,
        getvariable('as_of') >= listed.period_end as is_complete_year,
        year_earlier(listed.period_start) as prev_start,
        year_earlier(least(listed.period_end, getvariable('as_of'))) as prev_through,
        year_earlier(listed.period_start) >= coverage.data_since as has_previous_year,
        baseline.period_start as baseline_start,
        cast(
            least(listed.period_end, getvariable('as_of'))
            - to_years(listed.period_year - baseline.period_year) as date
        ) as baseline_through,
        coverage.data_since
    from coverage,
        reporting_periods(basis_year(coverage.data_since), basis_year(getvariable('as_of')))
            as listed
    inner join
        reporting_periods(getvariable('baseline_year'), getvariable('baseline_year')) as baseline
        on listed.period_kind = baseline.period_kind
    where listed.period_kind = basis_year_kind()
),

years as (
    select
        * exclude (data_since),
        baseline_start >= data_since and baseline_through <= getvariable('as_of')
            as has_baseline
    from spans
),

hits as (
    select
        incidents.*,
        years.year,
        incidents.occurred_on between years.year_start and years.data_through as is_current,
        incidents.occurred_on between years.prev_start and years.prev_through as is_previous,
        incidents.occurred_on between years.baseline_start and years.baseline_through
            as is_baseline
    from incidents
    inner join years
        on incidents.occurred_on
        between least(years.prev_start, years.baseline_start)
        and greatest(years.data_through, years.baseline_through)
    where incidents.occurred_on <= getvariable('as_of') and not incidents.is_dismissed
),

occurred as (
    select
        ward_code,
        year,
        count(*) filter (where category = 'social_order_crime' and is_current)
            as social_order_crimes,
        count(*) filter (where category = 'social_evil' and is_current) as social_evils,
        count(*) filter (where category = 'traffic_accident' and is_current) as traffic_accidents,
        coalesce(sum(deaths) filter (where category = 'traffic_accident' and is_current), 0)
            as traffic_deaths,
        coalesce(sum(injuries) filter (where category = 'traffic_accident' and is_current), 0)
            as traffic_injuries,
        count(*) filter (where is_crime and severity = 'especially_serious' and is_current)
            as especially_serious_crimes,
        count(*) filter (where category = 'social_order_crime' and is_previous)
            as prev_social_order_crimes,
        count(*) filter (where category = 'social_evil' and is_previous) as prev_social_evils,
        count(*) filter (where category = 'traffic_accident' and is_previous)
            as prev_traffic_accidents,
        count(*) filter (where category = 'social_order_crime' and is_baseline)
            as baseline_social_order_crimes
    from hits
    group by grouping sets ((ward_code, year), (year))
),

received as (
    select
        incidents.ward_code,
        years.year,
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
    inner join years
        on incidents.received_on between years.year_start and years.data_through
    group by grouping sets ((incidents.ward_code, years.year), (years.year))
),

final as (
    select
        areas.ward_code,
        years.year,
        years.has_previous_year,
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
        coalesce(received.petitions_dismissed, 0) as petitions_dismissed,
        years.is_complete_year,
        years.period_label,
        years.year_start,
        years.year_end,
        years.data_through,
        case when years.has_previous_year then coalesce(occurred.prev_social_order_crimes, 0) end
            as prev_social_order_crimes,
        case when years.has_previous_year then coalesce(occurred.prev_social_evils, 0) end
            as prev_social_evils,
        case when years.has_previous_year then coalesce(occurred.prev_traffic_accidents, 0) end
            as prev_traffic_accidents,
        case when years.has_baseline then coalesce(occurred.baseline_social_order_crimes, 0) end
            as baseline_social_order_crimes
    from province_areas() as areas
    cross join years
    left join occurred
        on areas.ward_code is not distinct from occurred.ward_code and years.year = occurred.year
    left join received
        on areas.ward_code is not distinct from received.ward_code and years.year = received.year
)

select * from final;
