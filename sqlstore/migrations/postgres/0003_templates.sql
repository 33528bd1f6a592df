-- Tenants' own templates. Each replaces the built-in template of the same name and channel, or adds a name
-- that reminder rules may use; deleting it brings the built-in back.
CREATE TABLE tenant_templates (
    tenant_id   text NOT NULL REFERENCES tenants (id),
    name        text NOT NULL,
    channel     text NOT NULL,
    text        text NOT NULL,
    subject     text NOT NULL DEFAULT '',
    html        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, name, channel)
);
