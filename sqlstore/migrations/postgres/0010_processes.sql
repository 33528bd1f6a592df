-- Processes working reminders, each with its last heartbeat at the
-- database's clock. A process whose heartbeat is older than a few seconds
-- is taken for dead, and another takes over the reminder jobs it had
-- claimed (see sqlstore/processes.go).
CREATE TABLE herald_processes (
    id            text PRIMARY KEY,
    started_at    timestamptz NOT NULL DEFAULT now(),
    heartbeat_at  timestamptz NOT NULL DEFAULT now()
);
