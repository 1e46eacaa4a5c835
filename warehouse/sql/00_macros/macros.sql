-- Macros shared by every layer: functions, not models, so no grain.

-- The local calendar date of an instant. Timestamps are stored in UTC; every date bucket is local.
create or replace macro local_date(ts) as
    cast(timezone('Asia/Ho_Chi_Minh', ts) as date);

-- The first instant after local date d: local_date(ts) <= d exactly when ts < local_day_end(d), a
-- comparison with the stored UTC value instead of a time-zone conversion of every row.
create or replace macro local_day_end(d) as
    timezone('Asia/Ho_Chi_Minh', cast(d + 1 as timestamp));

-- numerator / denominator x 100, rounded half away from zero to exactly 2 decimals, NULL when the
-- denominator is 0. Integer arithmetic, because a DOUBLE quotient can fall just short of a .xx5
-- boundary and round the wrong way.
create or replace macro pct(numerator, denominator) as
    case
        when denominator = 0 then null
        else cast(
            cast(
                sign(numerator) * sign(denominator)
                * ((abs(numerator)::hugeint * 20000 + abs(denominator)) // (2 * abs(denominator)))
                as decimal(18, 0)
            ) * 0.01::decimal(3, 2)
            as decimal(12, 2)
        )
    end;

-- A reduction of at least 5%, compared exactly (not on the rounded pct). From zero the only way to
-- hold the target is to stay at zero; without a reference count the answer is unknown.
create or replace macro meets_reduction_target(current_count, reference_count) as
    case
        when reference_count is null then null
        when reference_count = 0 then current_count = 0
        else current_count * 100 <= reference_count * 95
    end;

-- Age in whole years on a day; a birthday counts on the day itself, and someone born on 29 February
-- turns a year older on 1 March in common years.
create or replace macro age_on(birth_date, on_date) as
    year(on_date) - year(birth_date)
    - case
        when month(on_date) * 100 + day(on_date) < month(birth_date) * 100 + day(birth_date) then 1
        else 0
    end;

-- The ID-card bands of the Identity Law 2023: optional under 6, optional with biometrics 6 to 13,
-- mandatory from 14.
create or replace macro age_band(age) as
    case
        when age is null then null
        when age < 6 then 'under_6'
        when age < 14 then '6_to_13'
        else '14_plus'
    end;

-- The categories of incident.reports v1, whether police statistics count them as crimes, and the
-- name analysts and dashboards show for them.
create or replace macro incident_categories() as table
    select *
    from (
        values
            ('social_order_crime', true, 'Tội phạm về trật tự xã hội'),
            ('drug_crime', true, 'Tội phạm về ma túy'),
            ('economic_crime', true, 'Tội phạm về kinh tế'),
            ('environmental_crime', true, 'Tội phạm về môi trường'),
            ('social_evil', false, 'Tệ nạn xã hội'),
            ('traffic_accident', false, 'Tai nạn giao thông'),
            ('fire_explosion', false, 'Cháy, nổ'),
            ('petition', false, 'Khiếu nại, kiến nghị'),
            ('other', false, 'Khác')
    ) as categories (category, is_crime, category_label);

-- The files of one landed table (<landing>/<table>/<source>/p<partition>/<first>-<last>.parquet,
-- and its zero-row seed) and every copy landed in them, crash replays included, with the file it
-- came from: the one place the landing layout is named.
create or replace macro landed_files(landed_table) as table
    select file from glob('{landing}/' || landed_table || '/**/*.parquet');

create or replace macro landed_copies(landed_table) as table
    select *
    from read_parquet(
        '{landing}/' || landed_table || '/**/*.parquet',
        union_by_name = true,
        hive_partitioning = false,
        filename = true
    );

-- Every row landed in one landed table, crash replays removed. A crash between landing a file
-- and committing its offsets lands the range again under another file name; the copy landed first
-- wins, so a replay never counts twice.
create or replace macro landed_rows(landed_table) as table
    select * exclude (filename)
    from landed_copies(landed_table)
    qualify row_number() over (
        partition by source_topic, source_partition, source_offset
        order by landed_at, load_id
    ) = 1;

-- The staging models. Each reads its landed table's copies through one of the three macros below,
-- which say once which version of a row is the one: first_offset, latest_version and
-- current_entities. Each then renames and casts, and ends with
-- columns(lineage_columns()): where every staged row came from, as warehouse/landing/schemas.py
-- writes it.
create or replace macro lineage_columns() as
    ['source_topic', 'source_partition', 'source_offset', 'load_id', 'landed_at'];

-- population.updates' landed columns as staged (pass the name of a relation of them): the staging
-- model's renames, said once for it and for the people fct_resident_states folds again.
create or replace macro population_updates_staged(updates) as table
    select
        event_id as population_update_id,
        person_key,
        occurred_at,
        change as change_type,
        birth_date,
        sex,
        birth_province_code,
        ward_code,
        residence as residence_type,
        vneid_level,
        columns(lineage_columns())
    from query_table(updates);

-- first_offset's pick over a relation of copies (pass its name).
create or replace macro first_copy(copies, event_key) as table
    select *
    from query_table(copies)
    qualify row_number() over (
        partition by event_key
        order by source_offset, source_partition, landed_at, load_id
    ) = 1;

-- One row per event of a landed table, read from its copies: a producer retry re-sends an event
-- under a new offset, and the first offset wins; a crash replay lands a range again, and of the
-- copies at one offset the one landed first wins, as in landed_rows. The copies at one offset are
-- one Kafka record and carry one event key, so one ordering settles both: a second window over
-- landed_rows would sort every row twice. An alert raised again for a re-sent event is the same
-- alert, kept with the event kept.
create or replace macro first_offset(landed_table, event_key) as table
    with copies as (
        select * exclude (filename) from landed_copies(landed_table)
    )

    select * from first_copy('copies', event_key);

-- The copies of a landed table landed after a snapshot of first_offset's rows (warehouse/
-- snapshots.py), given its watermarks: per source partition, the highest offset it holds, as a
-- list of {source_partition, watermark}. Every offset of a partition up to its watermark had
-- landed when the snapshot was written (a partition lands in offset order), so a copy at or below
-- it is one the snapshot has seen. Only the files whose names end above their partition's
-- watermark are read.
create or replace macro landed_copies_since(partition_watermarks, landed_table) as table
    with watermarks as (
        select mark.source_partition, mark.watermark
        from (select unnest(partition_watermarks) as mark)
    ),

    newer_files as (
        select landed.file
        from landed_files(landed_table) as landed
        left join watermarks
            on watermarks.source_partition = try_cast(
                regexp_extract(landed.file, '/p(\d+)/\d{20}-\d{20}\.parquet$', 1) as integer
            )
        where
            try_cast(regexp_extract(landed.file, '-(\d{20})\.parquet$', 1) as bigint)
            > coalesce(watermarks.watermark, -1)
    )

    select copies.* exclude (filename, watermark)
    from (
        select landed.*, watermarks.watermark
        from landed_copies(landed_table) as landed
        semi join newer_files on landed.filename = newer_files.file
        left join watermarks on landed.source_partition = watermarks.source_partition
    ) as copies
    where copies.source_offset > coalesce(copies.watermark, -1);

