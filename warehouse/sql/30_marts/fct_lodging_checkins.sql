-- fct_lodging_checkins: lodging notifications, bucketed by local date.
-- grain: one row per check-in or check-out event
-- key: lodging_checkin_id
-- ward_code is the facility's ward when the guest stayed, as landed, not the facility's ward today.
create or replace view fct_lodging_checkins as
with checkins as (
    select * from stg_lodging_checkins
),

final as (
    select
        lodging_checkin_id,
        facility_id,
        ward_code,
        action,
        read_method,
        is_notified_on_time,
        is_foreigner,
        is_visitor,
        guest_home_province_code,
        guest_age_band,
        occurred_at,
        notified_at,
        local_date(occurred_at) as occurred_on
    from checkins
)

select * from final;
