-- Conversations keep the upstream's ids (FastGPT chatId, Dify conversation_id) for stateful
-- providers; messages keep their plain text for search.
ALTER TABLE conversations ADD COLUMN upstream TEXT NOT NULL DEFAULT '{}';
ALTER TABLE messages ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

-- Substring search that works for Chinese too: trigram indexes serve LIKE '%…%'.
-- pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX conversations_title_trgm_idx ON conversations USING gin (lower(title) gin_trgm_ops);
CREATE INDEX messages_search_trgm_idx ON messages USING gin (lower(search_text) gin_trgm_ops);
