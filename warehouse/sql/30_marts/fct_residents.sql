-- fct_residents: the population registry replayed up to as_of: who lives where, with an ID card
-- and VNeID level.
-- grain: one row per person registered in a ward at as_of
-- key: person_key
-- Only changes that occurred on or before as_of (local date) count. A person lives in the ward of
-- their latest 'registered' or 'moved' change, permanent or temporary alike, unless a later
-- 'removed' ends the residency (the residencies macro, which also counts residents on other days);
-- an ID card or VNeID account obtained earlier, anywhere, counts.
-- Age is taken on as_of, from the latest birth date the registry gave.
create or replace view fct_residents as
-- Materialized: scanned once, so every row of this query sees the same landed files.
with updates as materialized (
    select *
    from stg_population_updates
    where local_date(occurred_at) <= getvariable('as_of')
),

placements as (
    select
        person_key,
        ward_code,
        residence_type
    from residencies(updates)
    where lives_there_on(change_type, valid_from, valid_until, getvariable('as_of'))
),

people as (
    select
        person_key,
        arg_max(birth_date, occurred_at) filter (where birth_date is not null) as birth_date,
        arg_max(sex, occurred_at) filter (where sex is not null) as sex,
        bool_or(change_type = 'id_card_issued') as has_id_card,
        max(vneid_level) filter (where change_type = 'vneid_activated') as vneid_level
    from updates
    group by person_key
),

final as (
    select
        placements.person_key,
        placements.ward_code,
        placements.residence_type,
        people.birth_date,
        people.sex,
        age_on(people.birth_date, getvariable('as_of')) as age_years,
        age_band(age_on(people.birth_date, getvariable('as_of'))) as age_band,
        people.has_id_card,
        people.vneid_level,
        coalesce(people.vneid_level >= 2, false) as has_vneid_level2
    from placements
    inner join people on placements.person_key = people.person_key
)

select * from final;
