-- The data lifecycle (issue #18). An account whose owner asked for its deletion is deleted
-- for good after delete_after (unix ms) unless they cancel before.
ALTER TABLE users ADD COLUMN delete_after BIGINT;

-- Conversations of a group's members not touched for this many days are deleted (the
-- shortest retention of a user's groups applies); NULL keeps them.
ALTER TABLE user_groups ADD COLUMN retention_days BIGINT;
