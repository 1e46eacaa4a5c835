-- ind_lodging_platform: lodging facilities notifying guests through the platform at as_of, and the
-- quality of the year's check-in notifications.
-- grain: one row per ward, plus the province row (ward_code NULL)
-- key: ward_code
-- Check-ins run from 1 January of the as_of year to as_of (local dates, check_in actions only).
-- chip_read_pct counts reads of the chip ID card only (vneid_read_pct is separate);
-- late_notification_pct counts notifications after the Thông tư 55/2021 deadline.
create or replace view ind_lodging_platform as
with wards as (
    select * from province_wards()
),

facilities as (
    select * from dim_facilities
),

checkins as (
    select * from fct_lodging_checkins
    where
        action = 'check_in'
        and occurred_on between make_date(year(getvariable('as_of')), 1, 1)
        and getvariable('as_of')
),

facility_counts as (
    select
        ward_code,
        count(*) as facilities,
        count(*) filter (where is_on_platform) as on_platform
    from facilities
    group by ward_code
),

checkin_counts as (
    select
        ward_code,
        count(*) as checkins,
        count(*) filter (where read_method = 'chip') as chip_reads,
        count(*) filter (where read_method = 'vneid') as vneid_reads,
        count(*) filter (where not is_notified_on_time) as late_notifications
    from checkins
    group by ward_code
),

counted as (
    select
        wards.ward_code,
        cast(coalesce(sum(facility_counts.facilities), 0) as bigint) as facilities,
        cast(coalesce(sum(facility_counts.on_platform), 0) as bigint) as on_platform,
        cast(coalesce(sum(checkin_counts.checkins), 0) as bigint) as checkins,
        cast(coalesce(sum(checkin_counts.chip_reads), 0) as bigint) as chip_reads,
        cast(coalesce(sum(checkin_counts.vneid_reads), 0) as bigint) as vneid_reads,
        cast(coalesce(sum(checkin_counts.late_notifications), 0) as bigint) as late_notifications
    from wards
    left join facility_counts on wards.ward_code = facility_counts.ward_code
    left join checkin_counts on wards.ward_code = checkin_counts.ward_code
    group by grouping sets ((wards.ward_code), ())
),

final as (
    select
        ward_code,
        facilities,
        on_platform,
        pct(on_platform, facilities) as on_platform_pct,
        checkins,
        chip_reads,
        pct(chip_reads, checkins) as chip_read_pct,
        vneid_reads,
        pct(vneid_reads, checkins) as vneid_read_pct,
        late_notifications,
        pct(late_notifications, checkins) as late_notification_pct,
        make_date(year(getvariable('as_of')), 1, 1) as period_start,
        getvariable('as_of') as period_end
    from counted
)

select * from final
order by ward_code nulls first;
