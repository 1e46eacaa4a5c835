-- stg_dq_results: data-quality results of every `antt dq run`, with the latest run flagged.
-- grain: one row per expectation per run
-- key: (run_id, expectation_id)
-- "The latest status" of a check is its row with is_latest_run; severity 'critical' failures are
-- the ones that made the run exit non-zero.
create or replace view stg_dq_results as
with landed as (
    select * from landed_dq_results
),

final as (
    select
        run_id,
        run_at,
        suite,
        expectation_id,
        expectation,
        check_name,
        column_name,
        severity,
        success,
        observed_value,
        unexpected_count,
        details,
        run_at = max(run_at) over () as is_latest_run,
        load_id,
        landed_at
    from landed
)

select * from final;
