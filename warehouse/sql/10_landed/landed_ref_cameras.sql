-- landed_ref_cameras: every row landed from ref.cameras, crash replays removed.
-- grain: one row per source message
-- key: (source_topic, source_partition, source_offset)
create or replace view landed_ref_cameras as
select * from landed_rows('ref_cameras');
