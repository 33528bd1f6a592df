-- A tenant's own SMS provider accounts, sealed with HERALD_SECRET_KEY.
-- The Vonage API key and Twilio account SID are kept in clear beside them:
-- they are not secret, and webhooks name the account by them.
CREATE TABLE tenant_providers (
    tenant_id           text PRIMARY KEY REFERENCES tenants (id),
    sealed              text NOT NULL,
    vonage_api_key      text NOT NULL DEFAULT '',
    twilio_account_sid  text NOT NULL DEFAULT '',
    updated_at          text NOT NULL
);
CREATE INDEX tenant_providers_vonage ON tenant_providers (vonage_api_key) WHERE vonage_api_key <> '';
CREATE INDEX tenant_providers_twilio ON tenant_providers (twilio_account_sid) WHERE twilio_account_sid <> '';
