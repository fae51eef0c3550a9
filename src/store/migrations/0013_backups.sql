-- Preparedness: disaster-recovery backups (G-2) and the backup taken when an
-- incident opens (H-4). A job names what to keep (a directory, a dump
-- command's output, or tocsin's own data directory), where, how often and how
-- many; each run is an archive that counts as good only once a test restore
-- matched every file's hash.
CREATE TABLE backup_jobs (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('files', 'self')),
    path        TEXT,                            -- the directory kept (files)
    command     TEXT,                            -- a dump command whose output is kept
    dest        TEXT NOT NULL,                   -- '' : <data>/backups
    copy_dest   TEXT,                            -- a second destination
    key_file    TEXT,                            -- seal with this key
    asset       TEXT,                            -- what it protects (H-4)
    on_incident INTEGER NOT NULL DEFAULT 0,      -- back up when an incident on the asset opens
    interval_s  INTEGER NOT NULL DEFAULT 86400 CHECK (interval_s >= 0), -- 0: by hand only
    keep        INTEGER NOT NULL DEFAULT 7 CHECK (keep >= 1),
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE backup_runs (
    id          INTEGER PRIMARY KEY,             -- the archive's id
    job_id      INTEGER NOT NULL REFERENCES backup_jobs (id),
    state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'good', 'failed',
                                               'damaged', 'expired')),
    reason      TEXT NOT NULL DEFAULT '',        -- schedule, by hand, an incident
    incident_id INTEGER REFERENCES incidents (id),
    actor       TEXT NOT NULL DEFAULT '',
    queued_at   INTEGER NOT NULL,
    started_at  INTEGER,
    finished_at INTEGER,
    verified_at INTEGER,                         -- the last test restore that matched
    path        TEXT,                            -- the archive file
    sha256      TEXT,
    size        INTEGER,
    files       INTEGER,
    bytes       INTEGER,
    changed     INTEGER,                         -- files changing while read
    key_id      TEXT,
    copy_path   TEXT,
    copy_state  TEXT CHECK (copy_state IN ('good', 'failed')),
    error       TEXT
) STRICT;
CREATE INDEX backup_runs_job ON backup_runs (job_id, id);

-- tocsin's own data directory is a job from the start
INSERT INTO backup_jobs (name, kind, dest, created_by, created_at, updated_at)
VALUES ('tocsin', 'self', '', 'system', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
        CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));

PRAGMA user_version = 13;
