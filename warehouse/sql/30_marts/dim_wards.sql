-- dim_wards: Vietnam's current (post-July-2025) communes, wards and special zones, all provinces.
-- grain: one row per ward
-- key: ward_code
-- Loaded from the vietnam-provinces package at connect time (seed_wards, seed_provinces), so that
-- year-over-year figures are always computed on this one set of units.
create or replace view dim_wards as
with wards as (
    select * from seed_wards
),

provinces as (
    select * from seed_provinces
),

final as (
    select
        wards.ward_code,
        wards.ward_name,
        wards.division_type,
        wards.province_code,
        provinces.province_name
    from wards
    inner join provinces on wards.province_code = provinces.province_code
)

select * from final;
