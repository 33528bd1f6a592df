-- Processes working reminders, each with its last heartbeat. On SQLite one
-- process owns the file and takes over what a killed one left at start
-- (sqlstore.RequeueOrphanedJobs), so the table stays empty; it exists so
-- that both databases have the same schema.
CREATE TABLE herald_processes (
    id            text PRIMARY KEY,
    started_at    text NOT NULL,
    heartbeat_at  text NOT NULL
);
