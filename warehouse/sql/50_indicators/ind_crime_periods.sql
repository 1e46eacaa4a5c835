-- ind_crime_periods: social-order crimes per ward and reporting period, "so với cùng kỳ" (against
-- the same dates a year earlier), with the clearance rate (tỷ lệ khám phá) and the rate per 100,000
-- residents, the way the Ministry of Public Security reports them.
-- grain: one row per (ward_code, period_kind, period_start), ward_code NULL for the province total
-- key: (ward_code, period_kind, period_start)
-- Periods come from reporting_periods(): every period of every kind from the first reporting year
-- with data (calendar years: the first calendar year) to the one containing as_of; periods that
-- start after as_of are not listed. A period counts the crimes that occurred (local date, dismissed
-- reports left out) from period_start to data_through = least(period_end, as_of); one that has not
-- ended is provisional and is compared with the same dates a year earlier, never a whole period.
-- prior_crimes is NULL when the data does not cover those dates: the data covers the days from the
-- first report the province received, so a first year that starts mid-way is not comparable.
-- meets_target (at least 5% fewer, compared exactly) is NULL until the period has ended or when
-- prior_crimes is NULL. solved counts the period's crimes solved by data_through; residents are the
-- ward's residents on data_through (the states of fct_resident_states, as fct_residents counts
-- them).
create or replace view ind_crime_periods as
with wards as (
    select * from province_wards()
),

-- Materialized: scanned once, so every row of this query sees the same landed files.
incidents as materialized (
    select category, ward_code, is_dismissed, occurred_on, received_on, solved_on
    from province_incidents('fct_incidents')
),

coverage as (
    select data_since(received_on) as data_since
    from incidents
),

periods as (
    select
        listed.period_kind,
        listed.period_year,
        listed.period_number,
        listed.period_start,
        listed.period_end,
        listed.period_label,
        least(listed.period_end, getvariable('as_of')) as data_through,
        getvariable('as_of') >= listed.period_end as is_complete,
        year_earlier(listed.period_start) as prior_start,
        year_earlier(least(listed.period_end, getvariable('as_of'))) as prior_through,
        year_earlier(listed.period_start) >= coverage.data_since as prior_is_covered
    from coverage,
        reporting_periods(year(coverage.data_since), reporting_year(getvariable('as_of')))
            as listed
    where
        listed.period_start <= getvariable('as_of')
        and listed.period_year >= case
            when listed.period_kind = 'calendar_year' then year(coverage.data_since)
            else reporting_year(coverage.data_since)
        end
),

-- The registry copies landed after the snapshot. Materialized: resident_state_revisions reads them
-- twice, and each read would list the files again.
copies as materialized (
    select *
    from landed_copies_since(getvariable('registry_watermarks'), 'population_updates')
),

revisions as (
    select * from resident_state_revisions(getvariable('registry_snapshot'), 'copies')
),

-- Residents by steps (resident_steps): the registry snapshot's, summed when it was written, with
-- those of the people folded again since taken out and put back as they are now, so that the steps
-- are fct_resident_states' without reading every state.
steps as (
    select ward_code, step_on, step
    from read_parquet(getvariable('registry_snapshot_steps'))
    union all
    select ward_code, step_on, step
    from resident_steps('revisions', revision)
),

ward_days as (
    select
        steps.ward_code,
        steps.step_on,
        sum(sum(steps.step)) over (partition by steps.ward_code order by steps.step_on)
            as residents
    from steps
    semi join wards on steps.ward_code = wards.ward_code
    group by steps.ward_code, steps.step_on
),

ward_periods as (
    select
        wards.ward_code,
        periods.period_kind,
        periods.period_start,
        periods.data_through
    from wards
    cross join periods
),

-- Each ward's running total on its last step up to the period's data_through.
residents as (
    select
        ward_periods.ward_code,
        ward_periods.period_kind,
        ward_periods.period_start,
        cast(coalesce(sum(ward_days.residents), 0) as bigint) as residents
    from ward_periods
    asof left join ward_days
        on
            ward_periods.ward_code = ward_days.ward_code
            and ward_periods.data_through >= ward_days.step_on
    group by grouping sets (
        (ward_periods.ward_code, ward_periods.period_kind, ward_periods.period_start),
        (ward_periods.period_kind, ward_periods.period_start)
    )
),

counted as (
    select
        incidents.ward_code,
        periods.period_kind,
        periods.period_start,
        count(*) filter (where incidents.occurred_on >= periods.period_start) as crimes,
        count(*) filter (where incidents.occurred_on <= periods.prior_through) as prior_crimes,
        count(*) filter (
            where
                incidents.occurred_on >= periods.period_start
                and incidents.solved_on <= periods.data_through
        ) as solved
    from incidents
    inner join periods
        on
            incidents.occurred_on between periods.prior_start and periods.data_through
            and (
                incidents.occurred_on >= periods.period_start
                or incidents.occurred_on <= periods.prior_through
            )
    where incidents.category = 'social_order_crime' and not incidents.is_dismissed
    group by grouping sets (
        (incidents.ward_code, periods.period_kind, periods.period_start),
        (periods.period_kind, periods.period_start)
    )
),

grid as (
    select
        areas.ward_code,
        periods.*,
        coalesce(counted.crimes, 0) as crimes,
        case when periods.prior_is_covered then coalesce(counted.prior_crimes, 0) end
            as prior_crimes,
        coalesce(counted.solved, 0) as solved,
        coalesce(residents.residents, 0) as residents
    from province_areas() as areas
    cross join periods
    left join counted
        on
            areas.ward_code is not distinct from counted.ward_code
            and periods.period_kind = counted.period_kind
            and periods.period_start = counted.period_start
    left join residents
        on
            areas.ward_code is not distinct from residents.ward_code
            and periods.period_kind = residents.period_kind
            and periods.period_start = residents.period_start
),

final as (
    select
        ward_code,
        period_kind,
        period_year,
        period_number,
        period_start,
        period_end,
        period_label,
        data_through,
        is_complete,
        crimes,
        prior_crimes,
        crimes - prior_crimes as change,
        pct(crimes - prior_crimes, prior_crimes) as pct_change,
        solved,
        pct(solved, crimes) as clearance_pct,
        residents,
        -- crimes x 100,000 / residents = pct(crimes x 1,000, residents)
        pct(crimes * 1000, residents) as crimes_per_100k,
        case when is_complete then meets_reduction_target(crimes, prior_crimes) end
            as meets_target,
        not is_complete as is_provisional
    from grid
)

select * from final
order by
    ward_code nulls first,
    list_position(
        ['month', 'quarter', 'six_months', 'nine_months', 'year', 'calendar_year'], period_kind
    ),
    period_start;
