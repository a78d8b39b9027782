-- Custom instructions (issue #18): added to the system prompt of the user's chat turns.
ALTER TABLE users ADD COLUMN custom_instructions TEXT;

-- Prompt presets, picked from the composer: a user's own (user_id set; for one agent or any),
-- or an admin's for everyone who uses an agent (user_id NULL, agent_id set).
CREATE TABLE prompt_presets (
    id              TEXT PRIMARY KEY NOT NULL,
    user_id         TEXT REFERENCES users (id) ON DELETE CASCADE,
    agent_id        TEXT,
    title           TEXT NOT NULL,
    content         TEXT NOT NULL,
    created_by      TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX prompt_presets_user_idx ON prompt_presets (user_id, created_at);
CREATE INDEX prompt_presets_agent_idx ON prompt_presets (agent_id);
