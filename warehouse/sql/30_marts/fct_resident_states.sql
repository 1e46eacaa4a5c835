-- fct_resident_states: the population registry as states: every change with the person's whole
-- state after it (person_states), in force from the change until the person's next change.
-- grain: one row per registry change
-- key: population_update_id
-- The registry snapshot the connection opened with (warehouse/snapshots.py) holds these states
-- over the changes landed when it was written; the people with a copy landed since are folded
-- again (resident_state_revisions), and their folded states replace their snapshot rows.
create or replace view fct_resident_states as
with snapshot as (
    select * from read_parquet(getvariable('registry_snapshot'))
),

-- Materialized: read twice below, and each read would list the files again.
copies as materialized (
    select *
    from landed_copies_since(getvariable('registry_watermarks'), 'population_updates')
),

final as (
    select population_update_id, person_key, columns('^state_')
    from snapshot
    anti join copies on snapshot.person_key is not distinct from copies.person_key
    union all
    select population_update_id, person_key, columns('^state_')
    from resident_state_revisions(getvariable('registry_snapshot'), 'copies')
    where revision = 1
)

select * from final;
