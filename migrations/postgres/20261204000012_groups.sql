-- Groups of users (issue #18). A group grants agents (an agent with no row in agent_groups is
-- available to everyone; one with rows, only to members of those groups, and to admins).
-- The table is user_groups: GROUPS is a keyword in SQLite's window syntax.
CREATE TABLE user_groups (
    id              TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX user_groups_name_key ON user_groups (name);

-- Who is in which group; source says who manages the membership (admin, invitation, oidc,
-- ldap): memberships from an identity provider are replaced at each sign-in, others are not.
CREATE TABLE group_members (
    group_id        TEXT NOT NULL REFERENCES user_groups (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source          TEXT NOT NULL DEFAULT 'admin',
    added_at        BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user_idx ON group_members (user_id);

-- The groups an agent is restricted to, by agent id (file, built-in or stored agents alike).
CREATE TABLE agent_groups (
    agent_id        TEXT NOT NULL,
    group_id        TEXT NOT NULL REFERENCES user_groups (id) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, group_id)
);
CREATE INDEX agent_groups_group_idx ON agent_groups (group_id);

-- The groups an invitation puts its new account in (a JSON list of group ids).
ALTER TABLE invitations ADD COLUMN group_ids TEXT NOT NULL DEFAULT '[]';
