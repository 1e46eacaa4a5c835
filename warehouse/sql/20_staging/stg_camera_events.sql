-- stg_camera_events: camera detections, renamed.
-- grain: one row per camera event
-- key: camera_event_id
create or replace view stg_camera_events as
with camera_events as (
    select * from first_offset('camera_events', event_id)
),

final as (
    select
        event_id as camera_event_id,
        camera_id,
        ward_code,
        observed_at,
        kind as detection_kind,
        plate_status,
        plate_key,
        plate_locality,
        vehicle_type,
        confidence,
        camera_owner,
        camera_is_connected as is_camera_connected,
        columns(lineage_columns())
    from camera_events
)

select * from final;
