-- Access-log following: where tocsin serve stands in each log, stored in the
-- same transaction as the events of the lines before it, so that a restart
-- neither loses nor repeats lines.
CREATE TABLE log_positions (
    path        TEXT PRIMARY KEY,
    dev         INTEGER NOT NULL,
    ino         INTEGER NOT NULL,
    offset      INTEGER NOT NULL,
    head        TEXT NOT NULL DEFAULT '',  -- hash of the file's first 256 bytes
    lines       INTEGER NOT NULL DEFAULT 0, -- lines read in all, for the operator
    updated_at  INTEGER NOT NULL
) STRICT;

PRAGMA user_version = 4;
