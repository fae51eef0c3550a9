-- Risk assessments (P-1): per asset, the threats with likelihood and impact
-- on five-point scales, the resulting risk, its treatment and owner, and the
-- date of the next review. A new assessment of an asset does not replace the
-- earlier ones: they are kept.
CREATE TABLE risk_assessments (
    id             INTEGER PRIMARY KEY,
    ref            TEXT NOT NULL UNIQUE,      -- RSK-0001
    asset          TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    next_review_at INTEGER NOT NULL,
    assessed_by    TEXT NOT NULL,
    assessed_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX risk_assessments_asset ON risk_assessments (asset, id);

CREATE TABLE risks (
    id            INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES risk_assessments (id),
    threat        TEXT NOT NULL,
    likelihood    INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
    impact        INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
    level         TEXT NOT NULL,
    treatment     TEXT NOT NULL,
    owner         TEXT NOT NULL
) STRICT;

PRAGMA user_version = 9;
