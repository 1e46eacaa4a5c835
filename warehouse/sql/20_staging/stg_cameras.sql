-- stg_cameras: the security cameras on ref.cameras, in their latest version.
-- grain: one row per camera
-- key: camera_id
create or replace view stg_cameras as
with cameras as (
    select * from current_entities('ref_cameras', camera_id)
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
        columns(lineage_columns())
    from cameras
)

select * from final;
