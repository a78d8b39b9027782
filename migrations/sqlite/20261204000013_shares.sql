-- Read-only share links to a snapshot of a conversation (issue #18). The id is the link's
-- random token. The snapshot is taken when the link is made: later messages are not shown.
CREATE TABLE shares (
    id              TEXT PRIMARY KEY NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    agent_id        TEXT NOT NULL,
    agent_name      TEXT NOT NULL,
    snapshot        TEXT NOT NULL,
    message_count   INTEGER NOT NULL,
    members_only    INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER,
    revoked_at      INTEGER
);
CREATE INDEX shares_conversation_idx ON shares (conversation_id, created_at);
CREATE INDEX shares_user_idx ON shares (user_id, created_at);
