-- stg_rejected: source messages the workers could not accept, with their reason codes.
-- grain: one row per rejected source message
-- key: (source_topic, source_partition, source_offset)
create or replace view stg_rejected as
with landed as (
    select * from landed_rejected
),

final as (
    select
        source_topic,
        source_partition,
        source_offset,
        reason_codes,
        message as rejection_message,
        rejected_at,
        load_id,
        landed_at
    from landed
)

select * from final;
