-- Events to the tenant's systems: signed outbound webhooks (docs/EVENTS.md).
-- Times are fixed-width UTC text, as in 0001.

-- A tenant's webhook endpoints. event_types is a JSON array; an empty one
-- means every type. A rotated secret keeps signing beside the new one until
-- previous_secret_until, so a receiver can switch without losing events.
CREATE TABLE webhook_endpoints (
    id                     text PRIMARY KEY,
    tenant_id              text NOT NULL REFERENCES tenants (id),
    url                    text NOT NULL,
    description            text NOT NULL DEFAULT '',
    event_types            text NOT NULL DEFAULT '[]',
    secret                 text NOT NULL,
    previous_secret        text NOT NULL DEFAULT '',
    previous_secret_until  text,
    disabled_at            text,
    disabled_reason        text NOT NULL DEFAULT '',
    created_at             text NOT NULL,
    updated_at             text NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, created_at, id);

-- Events, written in the transaction of the change they report. seq orders
-- them: changes of one object hold its row lock, so their events take
-- increasing numbers.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          text NOT NULL UNIQUE,
    tenant_id   text NOT NULL,
    type        text NOT NULL,
    object_id   text NOT NULL,
    data        text NOT NULL,
    created_at  text NOT NULL
);
CREATE INDEX events_tenant ON events (tenant_id, seq);
CREATE INDEX events_tenant_object ON events (tenant_id, object_id, seq);

-- One event's delivery to one endpoint. round_attempts counts the attempts
-- since the delivery was last (re)started, and picks the next retry delay.
CREATE TABLE event_deliveries (
    id               text PRIMARY KEY,
    tenant_id        text NOT NULL,
    event_id         text NOT NULL,
    endpoint_id      text NOT NULL,
    status           text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    round_attempts   integer NOT NULL DEFAULT 0,
    next_attempt_at  text,
    last_error       text NOT NULL DEFAULT '',
    job_id           bigint NOT NULL DEFAULT 0,
    delivered_at     text,
    created_at       text NOT NULL,
    updated_at       text NOT NULL,
    UNIQUE (event_id, endpoint_id)
);
CREATE INDEX event_deliveries_tenant_event ON event_deliveries (tenant_id, event_id);
CREATE INDEX event_deliveries_endpoint ON event_deliveries (endpoint_id, status);

-- Each HTTP attempt of a delivery: the answer's status and a bounded
-- excerpt of its body.
CREATE TABLE event_attempts (
    id           text PRIMARY KEY,
    tenant_id    text NOT NULL,
    delivery_id  text NOT NULL,
    number       integer NOT NULL,
    status_code  integer NOT NULL DEFAULT 0,
    error        text NOT NULL DEFAULT '',
    response     text NOT NULL DEFAULT '',
    started_at   text NOT NULL,
    duration_ms  bigint NOT NULL DEFAULT 0
);
CREATE INDEX event_attempts_delivery ON event_attempts (delivery_id, number);
