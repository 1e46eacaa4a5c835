-- stg_rejected: source messages the workers could not accept, with their reason codes.
-- grain: one row per rejected source message
-- key: (source_topic, source_partition, source_offset)
create or replace view stg_rejected as
with rejected as (
    select * from landed_rejected
),

final as (
    select
        reason_codes,
        message as rejection_message,
        rejected_at,
        columns(lineage_columns())
    from rejected
)

select * from final;
