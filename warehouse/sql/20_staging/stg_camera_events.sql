-- stg_camera_events: camera detections, renamed.
-- grain: one row per camera event
-- key: camera_event_id
-- A producer retry re-sends an event under a new offset: the first offset wins.
create or replace view stg_camera_events as
with landed as (
    select * from landed_camera_events
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
        source_topic,
        source_partition,
        source_offset,
        load_id,
        landed_at
    from landed
    qualify row_number() over (
        partition by event_id order by source_offset, source_partition
    ) = 1
)

select * from final;
