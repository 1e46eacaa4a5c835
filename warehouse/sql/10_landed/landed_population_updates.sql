-- landed_population_updates: every row landed from population.updates, crash replays removed.
-- grain: one row per source message
-- key: (source_topic, source_partition, source_offset)
create or replace view landed_population_updates as
select * from landed_rows('population_updates');
