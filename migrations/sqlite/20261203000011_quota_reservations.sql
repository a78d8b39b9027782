-- Tokens held against a user's daily quota by requests in flight: taken (atomically, one user
-- at a time) before an agent is called, deleted in the transaction that writes the request's
-- usage record. A reservation whose instance stopped or stopped beating no longer counts.
CREATE TABLE quota_reservations (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL,
    instance_id     TEXT NOT NULL,
    tokens          INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX quota_reservations_user_idx ON quota_reservations (user_id);
