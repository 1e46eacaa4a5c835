-- stg_alerts: watchlist hits raised by the workers.
-- grain: one row per alert
-- key: alert_id
-- An alert replayed under another source offset is the same alert: the first landed copy wins.
create or replace view stg_alerts as
with landed as (
    select * from landed_alerts
),

final as (
    select
        alert_id,
        kind as alert_kind,
        entry_id as watchlist_entry_id,
        source_topic,
        source_event_id,
        ward_code,
        observed_at,
        raised_at,
        source_partition,
        source_offset,
        load_id,
        landed_at
    from landed
    qualify row_number() over (
        partition by alert_id order by landed_at, source_offset
    ) = 1
)

select * from final;
