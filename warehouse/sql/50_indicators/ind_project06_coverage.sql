-- ind_project06_coverage: Project 06 coverage at as_of: ID cards per age band and VNeID level-2
-- accounts among residents aged 14 and over.
-- grain: one row per (ward_code, age_band), ward_code NULL for the province total
-- key: (ward_code, age_band)
-- Residents and ages come from fct_residents (the registry replayed up to as_of). 'all' includes
-- residents without a known birth date, who belong to no band. vneid_level2_pct is over residents
-- aged 14 and over, the Project 06 definition: NULL for the under-14 bands, and on the 'all' row it
-- is the 14-and-over rate, not vneid_level2 / residents of that row.
create or replace view ind_project06_coverage as
with wards as (
    select * from province_wards()
),

residents as (
    select * from fct_residents
),

bands as (
    select *
    from (
        values ('under_6', 1), ('6_to_13', 2), ('14_plus', 3), ('all', 4)
    ) as bands (age_band, band_order)
),

band_members as (
    select
        residents.ward_code,
        bands.age_band,
        residents.has_id_card,
        residents.has_vneid_level2,
        residents.age_band = '14_plus' as is_14_plus
    from residents
    semi join wards on residents.ward_code = wards.ward_code
    inner join bands on residents.age_band = bands.age_band or bands.age_band = 'all'
),

counted as (
    select
        ward_code,
        age_band,
        count(*) as residents,
        count(*) filter (where has_id_card) as with_id_card,
        count(*) filter (where has_vneid_level2) as vneid_level2,
        count(*) filter (where is_14_plus) as residents_14_plus,
        count(*) filter (where is_14_plus and has_vneid_level2) as vneid_level2_14_plus
    from band_members
    group by ward_code, age_band
),

totals as (
    select
        wards.ward_code,
        bands.age_band,
        bands.band_order,
        cast(coalesce(sum(counted.residents), 0) as bigint) as residents,
        cast(coalesce(sum(counted.with_id_card), 0) as bigint) as with_id_card,
        cast(coalesce(sum(counted.vneid_level2), 0) as bigint) as vneid_level2,
        cast(coalesce(sum(counted.residents_14_plus), 0) as bigint) as residents_14_plus,
        cast(coalesce(sum(counted.vneid_level2_14_plus), 0) as bigint) as vneid_level2_14_plus
    from wards
    cross join bands
    left join counted
        on wards.ward_code = counted.ward_code and bands.age_band = counted.age_band
    group by grouping sets (
        (wards.ward_code, bands.age_band, bands.band_order), (bands.age_band, bands.band_order)
    )
),

final as (
    select
        ward_code,
        age_band,
        residents,
        with_id_card,
        pct(with_id_card, residents) as id_card_pct,
        vneid_level2,
        case
            when age_band in ('14_plus', 'all')
                then pct(vneid_level2_14_plus, residents_14_plus)
        end as vneid_level2_pct,
        getvariable('as_of') as as_of,
        band_order
    from totals
)

select * exclude (band_order) from final
order by ward_code nulls first, band_order;
