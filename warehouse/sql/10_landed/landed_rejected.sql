-- landed_rejected: every source message the workers could not accept, crash replays removed.
-- grain: one row per source message
-- key: (source_topic, source_partition, source_offset)
create or replace view landed_rejected as
select * from landed_rows('rejected');
