-- Conversations keep the upstream's ids (FastGPT chatId, Dify conversation_id) for stateful
-- providers; messages keep their plain text for search.
ALTER TABLE conversations ADD COLUMN upstream TEXT NOT NULL DEFAULT '{}';
ALTER TABLE messages ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

-- Substring search that works for Chinese too (the default tokenizers split on spaces): an
-- FTS5 trigram index mirrored from messages.search_text. Queries under 3 characters use LIKE.
CREATE VIRTUAL TABLE messages_search USING fts5(
    search_text, content = 'messages', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_search (messages_search, rowid, search_text)
    VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER messages_search_update AFTER UPDATE OF search_text ON messages BEGIN
    INSERT INTO messages_search (messages_search, rowid, search_text)
    VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO messages_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
