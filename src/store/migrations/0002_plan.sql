-- The plan core: assets, incidents with their timeline, tasks, evidence and
-- custody, upward reports, statements, warnings, approvals, assessments, and
-- the plan's own versions. Times are INTEGER milliseconds since the epoch, UTC.

-- The plan itself (A-1): every incident records the version that governed it.
CREATE TABLE plan_versions (
    id           INTEGER PRIMARY KEY,
    version      TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    effective_at INTEGER NOT NULL,
    approved_by  TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT ''
) STRICT;

INSERT INTO plan_versions (version, title, effective_at, approved_by, note)
VALUES ('2023-02-08', '网络与信息安全应急预案', 1675785600000, '领导小组',
        'issued 2023-02-08, in force from issuance');

-- What the plan protects (S-1, O-1).
CREATE TABLE assets (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    importance  TEXT NOT NULL,
    department  TEXT NOT NULL,
    owner       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE incidents (
    id               INTEGER PRIMARY KEY,
    ref              TEXT NOT NULL UNIQUE,
    year             INTEGER NOT NULL,
    seq              INTEGER NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    category         TEXT NOT NULL,
    subcategory      TEXT,
    level            TEXT,            -- I..IV once confirmed, NULL while ungraded
    level_reason     TEXT NOT NULL DEFAULT '',
    proposed_level   TEXT,            -- what the rules proposed
    proposal         TEXT NOT NULL DEFAULT '[]',  -- the rules that fired, JSON
    status           TEXT NOT NULL,
    owner_department TEXT NOT NULL DEFAULT '',
    owner_user       TEXT NOT NULL DEFAULT '',
    is_sabotage      INTEGER NOT NULL DEFAULT 0,
    is_crime         INTEGER NOT NULL DEFAULT 0,
    is_drill         INTEGER NOT NULL DEFAULT 0,
    plan_version_id  INTEGER NOT NULL REFERENCES plan_versions (id),
    started_at       INTEGER NOT NULL,  -- when the event began or was found
    reported_by      TEXT NOT NULL,
    reporter_department TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    acknowledged_at  INTEGER,
    closed_at        INTEGER,
    updated_at       INTEGER NOT NULL,
    UNIQUE (year, seq)
) STRICT;

CREATE TABLE incident_assets (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    asset       TEXT NOT NULL,
    PRIMARY KEY (incident_id, asset)
) STRICT;

CREATE TABLE timeline (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL
) STRICT;
CREATE INDEX timeline_incident ON timeline (incident_id, id);

CREATE TABLE warnings (
    id           INTEGER PRIMARY KEY,
    ref          TEXT NOT NULL UNIQUE,
    year         INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    colour       TEXT NOT NULL,
    category     TEXT NOT NULL,
    subcategory  TEXT,
    start_at     INTEGER NOT NULL,
    scope        TEXT NOT NULL,
    items        TEXT NOT NULL,
    measures     TEXT NOT NULL,
    deadline_at  INTEGER NOT NULL,
    issuer       TEXT NOT NULL,
    status       TEXT NOT NULL,
    incident_id  INTEGER REFERENCES incidents (id),
    is_drill     INTEGER NOT NULL DEFAULT 0,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    published_at INTEGER,
    published_by TEXT,
    lifted_at    INTEGER,
    lifted_by    TEXT,
    lift_reason  TEXT,
    updated_at   INTEGER NOT NULL,
    UNIQUE (year, seq)
) STRICT;

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER REFERENCES incidents (id),
    warning_id  INTEGER REFERENCES warnings (id),
    code        TEXT NOT NULL,
    title       TEXT NOT NULL,
    clause      TEXT NOT NULL DEFAULT '',
    owner_role  TEXT NOT NULL,
    department  TEXT NOT NULL DEFAULT '',
    assignee    TEXT NOT NULL DEFAULT '',
    due_at      INTEGER NOT NULL,
    is_mandatory INTEGER NOT NULL DEFAULT 0,
    done_at     INTEGER,
    done_by     TEXT,
    note        TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    CHECK ((incident_id IS NULL) <> (warning_id IS NULL))
) STRICT;
CREATE INDEX tasks_open ON tasks (done_at, due_at);

CREATE TABLE evidence (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    kind        TEXT NOT NULL,   -- file or note
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    added_by    TEXT NOT NULL,
    added_at    INTEGER NOT NULL
) STRICT;

-- Chain of custody: every access, verification or export of an item (H-5).
CREATE TABLE custody (
    id          INTEGER PRIMARY KEY,
    evidence_id INTEGER NOT NULL REFERENCES evidence (id),
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
) STRICT;

-- Upward reports (W-4, H-2): one row per report owed to one recipient.
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    recipient   TEXT NOT NULL,
    kind        TEXT NOT NULL,   -- first, followup, final
    due_at      INTEGER NOT NULL,
    text        TEXT NOT NULL,
    sent_at     INTEGER,
    sent_by     TEXT,
    sent_to     TEXT,
    sent_via    TEXT,
    is_late     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE approvals (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,    -- warning, statement, dispatch
    object_id      INTEGER NOT NULL,
    object_ref     TEXT NOT NULL,
    summary        TEXT NOT NULL,
    approver_role  TEXT NOT NULL,
    status         TEXT NOT NULL,    -- pending, approved, rejected
    requested_by   TEXT NOT NULL,
    requested_at   INTEGER NOT NULL,
    decided_by     TEXT,
    decided_at     INTEGER,
    reason         TEXT NOT NULL DEFAULT ''
) STRICT;

-- Public statements (H-6): nothing is released without an approval.
CREATE TABLE statements (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    text        TEXT NOT NULL,
    status      TEXT NOT NULL,   -- draft, pending, approved, rejected, released
    approval_id INTEGER REFERENCES approvals (id),
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    released_at INTEGER,
    released_by TEXT
) STRICT;

-- The post-incident assessment (H-7) and its records (G-5).
CREATE TABLE assessments (
    id             INTEGER PRIMARY KEY,
    incident_id    INTEGER NOT NULL UNIQUE REFERENCES incidents (id),
    due_at         INTEGER NOT NULL,
    cause          TEXT NOT NULL DEFAULT '',
    nature         TEXT NOT NULL DEFAULT '',
    impact         TEXT NOT NULL DEFAULT '',
    responsibility TEXT NOT NULL DEFAULT '',
    handling       TEXT NOT NULL DEFAULT '',
    improvements   TEXT NOT NULL DEFAULT '',
    completed_at   INTEGER,
    completed_by   TEXT,
    updated_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE assessment_records (
    id            INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    kind          TEXT NOT NULL,   -- commendation, accountability
    person        TEXT NOT NULL,
    text          TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

PRAGMA user_version = 2;
