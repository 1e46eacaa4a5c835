-- landed_ref_watchlist: every row landed from ref.watchlist, crash replays removed.
-- grain: one row per source message
-- key: (source_topic, source_partition, source_offset)
create or replace view landed_ref_watchlist as
select * from landed_rows('ref_watchlist');
