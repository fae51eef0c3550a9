-- A drill's practice upward reports (P-3): drafting the report to the city is
-- part of the exercise and timed like the other steps, but a drill is never
-- reported upward, so these are kept with the drill, not among the reports.
CREATE TABLE drill_reports (
    id          INTEGER PRIMARY KEY,
    drill_id    INTEGER NOT NULL REFERENCES drills (id),
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    recipient   TEXT NOT NULL,
    text        TEXT NOT NULL,
    drafted_by  TEXT NOT NULL,
    drafted_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX drill_reports_drill ON drill_reports (drill_id);

PRAGMA user_version = 16;
