-- fct_residents: the population registry replayed up to as_of: who lives where, with an ID card
-- and VNeID level.
-- grain: one row per person registered in a ward at as_of
-- key: person_key
-- Only changes that occurred on or before as_of (local date) count. A person lives in the ward of
-- their latest 'registered' or 'moved' change, permanent or temporary alike, unless a later
-- 'removed' ends the residency; an ID card or VNeID account obtained earlier, anywhere, counts.
-- Age is taken on as_of, from the latest birth date the registry gave. Each person's state at the
-- end of as_of is one row of fct_resident_states (person_states says how changes apply).
create or replace view fct_residents as
with states as (
    select *
    from fct_resident_states
    where
        state_from_at < local_day_end(getvariable('as_of'))
        and (
            state_until_at is null or state_until_at >= local_day_end(getvariable('as_of'))
        )
),

final as (
    select
        person_key,
        state_placement.ward_code,
        state_placement.residence_type,
        state_birth_date as birth_date,
        state_sex as sex,
        age_on(state_birth_date, getvariable('as_of')) as age_years,
        age_band(age_on(state_birth_date, getvariable('as_of'))) as age_band,
        state_has_id_card as has_id_card,
        state_vneid_level as vneid_level,
        coalesce(state_vneid_level >= 2, false) as has_vneid_level2
    from states
    where state_placement.change_type <> 'removed'
)

select * from final;
