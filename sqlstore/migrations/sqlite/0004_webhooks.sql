-- Provider webhooks: delivery receipts and inbound SMS.
-- Times are fixed-width UTC text, as in 0001.

-- Where each attempt went and the number it was sent from: inbound replies
-- and opt-outs reach Herald addressed to that number, and are matched to
-- tenants through what Herald itself sent, never through their text.
ALTER TABLE attempts ADD COLUMN recipient text NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN sender text NOT NULL DEFAULT '';
CREATE INDEX attempts_provider_message ON attempts (provider_message_id) WHERE provider_message_id <> '';
CREATE INDEX attempts_conversation ON attempts (recipient, sender, started_at) WHERE sender <> '';
CREATE INDEX attempts_tenant_sender ON attempts (tenant_id, sender) WHERE sender <> '';

-- Every webhook event Herald acted on or recorded: the key makes a
-- provider's retry of the same event change nothing twice, and events that
-- match nothing Herald sent are kept here with an empty tenant.
CREATE TABLE webhook_events (
    id           text PRIMARY KEY,
    provider     text NOT NULL,
    kind         text NOT NULL,
    event_key    text NOT NULL,
    tenant_id    text NOT NULL DEFAULT '',
    entity_id    text NOT NULL DEFAULT '',
    outcome      text NOT NULL DEFAULT '',
    detail       text NOT NULL DEFAULT '',
    received_at  text NOT NULL,
    UNIQUE (provider, kind, event_key)
);
CREATE INDEX webhook_events_received ON webhook_events (received_at);

-- Nonces of signed webhooks, kept while their timestamp is acceptable: a
-- nonce seen twice is a replay.
CREATE TABLE webhook_nonces (
    provider  text NOT NULL,
    nonce     text NOT NULL,
    seen_at   text NOT NULL,
    PRIMARY KEY (provider, nonce)
);
CREATE INDEX webhook_nonces_seen ON webhook_nonces (seen_at);

-- Multi-part inbound SMS being reassembled. The message row serialises the
-- parts arriving together; completed_at keeps a late retry of a part from
-- starting the message again.
CREATE TABLE inbound_messages (
    provider      text NOT NULL,
    sender        text NOT NULL,
    recipient     text NOT NULL,
    concat_ref    text NOT NULL,
    total         integer NOT NULL,
    created_at    text NOT NULL,
    completed_at  text,
    PRIMARY KEY (provider, sender, recipient, concat_ref)
);
CREATE INDEX inbound_messages_created ON inbound_messages (created_at);

CREATE TABLE inbound_parts (
    provider     text NOT NULL,
    sender       text NOT NULL,
    recipient    text NOT NULL,
    concat_ref   text NOT NULL,
    part         integer NOT NULL,
    body         text NOT NULL,
    received_at  text NOT NULL,
    PRIMARY KEY (provider, sender, recipient, concat_ref, part)
);
