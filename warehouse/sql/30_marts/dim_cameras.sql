-- dim_cameras: the security cameras on ref.cameras, with whether each is in service at as_of.
-- grain: one row per camera
-- key: camera_id
-- ref.cameras holds the current state only: as_of decides from the installed and removed dates
-- whether a camera counts, but is_connected is always the latest known value.
create or replace view dim_cameras as
with cameras as (
    select * from stg_cameras
),

final as (
    select
        camera_id,
        camera_name,
        ward_code,
        camera_owner,
        is_connected,
        latitude,
        longitude,
        installed_on,
        removed_on,
        coalesce(installed_on <= getvariable('as_of'), true)
        and coalesce(removed_on > getvariable('as_of'), true) as is_in_service
    from cameras
)

select * from final;
