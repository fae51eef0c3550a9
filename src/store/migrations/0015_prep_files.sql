-- Files kept with preparedness records (P-1, P-4, A-1): what a security
-- check found (a screenshot, a scanner's report), a training's materials, a
-- plan version's document. The content is in the object store; the row says
-- what it belongs to, who added it and when.
CREATE TABLE prep_files (
    id       INTEGER PRIMARY KEY,
    owner    TEXT NOT NULL CHECK (owner IN ('check-run', 'training', 'plan')),
    ref      TEXT NOT NULL,               -- the run's id, TRN-0001, the plan's version
    name     TEXT NOT NULL,
    object   TEXT NOT NULL,               -- SHA-256 in the object store
    size     INTEGER NOT NULL,
    note     TEXT NOT NULL DEFAULT '',
    added_by TEXT NOT NULL,
    added_at INTEGER NOT NULL
) STRICT;
CREATE INDEX prep_files_owner ON prep_files (owner, ref);

PRAGMA user_version = 15;
