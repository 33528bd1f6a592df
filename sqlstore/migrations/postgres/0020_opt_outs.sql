-- Opt-outs from SMS. An opt-out belongs to a phone and the number Herald
-- sent from, as carriers apply it, and outlives the leads with that phone:
-- a lead created or changed later with that phone starts opted out, until
-- the phone texts START to that number. The phone is kept only as a hash
-- (see sqlstore/optout.go), so erasing a lead's data leaves its opt-out
-- in force without keeping its number.
CREATE TABLE sms_opt_outs (
    phone_hash    text NOT NULL,
    sender        text NOT NULL,
    provider      text NOT NULL,
    cause         text NOT NULL,
    opted_out_at  timestamptz NOT NULL,
    PRIMARY KEY (phone_hash, sender)
);
