-- The hazard register (P-1): hidden dangers (隐患) found by checks, drills,
-- assessments or anyone, each with its asset, severity, owner department and
-- remediation deadline, moved open → remediating → fixed → verified, every
-- move kept.
CREATE TABLE hazards (
    id          INTEGER PRIMARY KEY,
    ref         TEXT NOT NULL UNIQUE,        -- HZD-0001
    title       TEXT NOT NULL,
    asset       TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    severity    TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    department  TEXT NOT NULL,
    deadline_at INTEGER NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'remediating', 'fixed', 'verified')),
    fixed_by    TEXT,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX hazards_status ON hazards (status, deadline_at);

CREATE TABLE hazard_log (
    id        INTEGER PRIMARY KEY,
    hazard_id INTEGER NOT NULL REFERENCES hazards (id),
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    status    TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT ''
) STRICT;

PRAGMA user_version = 8;
