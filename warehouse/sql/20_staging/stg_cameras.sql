-- stg_cameras: the security cameras on ref.cameras, in their latest version.
-- grain: one row per camera
-- key: camera_id
-- The topic is compacted: the latest offset wins, and a camera whose latest version is a deletion
-- is dropped (a deletion must win over older versions, so it is applied after picking the latest).
create or replace view stg_cameras as
with landed as (
    select * from landed_ref_cameras
),

latest as (
    select *
    from landed
    qualify row_number() over (
        partition by camera_id order by source_offset desc, landed_at desc
    ) = 1
),

final as (
    select
        camera_id,
        name as camera_name,
        ward_code,
        owner as camera_owner,
        is_connected,
        latitude,
        longitude,
        installed_on,
        removed_on,
        source_topic,
        source_partition,
        source_offset,
        load_id,
        landed_at
    from latest
    where not coalesce(is_deleted, false)
)

select * from final;
