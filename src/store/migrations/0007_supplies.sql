-- Preparedness, first part: the emergency-supplies store (G-1). Items with
-- their quantity, location, state and dates; dispatches during an incident,
-- each approved by a leader through the generic approvals before anything
-- leaves the store, and returned.
CREATE TABLE supplies (
    id          INTEGER PRIMARY KEY,
    ref         TEXT NOT NULL UNIQUE,            -- SUP-0001
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('hardware', 'software', 'rescue')),
    quantity    INTEGER NOT NULL CHECK (quantity >= 0),
    location    TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'maintenance', 'retired')),
    expires_at  INTEGER,                         -- licences, batteries, consumables
    maintain_at INTEGER,                         -- next maintenance due
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE supply_dispatches (
    id           INTEGER PRIMARY KEY,
    supply_id    INTEGER NOT NULL REFERENCES supplies (id),
    incident_id  INTEGER NOT NULL REFERENCES incidents (id),
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    returned     INTEGER NOT NULL DEFAULT 0 CHECK (returned >= 0 AND returned <= quantity),
    status       TEXT NOT NULL CHECK (status IN ('pending', 'issued', 'rejected', 'returned')),
    reason       TEXT NOT NULL DEFAULT '',
    requested_by TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    approval_id  INTEGER REFERENCES approvals (id),
    issued_at    INTEGER,
    returned_at  INTEGER
) STRICT;
CREATE INDEX supply_dispatches_supply ON supply_dispatches (supply_id, id);

PRAGMA user_version = 7;
