-- landed_camera_events: every row landed from camera.events, crash replays removed.
-- grain: one row per source message
-- key: (source_topic, source_partition, source_offset)
create or replace view landed_camera_events as
select * from landed_rows('camera_events');
