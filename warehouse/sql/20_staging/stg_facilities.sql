-- stg_facilities: the lodging facilities on ref.facilities, in their latest version.
-- grain: one row per facility
-- key: facility_id
create or replace view stg_facilities as
with facilities as (
    select * from current_entities('ref_facilities', facility_id)
),

final as (
    select
        facility_id,
        name as facility_name,
        kind as facility_kind,
        ward_code,
        on_platform_since as joined_platform_on,
        columns(lineage_columns())
    from facilities
)

select * from final;
