-- landed_alerts: every watchlist alert the workers raised, crash replays removed.
-- grain: one row per alert of a source message
-- key: (source_topic, source_partition, source_offset, alert_id)
-- The lineage columns name the camera event or check-in that raised the alert, and one message can
-- match several watchlist entries, so the alert id is part of the key. A replayed range lands again
-- under another file name; the copy landed first wins.
create or replace view landed_alerts as
with final as (
    select *
    from landed_copies('alerts')
    qualify row_number() over (
        partition by source_topic, source_partition, source_offset, alert_id
        order by landed_at, load_id
    ) = 1
)

select * from final;
