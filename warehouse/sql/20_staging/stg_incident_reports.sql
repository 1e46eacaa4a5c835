-- stg_incident_reports: tip-offs, crime reports, accidents and petitions in their latest version.
-- grain: one row per report
-- key: report_id
-- A report is re-sent on every status change: the latest updated_at wins.
create or replace view stg_incident_reports as
with reports as (
    select * from latest_version('incident_reports', report_id, updated_at)
),

final as (
    select
        report_id,
        ward_code,
        category,
        severity,
        channel,
        status,
        deaths,
        injuries,
        is_mass_petition,
        occurred_at,
        received_at,
        updated_at,
        solved_at,
        columns(lineage_columns())
    from reports
)

select * from final;
