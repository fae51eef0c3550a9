-- The plan itself (A-1): each version may keep its document in the object
-- store, says who recorded it and when, and may cite what caused it (drill
-- findings, assessments, incidents).
ALTER TABLE plan_versions ADD COLUMN document TEXT NOT NULL DEFAULT '';  -- SHA-256 of the text
ALTER TABLE plan_versions ADD COLUMN cites TEXT NOT NULL DEFAULT '[]';   -- references, JSON
ALTER TABLE plan_versions ADD COLUMN recorded_by TEXT NOT NULL DEFAULT '';
ALTER TABLE plan_versions ADD COLUMN recorded_at INTEGER;

PRAGMA user_version = 12;
