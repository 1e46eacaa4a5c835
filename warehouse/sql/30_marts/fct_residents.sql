-- fct_residents: the population registry replayed up to as_of: who lives where, with an ID card
-- and VNeID level.
-- grain: one row per person registered in a ward at as_of
-- key: person_key
-- Only changes that occurred on or before as_of (local date) count. A person lives in the ward of
-- their latest 'registered' or 'moved' change, permanent or temporary alike, unless a later
-- 'removed' ends the residency; an ID card or VNeID account obtained earlier, anywhere, counts.
-- Age is taken on as_of, from the latest birth date the registry gave.
-- Changes apply in the order the residencies macro applies them (occurred_at, then offset), so
-- this is the residencies span in force on as_of: of the changes up to as_of only the latest one's
-- span is still open, and one pass per person finds it without the macro's window.
create or replace view fct_residents as
with updates as (
    select *
    from stg_population_updates
    where occurred_at < local_day_end(getvariable('as_of'))
),

people as (
    select
        person_key,
        arg_max(
            {'change_type': change_type, 'ward_code': ward_code, 'residence_type': residence_type},
            {
                'occurred_at': occurred_at,
                'source_offset': source_offset,
                'source_partition': source_partition
            }
        ) filter (where change_type in ('registered', 'moved', 'removed')) as placement,
        arg_max(birth_date, occurred_at) filter (where birth_date is not null) as birth_date,
        arg_max(sex, occurred_at) filter (where sex is not null) as sex,
        bool_or(change_type = 'id_card_issued') as has_id_card,
        max(vneid_level) filter (where change_type = 'vneid_activated') as vneid_level
    from updates
    group by person_key
),

final as (
    select
        person_key,
        placement.ward_code,
        placement.residence_type,
        birth_date,
        sex,
        age_on(birth_date, getvariable('as_of')) as age_years,
        age_band(age_on(birth_date, getvariable('as_of'))) as age_band,
        has_id_card,
        vneid_level,
        coalesce(vneid_level >= 2, false) as has_vneid_level2
    from people
    where placement.change_type <> 'removed'
)

select * from final;
