-- fct_incidents: incident reports in their latest version, bucketed by local date.
-- grain: one row per report
-- key: report_id
-- A dismissed report was found unfounded: indicators that count incidents leave it out, while
-- petition figures keep it as a received petition. A crime is solved (khám phá) from solved_on on;
-- the latest version of the report says whether and when.
create or replace view fct_incidents as
with reports as (
    select * from stg_incident_reports
),

categories as (
    select * from incident_categories()
),

wards as (
    select * from dim_wards
),

final as (
    select
        reports.report_id,
        reports.ward_code,
        wards.ward_name,
        wards.province_code,
        wards.province_name,
        reports.category,
        categories.category_label,
        coalesce(categories.is_crime, false) as is_crime,
        reports.severity,
        reports.channel,
        reports.status,
        reports.status = 'dismissed' as is_dismissed,
        reports.is_mass_petition,
        reports.deaths,
        reports.injuries,
        reports.occurred_at,
        reports.received_at,
        reports.updated_at,
        reports.solved_at,
        local_date(reports.occurred_at) as occurred_on,
        local_date(reports.received_at) as received_on,
        local_date(reports.solved_at) as solved_on
    from reports
    left join categories on reports.category = categories.category
    left join wards on reports.ward_code = wards.ward_code
)

select * from final;
