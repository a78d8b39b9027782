-- What an API key may do: `chat` (the default: chat, conversations, uploads, usage) or
-- `admin` (also the admin API, for an admin's automation). Keys made before scopes existed
-- become `chat` keys: an admin re-creates the keys automation needs with the admin scope.
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'chat';
