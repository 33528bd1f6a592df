-- Herald's core tables. Times are timestamptz in UTC; ids are random text.
CREATE TABLE tenants (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    settings    text NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE api_keys (
    key_hash    text PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES tenants (id),
    created_at  timestamptz NOT NULL
);

CREATE TABLE leads (
    id                text PRIMARY KEY,
    tenant_id         text NOT NULL REFERENCES tenants (id),
    name              text NOT NULL,
    phone             text NOT NULL,
    email             text NOT NULL,
    timezone          text NOT NULL,
    locale            text NOT NULL,
    sms_opted_out     boolean NOT NULL DEFAULT false,
    sms_opted_out_at  timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX leads_tenant_created ON leads (tenant_id, created_at, id);
CREATE INDEX leads_phone ON leads (phone) WHERE phone <> '';

CREATE TABLE meetings (
    id            text PRIMARY KEY,
    tenant_id     text NOT NULL REFERENCES tenants (id),
    lead_id       text NOT NULL REFERENCES leads (id),
    title         text NOT NULL,
    starts_at     timestamptz NOT NULL,
    timezone      text NOT NULL,
    join_link     text NOT NULL,
    status        text NOT NULL,
    source        text NOT NULL,
    sequence      integer NOT NULL DEFAULT 0,
    confirmed_at  timestamptz,
    cancelled_at  timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX meetings_tenant_created ON meetings (tenant_id, created_at, id);
CREATE INDEX meetings_lead ON meetings (lead_id, starts_at);

CREATE TABLE reminders (
    id                   text PRIMARY KEY,
    tenant_id            text NOT NULL REFERENCES tenants (id),
    meeting_id           text NOT NULL REFERENCES meetings (id),
    rule                 text NOT NULL,
    template             text NOT NULL,
    scheduled_at         timestamptz NOT NULL,
    status               text NOT NULL,
    reason               text NOT NULL DEFAULT '',
    channel              text NOT NULL DEFAULT '',
    provider             text NOT NULL DEFAULT '',
    attempts             integer NOT NULL DEFAULT 0,
    max_retries          integer NOT NULL,
    next_retry_at        timestamptz,
    last_error           text NOT NULL DEFAULT '',
    external_message_id  text NOT NULL DEFAULT '',
    idempotency_key      text NOT NULL UNIQUE,
    delivery_status      text NOT NULL DEFAULT '',
    sent_at              timestamptz,
    job_id               bigint NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE INDEX reminders_meeting ON reminders (meeting_id, scheduled_at);
CREATE INDEX reminders_tenant_created ON reminders (tenant_id, created_at, id);
CREATE INDEX reminders_external ON reminders (external_message_id) WHERE external_message_id <> '';

CREATE TABLE attempts (
    id                   text PRIMARY KEY,
    tenant_id            text NOT NULL REFERENCES tenants (id),
    reminder_id          text NOT NULL REFERENCES reminders (id),
    number               integer NOT NULL,
    channel              text NOT NULL,
    provider             text NOT NULL DEFAULT '',
    reference            text NOT NULL UNIQUE,
    outcome              text NOT NULL DEFAULT '',
    error                text NOT NULL DEFAULT '',
    provider_message_id  text NOT NULL DEFAULT '',
    calls                text NOT NULL DEFAULT '[]',
    started_at           timestamptz NOT NULL,
    finished_at          timestamptz,
    UNIQUE (reminder_id, number)
);

CREATE TABLE assistant_actions (
    id           text PRIMARY KEY,
    tenant_id    text NOT NULL REFERENCES tenants (id),
    action       text NOT NULL,
    entity_type  text NOT NULL,
    entity_id    text NOT NULL,
    channel      text NOT NULL DEFAULT '',
    provider     text NOT NULL DEFAULT '',
    outcome      text NOT NULL DEFAULT '',
    detail       text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL
);
CREATE INDEX assistant_actions_tenant_created ON assistant_actions (tenant_id, created_at DESC, id DESC);
CREATE INDEX assistant_actions_entity ON assistant_actions (tenant_id, entity_id);

CREATE TABLE idempotency_keys (
    tenant_id     text NOT NULL REFERENCES tenants (id),
    key           text NOT NULL,
    request_hash  text NOT NULL,
    meeting_id    text NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
