-- Single sign-on (issue #18). An identity at an OpenID provider (or an LDAP directory)
-- signs in as one account; provider is the configured provider's id, subject the provider's
-- stable id of the person (the ID token's sub, or the directory entry's DN).
CREATE TABLE user_identities (
    provider        TEXT NOT NULL,
    subject         TEXT NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email           TEXT,
    created_at      BIGINT NOT NULL,
    last_login_at   BIGINT,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX user_identities_user_idx ON user_identities (user_id);

-- Sign-ins under way at an OpenID provider: the state (by hash) the provider sends back, with
-- the nonce and PKCE verifier of that attempt. Each row is used once and expires after minutes.
CREATE TABLE oidc_logins (
    state_hash      TEXT PRIMARY KEY NOT NULL,
    provider        TEXT NOT NULL,
    nonce           TEXT NOT NULL,
    pkce_verifier   TEXT NOT NULL,
    invite_code     TEXT,
    return_to       TEXT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX oidc_logins_expires_idx ON oidc_logins (expires_at);
