-- stg_watchlist: the watched plates and persons on ref.watchlist, in their latest version.
-- grain: one row per watchlist entry
-- key: watchlist_entry_id
create or replace view stg_watchlist as
with entries as (
    select * from current_entities('ref_watchlist', entry_id)
),

final as (
    select
        entry_id as watchlist_entry_id,
        kind as entry_kind,
        value_key,
        reason,
        is_active,
        listed_at,
        columns(lineage_columns())
    from entries
)

select * from final;
