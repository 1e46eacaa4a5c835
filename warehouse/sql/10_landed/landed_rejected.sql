-- landed_rejected: every source message the workers could not accept, crash replays removed.
-- grain: one row per source message
-- key: (source_topic, source_partition, source_offset)
-- Rows gather here from every source topic; the lineage columns name the rejected message itself.
-- A replayed range lands again under another file name; the copy landed first wins.
create or replace view landed_rejected as
with landed_files as (
    select *
    from read_parquet(
        '{landing}/rejected/**/*.parquet', union_by_name = true, hive_partitioning = false
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
