-- One row per provider account: the next moment a call to it may go. On
-- SQLite one process holds the pace in memory and the table stays empty;
-- it exists so that both databases have the same tables.
CREATE TABLE send_pace (
    account    text PRIMARY KEY,
    next_slot  text NOT NULL
);
