-- fct_resident_states: the population registry as states: every change with the person's whole
-- state after it (person_states), in force from the change until the person's next change.
-- grain: one row per registry change
-- key: population_update_id
-- The registry snapshot the connection opened with (warehouse/snapshots.py) holds these states
-- over the changes landed when it was written. The people with a copy landed since are folded
-- again from their snapshot rows and their copies since: every copy of their changes is one or
-- the other, or a copy the snapshot has seen, so first_offset over them is first_offset over
-- every copy, and the rows are person_states over stg_population_updates either way.
create or replace view fct_resident_states as
with snapshot as not materialized (
    select * from read_parquet(getvariable('registry_snapshot'))
),

-- Materialized: read twice below, and each read would list the files again.
copies as materialized (
    select *
    from landed_copies_since(getvariable('registry_watermarks'), 'population_updates')
),

changed as (
    select distinct person_key from copies
),

changed_copies as (
    select columns(lambda c: c <> 'population_update_id' and not starts_with(c, 'state_'))
    from snapshot
    semi join changed on snapshot.person_key is not distinct from changed.person_key
    union all by name
    select * from copies
),

changed_picks as (
    select * from first_copy('changed_copies', event_id)
),

changed_updates as (
    select * from population_updates_staged('changed_picks')
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
