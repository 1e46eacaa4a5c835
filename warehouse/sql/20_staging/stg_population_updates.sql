-- stg_population_updates: changes in the population registry, renamed.
-- grain: one row per registry change
-- key: population_update_id
-- Read from the registry snapshot the connection opened with and the copies landed since
-- (first_offset_since): the same rows as first_offset over every copy, without sorting them all.
create or replace view stg_population_updates as
with updates as (
    select *
    from first_offset_since(
        getvariable('registry_snapshot'),
        getvariable('registry_watermarks'),
        'population_updates',
        event_id
    )
),

final as (
    select * from population_updates_staged('updates')
)

select * from final;
