-- Messages kept by the outbox sender when no provider is configured.
CREATE TABLE outbox (
    id           text PRIMARY KEY,
    tenant_id    text NOT NULL REFERENCES tenants (id),
    reminder_id  text NOT NULL,
    reference    text NOT NULL UNIQUE,
    channel      text NOT NULL,
    recipient    text NOT NULL,
    subject      text NOT NULL DEFAULT '',
    body         text NOT NULL,
    created_at   text NOT NULL
);
CREATE INDEX outbox_tenant_created ON outbox (tenant_id, created_at, id);
