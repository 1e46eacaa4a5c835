-- stg_facilities: the lodging facilities on ref.facilities, in their latest version.
-- grain: one row per facility
-- key: facility_id
-- The topic is compacted: the latest offset wins, and a facility whose latest version is a deletion
-- is dropped (a deletion must win over older versions, so it is applied after picking the latest).
create or replace view stg_facilities as
with landed as (
    select * from landed_ref_facilities
),

latest as (
    select *
    from landed
    qualify row_number() over (
        partition by facility_id order by source_offset desc, landed_at desc
    ) = 1
),

final as (
    select
        facility_id,
        name as facility_name,
        kind as facility_kind,
        ward_code,
        on_platform_since as joined_platform_on,
        source_topic,
        source_partition,
        source_offset,
        load_id,
        landed_at
    from latest
    where not coalesce(is_deleted, false)
)

select * from final;
