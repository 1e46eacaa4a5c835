-- dim_facilities: the lodging facilities on ref.facilities, with whether each notifies guests
-- through the platform at as_of.
-- grain: one row per facility
-- key: facility_id
create or replace view dim_facilities as
with facilities as (
    select * from stg_facilities
),

final as (
    select
        facility_id,
        facility_name,
        facility_kind,
        ward_code,
        joined_platform_on,
        coalesce(joined_platform_on <= getvariable('as_of'), false) as is_on_platform
    from facilities
)

select * from final;
