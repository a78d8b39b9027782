-- Deleting a conversation sets usage_records.conversation_id to NULL in its rows; without an
-- index that is a scan of the whole usage table for every deleted conversation (34 ms at
-- 500,000 rows, growing with the table). Partial: gateway rows have no conversation and do
-- not pay for the index.
CREATE INDEX usage_records_conversation_idx ON usage_records (conversation_id)
    WHERE conversation_id IS NOT NULL;
