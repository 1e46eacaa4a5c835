-- landed_lodging_checkins: every row landed from lodging.checkins, crash replays removed.
-- grain: one row per source message
-- key: (source_topic, source_partition, source_offset)
-- A crash between landing a file and committing its offsets lands the range again under another
-- file name; the copy landed first wins, so a replay never counts twice.
create or replace view landed_lodging_checkins as
with landed_files as (
    select *
    from read_parquet(
        '{landing}/lodging_checkins/**/*.parquet', union_by_name = true, hive_partitioning = false
    )
),

final as (
    select *
    from landed_files
    qualify row_number() over (
        partition by source_topic, source_partition, source_offset
        order by landed_at, load_id
    ) = 1
)

select * from final;
