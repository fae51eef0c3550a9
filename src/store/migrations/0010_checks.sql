-- Security checks (P-1): checklists (items with the expected result, some
-- filled by tocsin from what it knows), their schedule, and runs with a
-- result and note per item.
CREATE TABLE checklists (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    schedule   TEXT NOT NULL CHECK (schedule IN ('daily', 'weekly', 'monthly', 'once')),
    due_at     INTEGER,                 -- the date of a 'once' checklist
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE checklist_items (
    id           INTEGER PRIMARY KEY,
    checklist_id INTEGER NOT NULL REFERENCES checklists (id),
    pos          INTEGER NOT NULL,
    text         TEXT NOT NULL,
    expected     TEXT NOT NULL DEFAULT '',
    auto         TEXT NOT NULL DEFAULT ''  -- what tocsin checks itself, '' for a person
) STRICT;

CREATE TABLE check_runs (
    id           INTEGER PRIMARY KEY,
    checklist_id INTEGER NOT NULL REFERENCES checklists (id),
    started_by   TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    result       TEXT CHECK (result IN ('pass', 'fail'))
) STRICT;

CREATE TABLE check_results (
    run_id   INTEGER NOT NULL REFERENCES check_runs (id),
    item_id  INTEGER NOT NULL REFERENCES checklist_items (id),
    result   TEXT CHECK (result IN ('pass', 'fail', 'na')),
    note     TEXT NOT NULL DEFAULT '',
    by       TEXT NOT NULL DEFAULT '',
    at       INTEGER,
    hazard   TEXT NOT NULL DEFAULT '',   -- the hazard a failed item became
    PRIMARY KEY (run_id, item_id)
) STRICT, WITHOUT ROWID;

PRAGMA user_version = 10;
