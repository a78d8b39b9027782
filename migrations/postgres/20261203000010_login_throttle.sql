-- Failed sign-ins counted per account and source (the client's address; IPv6 by /64), in the
-- database so every replica sees them. After `auth.max_failed_logins` failures in a row from
-- one source, each further attempt from it waits twice as long as the one before (up to
-- `auth.lockout`); other sources, the owner's among them, are not slowed down. Replaces the
-- per-account lock, which let anyone lock anyone out.
CREATE TABLE login_throttle (
    account         TEXT NOT NULL,
    source          TEXT NOT NULL,
    failures        BIGINT NOT NULL,
    next_at         BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (account, source)
);
CREATE INDEX login_throttle_updated_idx ON login_throttle (updated_at);
DROP TABLE login_failures;
UPDATE users SET failed_logins = 0, locked_until = NULL;
