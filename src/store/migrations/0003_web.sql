-- The web surface: sessions, machine tokens, sign-in throttling, and events
-- submitted by other tools for triage.

-- Sessions: only the SHA-256 of the token is kept, never the token.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    csrf         TEXT NOT NULL,
    client       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
) STRICT;

-- API tokens for machines, scoped to a role no higher than their creator's.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    role         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
) STRICT;

-- Failed sign-ins per user name and per client address, for growing delays.
CREATE TABLE login_failures (
    key        TEXT PRIMARY KEY,   -- "user:NAME" or "client:ADDRESS"
    count      INTEGER NOT NULL,
    last_at    INTEGER NOT NULL
) STRICT;

-- Security events from detectors and other tools, waiting for triage.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    category    TEXT NOT NULL,
    subcategory TEXT,
    asset       TEXT NOT NULL DEFAULT '',
    summary     TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    details     TEXT NOT NULL DEFAULT '{}',
    count       INTEGER NOT NULL DEFAULT 1,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    submitted_by TEXT NOT NULL,
    UNIQUE (fingerprint)
) STRICT;
CREATE INDEX events_last_seen ON events (last_seen);

PRAGMA user_version = 3;
