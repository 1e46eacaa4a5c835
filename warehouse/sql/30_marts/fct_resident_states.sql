-- fct_resident_states: the population registry as states: every change with the person's whole
-- state after it (person_states), in force from the change until the person's next change.
-- grain: one row per registry change
-- key: population_update_id
-- The registry snapshot the connection opened with (warehouse/snapshots.py) holds these states
-- over the changes landed when it was written; the people with a change landed since are folded
-- again from stg_population_updates. Either way the rows are person_states over
-- stg_population_updates.
create or replace view fct_resident_states as
with snapshot as (
    select * from read_parquet(getvariable('registry_snapshot'))
),

changed as (
    select distinct person_key
    from landed_copies_since(getvariable('registry_watermarks'), 'population_updates')
),

changed_updates as (
    select updates.*
    from stg_population_updates as updates
    semi join changed on updates.person_key is not distinct from changed.person_key
),

final as (
    select population_update_id, person_key, columns('^state_')
    from snapshot
    anti join changed on snapshot.person_key is not distinct from changed.person_key
    union all
    select population_update_id, person_key, columns('^state_')
    from person_states('changed_updates')
)

select * from final;
