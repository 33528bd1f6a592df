-- One row per provider account: the next moment a call to it may go.
-- Every process on the database reserves its slots here, so an account's
-- pace holds for all of them together (see README "Pace").
CREATE TABLE send_pace (
    account    text PRIMARY KEY,
    next_slot  timestamptz NOT NULL
);
