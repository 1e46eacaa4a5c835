-- ind_camera_coverage: security cameras in service at as_of per ward, and whether at least one is
-- connected to a monitoring centre.
-- grain: one row per ward, plus the province row (ward_code NULL)
-- key: ward_code
-- The province row gives the share of wards with a connected camera (connected_ward_pct), and its
-- has_connected_camera says whether any ward has one; on a ward row the same columns read 1 ward,
-- 0 or 1 with a connected camera, 0 or 100%, so that province = sum of wards everywhere.
create or replace view ind_camera_coverage as
with wards as (
    select * from province_wards()
),

cameras as (
    select * from dim_cameras
    where is_in_service
),

ward_cameras as (
    select
        wards.ward_code,
        count(cameras.camera_id) as cameras,
        count(cameras.camera_id) filter (where cameras.is_connected) as connected_cameras
    from wards
    left join cameras on wards.ward_code = cameras.ward_code
    group by wards.ward_code
),

counted as (
    select
        ward_code,
        cast(sum(cameras) as bigint) as cameras,
        cast(sum(connected_cameras) as bigint) as connected_cameras,
        count(*) as wards,
        count(*) filter (where connected_cameras > 0) as wards_with_connected_camera
    from ward_cameras
    group by grouping sets ((ward_code), ())
),

final as (
    select
        ward_code,
        cameras,
        connected_cameras,
        wards_with_connected_camera > 0 as has_connected_camera,
        wards,
        wards_with_connected_camera,
        pct(wards_with_connected_camera, wards) as connected_ward_pct,
        getvariable('as_of') as as_of
    from counted
)

select * from final
order by ward_code nulls first;
