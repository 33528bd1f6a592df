-- The answers to creating requests that carried an Idempotency-Key, per tenant, kept 24 hours (the
-- README explains the rules). A row is claimed (status 0) before the request runs; owner names the claim, applied
-- is set in the same transaction as the change the request made, and status, header and body record the
-- answer that replays return.
CREATE TABLE idempotent_requests (
    tenant_id     text NOT NULL REFERENCES tenants (id),
    key           text NOT NULL,
    request_hash  text NOT NULL,
    owner         text NOT NULL,
    applied       integer NOT NULL DEFAULT 0,
    status        integer NOT NULL DEFAULT 0,
    header        text NOT NULL DEFAULT '',
    body          text NOT NULL DEFAULT '',
    created_at    text NOT NULL,
    locked_until  text NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotent_requests_created ON idempotent_requests (tenant_id, created_at);
