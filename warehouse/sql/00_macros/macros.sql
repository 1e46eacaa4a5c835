-- Macros shared by every layer: functions, not models, so no grain.

-- The local calendar date of an instant. Timestamps are stored in UTC; every date bucket is local.
create or replace macro local_date(ts) as
    cast(timezone('Asia/Ho_Chi_Minh', ts) as date);

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

-- Every row landed in one table's files, crash replays removed. A crash between landing a file
-- and committing its offsets lands the range again under another file name; the copy landed first
-- wins, so a replay never counts twice.
create or replace macro landed_rows(files) as table
    select *
    from read_parquet(files, union_by_name = true, hive_partitioning = false)
    qualify row_number() over (
        partition by source_topic, source_partition, source_offset
        order by landed_at, load_id
    ) = 1;
