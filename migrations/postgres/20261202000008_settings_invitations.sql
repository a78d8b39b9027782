-- Settings that admins change in the console at run time (today: the registration mode).
-- A row here wins over the configuration until it is deleted ("back to the configuration").
CREATE TABLE server_settings (
    key             TEXT PRIMARY KEY NOT NULL,
    value           TEXT NOT NULL,
    updated_by      TEXT REFERENCES users (id) ON DELETE SET NULL,
    updated_at      BIGINT NOT NULL
);

-- Invitations to register: single use, with an expiry and the role the new account gets.
-- Only the code's SHA-256 is kept; the code itself is shown once, when it is created.
CREATE TABLE invitations (
    id              TEXT PRIMARY KEY NOT NULL,
    code_hash       TEXT NOT NULL,
    role            TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
    note            TEXT,
    created_by      TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_by         TEXT REFERENCES users (id) ON DELETE SET NULL,
    used_at         BIGINT,
    revoked_at      BIGINT
);
CREATE UNIQUE INDEX invitations_code_key ON invitations (code_hash);
CREATE INDEX invitations_created_idx ON invitations (created_at, id);
