-- stg_alerts: watchlist hits raised by the workers.
-- grain: one row per alert
-- key: alert_id
-- An alert raised again for a re-sent event is the same alert: kept with the event's first offset.
create or replace view stg_alerts as
with alerts as (
    select * from first_offset('alerts', alert_id)
),

final as (
    select
        alert_id,
        kind as alert_kind,
        entry_id as watchlist_entry_id,
        source_event_id,
        ward_code,
        observed_at,
        raised_at,
        columns(lineage_columns())
    from alerts
)

select * from final;
