-- Training and publicity (P-4, G-3): sessions held for the staff and
-- publicity activities, and who attended — users of tocsin or other staff
-- named with their department — for the attendance rate per department.
CREATE TABLE trainings (
    id         INTEGER PRIMARY KEY,
    ref        TEXT NOT NULL UNIQUE,        -- TRN-0001
    kind       TEXT NOT NULL CHECK (kind IN ('training', 'publicity')),
    topic      TEXT NOT NULL,
    held_at    INTEGER NOT NULL,
    trainer    TEXT NOT NULL,
    place      TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE training_attendees (
    training_id INTEGER NOT NULL REFERENCES trainings (id),
    person      TEXT NOT NULL,              -- a user name, or a person's name
    department  TEXT NOT NULL DEFAULT '',
    is_user     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (training_id, person, department)
) STRICT, WITHOUT ROWID;

PRAGMA user_version = 11;
