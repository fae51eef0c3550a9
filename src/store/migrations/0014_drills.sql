-- Preparedness: drills (P-3, G-4) in the forms of the national drill guide
-- GB/T 38645-2020, with a scenario script whose timed injections go through
-- the real intake and triage, marked as the drill's from end to end.
CREATE TABLE drills (
    id          INTEGER PRIMARY KEY,
    ref         TEXT NOT NULL UNIQUE,            -- DRL-0001
    title       TEXT NOT NULL,
    form        TEXT NOT NULL CHECK (form IN ('tabletop', 'hands-on', 'demonstration')),
    scope       TEXT NOT NULL CHECK (scope IN ('single', 'joint')),
    kind        TEXT NOT NULL CHECK (kind IN ('comprehensive', 'special')),
    planned_at  INTEGER NOT NULL,
    status      TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'running',
                                                                  'finished')),
    script      TEXT NOT NULL,                   -- as written, for the record
    started_at  INTEGER,
    finished_at INTEGER,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE drill_participants (
    drill_id  INTEGER NOT NULL REFERENCES drills (id),
    user_name TEXT NOT NULL,
    PRIMARY KEY (drill_id, user_name)
) STRICT;

CREATE TABLE drill_injections (
    id          INTEGER PRIMARY KEY,
    drill_id    INTEGER NOT NULL REFERENCES drills (id),
    pos         INTEGER NOT NULL,
    offset_s    INTEGER NOT NULL,                -- T+offset
    asset       TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT '',
    summary     TEXT NOT NULL,
    injected_at INTEGER,
    event_id    INTEGER REFERENCES events (id)
) STRICT;
CREATE INDEX drill_injections_due ON drill_injections (drill_id, injected_at);

-- what the drill showed must change, with its owner and deadline
CREATE TABLE drill_findings (
    id          INTEGER PRIMARY KEY,
    drill_id    INTEGER NOT NULL REFERENCES drills (id),
    text        TEXT NOT NULL,
    department  TEXT NOT NULL,
    due_at      INTEGER NOT NULL,
    done_at     INTEGER,
    done_by     TEXT,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

ALTER TABLE events ADD COLUMN drill_id INTEGER REFERENCES drills (id);
ALTER TABLE proposals ADD COLUMN drill_id INTEGER REFERENCES drills (id);
ALTER TABLE incidents ADD COLUMN drill_id INTEGER REFERENCES drills (id);
ALTER TABLE warnings ADD COLUMN drill_id INTEGER REFERENCES drills (id);

PRAGMA user_version = 14;
