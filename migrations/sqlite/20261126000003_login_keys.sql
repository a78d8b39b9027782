-- Case-insensitive uniqueness and lookup for every script, not just ASCII: SQLite's lower()
-- folds only A–Z, so the application stores the Unicode-lowercased forms itself.
ALTER TABLE users ADD COLUMN username_key TEXT;
ALTER TABLE users ADD COLUMN email_key TEXT;
UPDATE users SET username_key = lower(username), email_key = lower(email);
DROP INDEX users_username_key;
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_username_key_idx ON users (username_key) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_email_key_idx ON users (email_key) WHERE deleted_at IS NULL AND email_key IS NOT NULL;

-- Failed logins for names that match no account, counted like real accounts' (in the database,
-- shared by every replica), so that the answers never reveal whether an account exists.
CREATE TABLE login_failures (
    login_key       TEXT PRIMARY KEY NOT NULL,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX login_failures_updated_idx ON login_failures (updated_at);
