-- Website monitors (tocsin monitor, run by tocsin serve): what to check and
-- how, the learned page baseline, the state for confirming failures, and the
-- history kept raw for a while and rolled up per minute and hour for charts.
CREATE TABLE monitors (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL,
    asset         TEXT NOT NULL DEFAULT '',
    interval_s    INTEGER NOT NULL DEFAULT 60,
    timeout_s     INTEGER NOT NULL DEFAULT 10,
    retries       INTEGER NOT NULL DEFAULT 2,    -- failures confirmed before an event
    expect_status INTEGER NOT NULL DEFAULT 0,    -- 0: any 2xx
    keyword       TEXT NOT NULL DEFAULT '',
    allow         TEXT NOT NULL DEFAULT '',      -- domains allowed to serve scripts, frames
    words_file    TEXT NOT NULL DEFAULT '',      -- '' : the sample list
    expect_ips    TEXT NOT NULL DEFAULT '',
    cloak         INTEGER NOT NULL DEFAULT 1,
    enabled       INTEGER NOT NULL DEFAULT 1,
    baseline      TEXT NOT NULL DEFAULT '',      -- the page's learned print (JSON)
    learn         INTEGER NOT NULL DEFAULT 3,    -- fetches still to learn from
    state         TEXT NOT NULL DEFAULT 'unknown' CHECK (state IN ('unknown', 'up', 'down')),
    fails         INTEGER NOT NULL DEFAULT 0,
    down_since    INTEGER,
    last_check    INTEGER,
    page_sha      TEXT NOT NULL DEFAULT '',      -- the last page kept as evidence
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE probe_results (
    monitor_id  INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    ok          INTEGER NOT NULL,  -- answered as expected
    status      INTEGER NOT NULL,
    dns_ms      REAL NOT NULL,
    connect_ms  REAL NOT NULL,
    tls_ms      REAL NOT NULL,
    ttfb_ms     REAL NOT NULL,
    total_ms    REAL NOT NULL,
    size        INTEGER NOT NULL,
    findings    INTEGER NOT NULL,
    error       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX probe_results_at ON probe_results (monitor_id, at);

CREATE TABLE probe_rollups (
    monitor_id  INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    unit        TEXT NOT NULL CHECK (unit IN ('minute', 'hour')),
    start       INTEGER NOT NULL,
    checks      INTEGER NOT NULL,
    ups         INTEGER NOT NULL,
    total_ms    REAL NOT NULL,     -- sum, for the mean
    max_ms      REAL NOT NULL,
    PRIMARY KEY (monitor_id, unit, start)
) STRICT;

-- Pages kept as evidence whenever their content changed.
CREATE TABLE probe_pages (
    id          INTEGER PRIMARY KEY,
    monitor_id  INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    object      TEXT NOT NULL,     -- the body in the object store
    details     TEXT NOT NULL      -- status, content type, final URL, address, timings
) STRICT;
CREATE INDEX probe_pages_monitor ON probe_pages (monitor_id, at);

PRAGMA user_version = 5;
