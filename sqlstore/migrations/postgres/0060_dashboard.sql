-- Dashboard sign-ins, in the database so that any node serves them. The cookie carries a random token;
-- only its hash is kept. key_hash names the API key (or admin token) signed in with: a tenant session
-- is valid only while that key exists, so revoking the key ends it.
CREATE TABLE dashboard_sessions (
    token_hash  text PRIMARY KEY,
    tenant_id   text NOT NULL DEFAULT '',
    key_hash    text NOT NULL,
    admin       integer NOT NULL DEFAULT 0,
    csrf_token  text NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX dashboard_sessions_expires ON dashboard_sessions (expires_at);

-- The dashboard's lists: reminders by scheduled time (message log, date range) and by status and time
-- (upcoming, status filter), paged through the index; failed provider calls, newest first.
CREATE INDEX reminders_tenant_scheduled ON reminders (tenant_id, scheduled_at, id);
CREATE INDEX reminders_tenant_status_scheduled ON reminders (tenant_id, status, scheduled_at, id);
CREATE INDEX attempts_failed ON attempts (started_at) WHERE error <> '';
CREATE INDEX outbox_reminder ON outbox (reminder_id);
