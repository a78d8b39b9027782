-- Files users attach to messages (images and text), kept in the database so that every replica
-- serves them. Keep in step with migrations/postgres.
CREATE TABLE uploads (
    id              TEXT PRIMARY KEY NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    mime            TEXT NOT NULL,
    size            INTEGER NOT NULL,
    -- Hex SHA-256 of data.
    sha256          TEXT NOT NULL,
    data            BLOB NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX uploads_user_idx ON uploads (user_id, created_at);
