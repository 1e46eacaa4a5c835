-- stg_population_updates: changes in the population registry, renamed.
-- grain: one row per registry change
-- key: population_update_id
create or replace view stg_population_updates as
with updates as (
    select * from first_offset('population_updates', event_id)
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
        columns(lineage_columns())
    from updates
)

select * from final;