-- first_offset's rows from a snapshot (the Parquet file at snapshot_path, with its watermarks) and
-- the copies landed since (landed_copies_since): the copies go through first_offset's ordering
-- with the snapshot rows of the same events, the other snapshot rows stand, so the result is
-- first_offset's over every copy. With no snapshot, warehouse.connect() binds this macro to
-- first_offset itself (snapshots.WITHOUT_SNAPSHOT).
create or replace macro first_offset_since(
    snapshot_path, partition_watermarks, landed_table, event_key
) as table
    with snapshot as not materialized (
        select *, event_key as pick_key
        from read_parquet(snapshot_path)
    ),

    -- Materialized: read three times below, and each read would list the files again; one
    -- listing means a copy is either contested everywhere or nowhere.
    copies as materialized (
        select *, event_key as pick_key
        from landed_copies_since(partition_watermarks, landed_table)
    ),

    contested as (
        select snapshot.*
        from snapshot
        semi join copies on snapshot.pick_key is not distinct from copies.pick_key
        union all by name
        select * from copies
    ),

    settled as (
        select * from first_copy('contested', pick_key)
    )

    select snapshot.* exclude (pick_key)
    from snapshot
    anti join copies on snapshot.pick_key is not distinct from copies.pick_key
    union all by name
    select * exclude (pick_key) from settled;

-- One row per entity of a versioned record, read from its landed table's copies: the highest
-- version wins, of two with the same version the later offset, and of the copies at one offset (a
-- crash replay) the one landed first, as in landed_rows. The copies at one offset are one Kafka
-- record, so one ordering settles all three, as in first_offset.
create or replace macro latest_version(landed_table, entity_key, version) as table
    select * exclude (filename)
    from landed_copies(landed_table)
    qualify row_number() over (
        partition by entity_key
        order by version desc, source_offset desc, source_partition desc, landed_at, load_id
    ) = 1;

-- One row per entity of a compacted topic, as the topic holds it: its latest offset, and none when
-- that is a deletion (applied after picking the latest, so that it wins over older versions).
create or replace macro current_entities(landed_table, entity_key) as table
    select *
    from latest_version(landed_table, entity_key, source_offset)
    where not coalesce(is_deleted, false);

