-- stg_population_updates: changes in the population registry, renamed.
-- grain: one row per registry change
-- key: population_update_id
-- A producer retry re-sends an event under a new offset: the first offset wins.
create or replace view stg_population_updates as
with landed as (
    select * from landed_population_updates
),

final as (
    select
        event_id as population_update_id,
        person_key,
        occurred_at,
        change as change_type,
        birth_date,
        sex,
        birth_province_code,
        ward_code,
        residence as residence_type,
        vneid_level,
        source_topic,
        source_partition,
        source_offset,
        load_id,
        landed_at
    from landed
    qualify row_number() over (
        partition by event_id order by source_offset, source_partition
    ) = 1
)

select * from final;
