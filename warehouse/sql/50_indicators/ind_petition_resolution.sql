-- ind_petition_resolution: complaints and petitions resolved per ward and year (seed 004: resolve
-- over 80% each year).
-- grain: one row per (ward_code, year), ward_code NULL for the province total
-- key: (ward_code, year)
-- A petition counts in the local year it was received, with its latest status: one resolved after
-- the year ended still counts as resolved in the year it arrived, so a past year's rate can rise
-- later. meets_target is resolved >= 80% of received (exact), NULL when nothing was received.
create or replace view ind_petition_resolution as
with ward_years as (
    select * from agg_ward_years
),

final as (
    select
        ward_code,
        year,
        petitions_received as received,
        petitions_resolved as resolved,
        pct(petitions_resolved, petitions_received) as resolved_pct,
        case
            when petitions_received > 0 then petitions_resolved * 100 >= petitions_received * 80
        end as meets_target,
        petitions_in_progress as in_progress,
        petitions_transferred as transferred,
        petitions_dismissed as dismissed,
        is_complete_year
    from ward_years
)

select * from final
order by ward_code nulls first, year;
