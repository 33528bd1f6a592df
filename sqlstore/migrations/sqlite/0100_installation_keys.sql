-- Secrets of this installation, shared by every process on the database.
-- 'sms-opt-out' is the key of the HMAC that names a phone in sms_opt_outs
-- (see sqlstore/optout.go): 32 random bytes in hex, written once by
-- `herald migrate` (or by the first process that needs it) and never
-- changed, since changing it would lose every opt-out on record.
CREATE TABLE installation_keys (
    name  text PRIMARY KEY,
    key   text NOT NULL
);
