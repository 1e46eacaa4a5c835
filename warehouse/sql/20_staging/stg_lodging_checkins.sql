-- stg_lodging_checkins: guests checking in and out of lodging facilities, renamed.
-- grain: one row per check-in or check-out event
-- key: lodging_checkin_id
create or replace view stg_lodging_checkins as
with checkins as (
    select * from first_offset('lodging_checkins', event_id)
),

final as (
    select
        event_id as lodging_checkin_id,
        facility_id,
        ward_code,
        action,
        occurred_at,
        notified_at,
        read_method,
        guest_key,
        guest_id_type,
        guest_is_legacy_id as is_guest_legacy_id,
        guest_birth_date,
        guest_sex,
        guest_nationality,
        guest_birth_province_code,
        guest_has_phone as has_guest_phone,
        guest_age,
        guest_age_band,
        guest_home_ward_code,
        guest_home_province_code,
        is_foreigner,
        is_visitor,
        is_notified_on_time,
        columns(lineage_columns())
    from checkins
)

select * from final;
