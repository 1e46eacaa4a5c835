-- stg_incident_reports: tip-offs, crime reports, accidents and petitions in their latest version.
-- grain: one row per report
-- key: report_id
-- A report is re-sent on every status change: the latest updated_at wins, and of two versions with
-- the same updated_at the later offset wins.
create or replace view stg_incident_reports as
with landed as (
    select * from landed_incident_reports
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
        source_topic,
        source_partition,
        source_offset,
        load_id,
        landed_at
    from landed
    qualify row_number() over (
        partition by report_id
        order by updated_at desc, source_offset desc, source_partition desc
    ) = 1
)

select * from final;
