-- stg_watchlist: the watched plates and persons on ref.watchlist, in their latest version.
-- grain: one row per watchlist entry
-- key: watchlist_entry_id
-- The topic is compacted: the latest offset wins, and an entry whose latest version is a deletion
-- is dropped (a deletion must win over older versions, so it is applied after picking the latest).
create or replace view stg_watchlist as
with landed as (
    select * from landed_ref_watchlist
),

latest as (
    select *
    from landed
    qualify row_number() over (
        partition by entry_id order by source_offset desc, landed_at desc
    ) = 1
),

final as (
    select
        entry_id as watchlist_entry_id,
        kind as entry_kind,
        value_key,
        reason,
        is_active,
        listed_at,
        source_topic,
        source_partition,
        source_offset,
        load_id,
        landed_at
    from latest
    where not coalesce(is_deleted, false)
)

select * from final;
