-- Audit entries record who called from where and whether the action succeeded.
ALTER TABLE audit_log ADD COLUMN user_agent TEXT;
ALTER TABLE audit_log ADD COLUMN result TEXT NOT NULL DEFAULT 'success';
CREATE INDEX audit_log_action_idx ON audit_log (action, created_at);
