-- Tenants an operator can switch off, and API keys a tenant can list and
-- revoke one by one: each key gets a public id, the first characters of
-- the key (enough to recognise it, not to use it) and its last use.
ALTER TABLE tenants ADD COLUMN disabled_at text;

ALTER TABLE api_keys ADD COLUMN id text;
ALTER TABLE api_keys ADD COLUMN prefix text NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN last_used_at text;
UPDATE api_keys SET id = 'key_' || substr(key_hash, 1, 24) WHERE id IS NULL;
CREATE UNIQUE INDEX api_keys_id ON api_keys (id);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);
