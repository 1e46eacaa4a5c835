-- landed_lodging_checkins: every row landed from lodging.checkins, crash replays removed.
-- grain: one row per source message
-- key: (source_topic, source_partition, source_offset)
create or replace view landed_lodging_checkins as
select * from landed_rows('lodging_checkins');
