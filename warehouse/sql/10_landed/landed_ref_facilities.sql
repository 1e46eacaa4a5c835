-- landed_ref_facilities: every row landed from ref.facilities, crash replays removed.
-- grain: one row per source message
-- key: (source_topic, source_partition, source_offset)
create or replace view landed_ref_facilities as
select * from landed_rows('ref_facilities');