-- The reporting year of a local date. The Ministry of Public Security reports a year from 15
-- December to 14 December ("năm 2020 (từ ngày 15/12/2019 đến ngày 14/12/2020)"), so 15 December
-- already belongs to the next year.
create or replace macro reporting_year(d) as
    year(d) + case when month(d) = 12 and day(d) >= 15 then 1 else 0 end;

-- The year a yearly indicator puts a local date in: the reporting year unless the session asks for
-- calendar years (SET VARIABLE year_basis = 'calendar').
create or replace macro basis_year(d) as
    case when getvariable('year_basis') = 'calendar' then year(d) else reporting_year(d) end;

-- The kind of year periods the yearly indicators use under the session's year_basis.
create or replace macro basis_year_kind() as
    case when getvariable('year_basis') = 'calendar' then 'calendar_year' else 'year' end;

-- The first day of reporting year y, and so of its first month, first quarter, 6 and 9 months.
create or replace macro reporting_year_start(y) as
    make_date(y - 1, 12, 15);

-- The first day of the year (under the session's year_basis) that a local date belongs to.
create or replace macro basis_year_start(d) as
    case
        when getvariable('year_basis') = 'calendar' then make_date(year(d), 1, 1)
        else reporting_year_start(reporting_year(d))
    end;

-- Every reporting period of years first_year..last_year, the one definition of the police's
-- periods: month M of year Y runs from the 15th of the month before to the 14th of M (month 1 from
-- 15/12/(Y-1)); quarter Q is months 3Q-2..3Q; 6 and 9 months run from the start of the reporting
-- year to 14 June and 14 September; the year ends on 14 December; calendar years stay available.
-- period_end is the nominal last day; labels are written as the Ministry's reports write them.
create or replace macro reporting_periods(first_year, last_year) as table
    with years as (
        select unnest(range(first_year, last_year + 1))::integer as period_year
    ),

    spans as (
        select
            'month' as period_kind,
            years.period_year,
            months.n as period_number,
            cast(make_date(years.period_year, months.n, 15) - interval 1 month as date)
                as period_start,
            make_date(years.period_year, months.n, 14) as period_end,
            format('tháng {}/{}', months.n, years.period_year) as period_name
        from years
        cross join (select unnest(range(1, 13))::integer as n) as months
        union all
        select
            'quarter',
            years.period_year,
            quarters.n,
            cast(make_date(years.period_year, 3 * quarters.n - 2, 15) - interval 1 month as date),
            make_date(years.period_year, 3 * quarters.n, 14),
            format('quý {}/{}', quarters.n, years.period_year)
        from years
        cross join (select unnest(range(1, 5))::integer as n) as quarters
        union all
        select
            'six_months',
            period_year,
            null,
            reporting_year_start(period_year),
            make_date(period_year, 6, 14),
            format('6 tháng năm {}', period_year)
        from years
        union all
        select
            'nine_months',
            period_year,
            null,
            reporting_year_start(period_year),
            make_date(period_year, 9, 14),
            format('9 tháng năm {}', period_year)
        from years
        union all
        select
            'year',
            period_year,
            null,
            reporting_year_start(period_year),
            make_date(period_year, 12, 14),
            format('năm {}', period_year)
        from years
        union all
        select
            'calendar_year',
            period_year,
            null,
            make_date(period_year, 1, 1),
            make_date(period_year, 12, 31),
            format('năm dương lịch {}', period_year)
        from years
    )

    select
        period_kind,
        period_year,
        period_number,
        period_start,
        period_end,
        format(
            '{} (từ {} đến {})',
            period_name,
            strftime(period_start, '%d/%m/%Y'),
            strftime(period_end, '%d/%m/%Y')
        ) as period_label
    from spans;

-- The same dates one year earlier, for "so với cùng kỳ": 29 February falls back to 28 February.
create or replace macro year_earlier(d) as
    cast(d - interval 1 year as date);

-- Each change of a relation of registry changes (pass the name of a CTE or view with
-- stg_population_updates' columns) with the person's whole state after it: the latest placement
-- ('registered', 'moved' or 'removed': the change, its ward and residence), the latest birth date
-- and sex given, whether an ID card was ever issued, the highest VNeID level activated. Changes
-- apply in the order they occurred, then by offset. A state holds from its change (state_from_at)
-- until the person's next change (state_until_at, NULL for the latest; _on, their local dates),
-- so the state at the end of local day d is the one with state_from_at < local_day_end(d) <=
-- state_until_at, or state_from_on <= d < state_until_on: of two changes on one day the later
-- wins. A person lives in a ward on d when that state's placement is there and not 'removed'.
create or replace macro person_states(changes) as table
    select
        population_update_id,
        person_key,
        occurred_at as state_from_at,
        lead(occurred_at) over person_order as state_until_at,
        local_date(occurred_at) as state_from_on,
        local_date(lead(occurred_at) over person_order) as state_until_on,
        last_value(
            case
                when change_type in ('registered', 'moved', 'removed')
                    then {
                        'change_type': change_type,
                        'ward_code': ward_code,
                        'residence_type': residence_type
                    }
            end
            ignore nulls
        ) over person_history as state_placement,
        last_value(birth_date ignore nulls) over person_history as state_birth_date,
        last_value(sex ignore nulls) over person_history as state_sex,
        bool_or(change_type = 'id_card_issued') over person_history as state_has_id_card,
        max(vneid_level) filter (where change_type = 'vneid_activated') over person_history
            as state_vneid_level
    from query_table(changes)
    window
        person_order as (
            partition by person_key order by occurred_at, source_offset, source_partition
        ),
        person_history as (
            partition by person_key
            order by occurred_at, source_offset, source_partition
            rows between unbounded preceding and current row
        );

-- The states of the people with a copy of a registry change landed after the registry snapshot at
-- snapshot_path, given those copies (pass the name of a materialized CTE over landed_copies_since:
-- it is read twice, and each read of landed_copies_since would list the files again): their
-- states in the snapshot (revision -1), and their states folded again from their snapshot rows and
-- their copies since (revision +1). Every copy of their changes is one or the other, or a copy the
-- snapshot has seen, so first_offset over them is first_offset over every copy: the snapshot's
-- states without the -1 rows and with the +1 rows are person_states over stg_population_updates.
-- Every person with a copy since has +1 rows: a copy since is picked, or loses to a snapshot row
-- of the same event.
create or replace macro resident_state_revisions(snapshot_path, copies) as table
    -- Materialized: read twice below; one scan of the snapshot finds the people's rows.
    with snapshot_rows as materialized (
        select snapshot.*
        from read_parquet(snapshot_path) as snapshot
        semi join query_table(copies) as changed
            on snapshot.person_key is not distinct from changed.person_key
    ),

    changed_copies as (
        select columns(lambda c: c <> 'population_update_id' and not starts_with(c, 'state_'))
        from snapshot_rows
        union all by name
        select * from query_table(copies)
    ),

    picks as (
        select * from first_copy('changed_copies', event_id)
    ),

    updates as (
        select * from population_updates_staged('picks')
    )

    select -1 as revision, population_update_id, person_key, columns('^state_')
    from snapshot_rows
    union all
    select 1 as revision, population_update_id, person_key, columns('^state_')
    from person_states('updates');

-- The residents of each ward as steps, from a relation of fct_resident_states' rows (pass its
-- name) each counted weight times: +weight on the local day a state starts, -weight on the day it
-- ends, summed per ward and day. The running total of a ward's steps up to day d counts the states
-- in force at the end of d (state_from_on <= d < state_until_on; a state never ends before it
-- starts) whose placement is there and not 'removed': the ward's residents on d.
create or replace macro resident_steps(states, weight) as table
    select ward_code, step_on, cast(sum(step) as bigint) as step
    from (
        select
            states.state_placement.ward_code,
            unnest([states.state_from_on, states.state_until_on]) as step_on,
            unnest([weight, -weight]) as step
        from query_table(states) as states
        where states.state_placement.change_type <> 'removed'
    )
    where step_on is not null
    group by ward_code, step_on;

-- The first local date the data covers: the first report received by as_of (as_of itself when
-- none was). Earlier dates are unknown, not zero.
create or replace macro data_since(received_on) as
    coalesce(
        min(received_on) filter (where received_on <= getvariable('as_of')),
        getvariable('as_of')
    );

-- The wards of the deployment's province (the session's province_code). From the seed table, which
-- exists before any model: a table macro binds its tables when it is created.
create or replace macro province_wards() as table
    select ward_code
    from seed_wards
    where province_code = getvariable('province_code');

-- The rows of a ward grid: every ward of the province, and a NULL ward for the province total that
-- GROUP BY GROUPING SETS adds, so that a ward or a province without data still gets its zeros.
create or replace macro province_areas() as table
    select ward_code from province_wards()
    union all
    select null::varchar;

-- The incidents of the province that concern as_of: occurred or received by then. Pass the name of
-- fct_incidents (created after the macros); scan it once per query through a MATERIALIZED CTE.
create or replace macro province_incidents(incidents) as table
    select *
    from query_table(incidents)
    where
        ward_code in (select ward_code from province_wards())
        and (occurred_on <= getvariable('as_of') or received_on <= getvariable('as_of'));
