-- landed_dq_results: every data-quality result `antt dq run` appended, one row per expectation per
-- run.
-- grain: one row per landed result
-- key: (source_topic, source_partition, source_offset)
create or replace view landed_dq_results as
select * from landed_rows('dq_results');
