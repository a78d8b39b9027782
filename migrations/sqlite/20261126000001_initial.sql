-- LLMChat initial schema (SQLite). Keep in step with migrations/postgres.
-- Portable conventions: text ids (UUIDv7), unix-millisecond INTEGER timestamps, JSON as TEXT,
-- 0/1 INTEGER flags. Only INTEGER, REAL, TEXT and BLOB column types (sqlx's Any driver).

CREATE TABLE users (
    id              TEXT PRIMARY KEY NOT NULL,
    username        TEXT NOT NULL,
    email           TEXT,
    display_name    TEXT,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
    disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    preferences     TEXT NOT NULL DEFAULT '{}',
    last_login_at   INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted_at      INTEGER
);
-- Names are unique case-insensitively among accounts that are not deleted.
CREATE UNIQUE INDEX users_username_key ON users (lower(username)) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE deleted_at IS NULL AND email IS NOT NULL;
CREATE INDEX users_created_idx ON users (created_at, id);
CREATE INDEX users_role_idx ON users (role) WHERE deleted_at IS NULL;

CREATE TABLE refresh_tokens (
    id              TEXT PRIMARY KEY NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id       TEXT NOT NULL,
    token_hash      TEXT NOT NULL,
    user_agent      TEXT,
    ip              TEXT,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    used_at         INTEGER,
    revoked_at      INTEGER
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);

CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    prefix          TEXT NOT NULL,
    key_hash        TEXT NOT NULL,
    allowed_agents  TEXT,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER,
    expires_at      INTEGER,
    revoked_at      INTEGER
);
CREATE UNIQUE INDEX api_keys_hash_key ON api_keys (key_hash);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at);

-- Agents defined by admins; `definition` is the agent as JSON (same shape as agents.yaml).
CREATE TABLE agents (
    id              TEXT PRIMARY KEY NOT NULL,
    definition      TEXT NOT NULL,
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_by      TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE conversations (
    id                  TEXT PRIMARY KEY NOT NULL,
    user_id             TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    agent_id            TEXT NOT NULL,
    title               TEXT NOT NULL DEFAULT '',
    pinned              INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    archived            INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    -- Tip of the branch being shown; messages form a tree.
    current_message_id  TEXT,
    variables           TEXT NOT NULL DEFAULT '{}',
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
-- Sidebar: a user's conversations, newest first, keyset-paginated.
CREATE INDEX conversations_user_updated_idx ON conversations (user_id, archived, updated_at DESC, id DESC);
CREATE INDEX conversations_agent_idx ON conversations (agent_id);

CREATE TABLE messages (
    id                  TEXT PRIMARY KEY NOT NULL,
    conversation_id     TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    parent_id           TEXT REFERENCES messages (id) ON DELETE CASCADE,
    role                TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    -- JSON array of typed parts: text, reasoning, status, citation, interactive, tool, attachment.
    content             TEXT NOT NULL DEFAULT '[]',
    status              TEXT NOT NULL DEFAULT 'complete'
                        CHECK (status IN ('streaming', 'complete', 'stopped', 'failed', 'interrupted')),
    agent_id            TEXT,
    model               TEXT,
    prompt_tokens       INTEGER,
    completion_tokens   INTEGER,
    ttft_ms             INTEGER,
    duration_ms         INTEGER,
    feedback            INTEGER CHECK (feedback IN (-1, 1)),
    feedback_comment    TEXT,
    -- JSON {code, message} when status is failed.
    error               TEXT,
    -- Server instance that owns a streaming turn, and its last heartbeat.
    instance_id         TEXT,
    heartbeat_at        INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, created_at, id);
CREATE INDEX messages_parent_idx ON messages (parent_id);
-- Recovery scan: turns still streaming, by owner.
CREATE INDEX messages_streaming_idx ON messages (instance_id, heartbeat_at) WHERE status = 'streaming';

CREATE TABLE usage_records (
    id                  TEXT PRIMARY KEY NOT NULL,
    user_id             TEXT REFERENCES users (id) ON DELETE SET NULL,
    api_key_id          TEXT REFERENCES api_keys (id) ON DELETE SET NULL,
    conversation_id     TEXT REFERENCES conversations (id) ON DELETE SET NULL,
    message_id          TEXT,
    agent_id            TEXT NOT NULL,
    provider            TEXT NOT NULL,
    model               TEXT,
    prompt_tokens       INTEGER NOT NULL DEFAULT 0,
    completion_tokens   INTEGER NOT NULL DEFAULT 0,
    estimated           INTEGER NOT NULL DEFAULT 0 CHECK (estimated IN (0, 1)),
    ttft_ms             INTEGER,
    duration_ms         INTEGER,
    outcome             TEXT NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'error', 'stopped')),
    error_code          TEXT,
    created_at          INTEGER NOT NULL
);
CREATE INDEX usage_records_created_idx ON usage_records (created_at);
CREATE INDEX usage_records_user_idx ON usage_records (user_id, created_at);
CREATE INDEX usage_records_agent_idx ON usage_records (agent_id, created_at);
CREATE INDEX usage_records_key_idx ON usage_records (api_key_id, created_at);

CREATE TABLE audit_log (
    id              TEXT PRIMARY KEY NOT NULL,
    actor_id        TEXT REFERENCES users (id) ON DELETE SET NULL,
    action          TEXT NOT NULL,
    target_type     TEXT,
    target_id       TEXT,
    ip              TEXT,
    request_id      TEXT,
    -- JSON; never holds secrets.
    details         TEXT NOT NULL DEFAULT '{}',
    created_at      INTEGER NOT NULL
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, created_at);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id);

-- Server instances (replicas) and their heartbeats, so a restarting replica can tell its own
-- interrupted turns from another live replica's.
CREATE TABLE server_instances (
    id              TEXT PRIMARY KEY NOT NULL,
    hostname        TEXT NOT NULL,
    version         TEXT NOT NULL,
    started_at      INTEGER NOT NULL,
    heartbeat_at    INTEGER NOT NULL,
    stopped_at      INTEGER
);
