-- Budgets and prices (issue #18). Prices are per model, in millionths of the currency unit
-- (micros) per million tokens; a usage record's cost is computed from them when it is written.
CREATE TABLE model_prices (
    model           TEXT PRIMARY KEY NOT NULL,
    input_micros    INTEGER NOT NULL,
    output_micros   INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    updated_by      TEXT
);

ALTER TABLE usage_records ADD COLUMN cost_micros INTEGER;
-- A reservation holds an estimated cost as well as tokens.
ALTER TABLE quota_reservations ADD COLUMN cost_micros INTEGER NOT NULL DEFAULT 0;

-- A budget of a user (their own use) or of a group (its members' use together): tokens per
-- UTC day and/or cost per UTC month. scope_id is the user's or the group's id.
CREATE TABLE budgets (
    scope           TEXT NOT NULL CHECK (scope IN ('user', 'group')),
    scope_id        TEXT NOT NULL,
    tokens_per_day  INTEGER,
    cost_per_month_micros INTEGER,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (scope, scope_id)
);

-- Thresholds (80 and 100 percent) already reported for a budget's period, so each is
-- reported once.
CREATE TABLE budget_alerts (
    scope           TEXT NOT NULL,
    scope_id        TEXT NOT NULL,
    kind            TEXT NOT NULL,
    period_start    INTEGER NOT NULL,
    level           INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (scope, scope_id, kind, period_start, level)
);
