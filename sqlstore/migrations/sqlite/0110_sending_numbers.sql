-- The numbers a tenant is configured to send from, in clear beside what
-- holds them, so that inbound texts and opt-outs find the tenants of a
-- number before its first send from it: the tenant's sms_from setting
-- (copied from its settings) and its own accounts' from numbers (written
-- with the sealed accounts; rows sealed before this migration get theirs
-- when a process with HERALD_SECRET_KEY starts). Numbers as
-- herald.NormalizeNumber writes them; '' for none.
ALTER TABLE tenants ADD COLUMN sms_from text NOT NULL DEFAULT '';
UPDATE tenants SET sms_from = COALESCE(json_extract(settings, '$.sms_from'), '');
CREATE INDEX tenants_sms_from ON tenants (sms_from) WHERE sms_from <> '';
ALTER TABLE tenant_providers ADD COLUMN vonage_from_number text NOT NULL DEFAULT '';
ALTER TABLE tenant_providers ADD COLUMN twilio_from_number text NOT NULL DEFAULT '';
