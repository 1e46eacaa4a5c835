-- landed_incident_reports: every row landed from incident.reports, crash replays removed.
-- grain: one row per source message
-- key: (source_topic, source_partition, source_offset)
create or replace view landed_incident_reports as
select * from landed_rows('incident_reports');
