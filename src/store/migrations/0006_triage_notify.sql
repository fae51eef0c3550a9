-- From detection to response: what intake now keeps of each event (when it
-- happened, the asset's state it reports, whether its condition cleared, the
-- proposal it belongs to), the triage proposals, and the notifications:
-- channels, routes, the outbox every message passes through, and each
-- incident's, warning's and report's notification state.

ALTER TABLE events ADD COLUMN occurred_at INTEGER;           -- when it happened (ms), as reported
ALTER TABLE events ADD COLUMN state TEXT NOT NULL DEFAULT ''; -- asset state: down, tampered, ...
ALTER TABLE events ADD COLUMN link TEXT NOT NULL DEFAULT '';  -- a detector's grouping key
ALTER TABLE events ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]'; -- references (JSON array)
ALTER TABLE events ADD COLUMN cleared_at INTEGER;            -- its condition cleared
ALTER TABLE events ADD COLUMN proposal_id INTEGER REFERENCES proposals (id);
CREATE INDEX events_proposal ON events (proposal_id);

-- Related events grouped for the duty officer, with the facts and the level
-- the plan's rules propose. Decided once: accepted (into an incident), warned
-- (a warning draft), or dismissed with a reason.
CREATE TABLE proposals (
    id           INTEGER PRIMARY KEY,
    group_key    TEXT NOT NULL,          -- asset and category, or a detector's link
    asset        TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL,          -- "network-attack" or "network-attack/scanning"
    title        TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'accepted', 'warned', 'dismissed')),
    level        TEXT NOT NULL,          -- I..IV, proposed by the rules
    reasons      TEXT NOT NULL DEFAULT '[]',
    facts        TEXT NOT NULL DEFAULT '{}',
    events       INTEGER NOT NULL DEFAULT 0,   -- distinct events
    reports      INTEGER NOT NULL DEFAULT 0,   -- reports including repeats
    is_cleared   INTEGER NOT NULL DEFAULT 0,   -- every event's condition has cleared
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    incident_id  INTEGER REFERENCES incidents (id),
    warning_id   INTEGER REFERENCES warnings (id),
    decided_by   TEXT,
    decided_at   INTEGER,
    reason       TEXT NOT NULL DEFAULT '',
    is_auto      INTEGER NOT NULL DEFAULT 0,   -- decided by a setting, not a person
    notified_at  INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX proposals_group ON proposals (group_key, last_seen);
CREATE INDEX proposals_status ON proposals (status, id);

-- Per proposal, what its events say of each asset: the state, since when, how
-- many events and how many not yet cleared. Kept as events arrive, so that a
-- proposal of thousands of events is assessed from a few rows.
CREATE TABLE proposal_assets (
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    asset       TEXT NOT NULL,
    state       TEXT NOT NULL,           -- '' when the events name none
    since       INTEGER NOT NULL,
    events      INTEGER NOT NULL DEFAULT 0,
    open        INTEGER NOT NULL DEFAULT 0,
    cleared_at  INTEGER,
    PRIMARY KEY (proposal_id, asset, state)
) STRICT, WITHOUT ROWID;

-- Where messages go: an SMTP server, a JSON webhook, a DingTalk, WeCom or
-- Feishu group robot. config holds the address and credentials (JSON).
CREATE TABLE notify_channels (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('smtp', 'webhook', 'dingtalk', 'wecom', 'feishu')),
    config     TEXT NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Who hears of what: a route sends one kind of notice, at or above a level,
-- of a category (or any), to a role (or anyone) on a channel; tier 0 at once,
-- tier N on the N-th escalation.
CREATE TABLE notify_routes (
    id         INTEGER PRIMARY KEY,
    trigger    TEXT NOT NULL,   -- incident, escalation, proposal, warning, report, any
    min_level  TEXT NOT NULL DEFAULT 'IV',
    category   TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL DEFAULT '',
    tier       INTEGER NOT NULL DEFAULT 0,
    channel_id INTEGER NOT NULL REFERENCES notify_channels (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
) STRICT;

-- Every message is written here first, in the transaction that decided to
-- send it; the sender delivers, retries with backoff, and marks it.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    dedup       TEXT NOT NULL UNIQUE,  -- one message per notice, channel and recipient
    channel_id  INTEGER NOT NULL REFERENCES notify_channels (id) ON DELETE CASCADE,
    trigger     TEXT NOT NULL,
    object      TEXT NOT NULL,         -- INC-2026-0001, WRN-…, proposal:7
    recipient   TEXT NOT NULL DEFAULT '',  -- an e-mail address; '' for a group robot
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    facts       TEXT NOT NULL DEFAULT '{}', -- the notice as data, for webhooks
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox (status, next_at);

ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- What each incident, warning and report has been told so far.
ALTER TABLE incidents ADD COLUMN notified_level TEXT;      -- announced at this level
ALTER TABLE incidents ADD COLUMN escalation_tier INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN escalate_at INTEGER;       -- next escalation when unacknowledged
ALTER TABLE incidents ADD COLUMN acknowledged_by TEXT;
ALTER TABLE warnings ADD COLUMN notified_published INTEGER NOT NULL DEFAULT 0;
ALTER TABLE warnings ADD COLUMN notified_lifted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN reminded_at INTEGER;

-- Incidents opened before this version were announced by people already.
UPDATE incidents SET notified_level = coalesce(level, proposed_level, 'IV');
UPDATE warnings SET notified_published = 1, notified_lifted = 1;
UPDATE reports SET reminded_at = created_at;

PRAGMA user_version = 6;
