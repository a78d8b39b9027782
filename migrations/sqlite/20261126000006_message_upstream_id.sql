-- The upstream's id of an answer (Dify message_id), for forwarding feedback.
ALTER TABLE messages ADD COLUMN upstream_id TEXT;
