-- ind_petition_resolution: complaints and petitions resolved per ward and year (seed 004: resolve
-- over 80% each year). Years are reporting years (15 December to 14 December) unless the session's
-- year_basis is 'calendar'; period_label names the year as a report does.
-- grain: one row per (ward_code, year), ward_code NULL for the province total
-- key: (ward_code, year)
-- A petition counts in the local year it was received, with its latest status: one resolved after
-- the year ended still counts as resolved in the year it arrived, so a past year's rate can rise
-- later. meets_target is resolved >= 80% of received (exact), NULL when nothing was received and
-- NULL while the year runs (is_provisional): petitions received last week are not late yet.
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
            when is_complete_year and petitions_received > 0
                then petitions_resolved * 100 >= petitions_received * 80
        end as meets_target,
        petitions_in_progress as in_progress,
        petitions_transferred as transferred,
        petitions_dismissed as dismissed,
        is_complete_year,
        period_label,
        data_through,
        not is_complete_year as is_provisional
    from ward_years
)

select * from final
order by ward_code nulls first, year;
