-- The time a reminder's rule names, kept when a send window moves the
-- reminder (scheduled_at is when it goes). NULL on older rows: the same as
-- scheduled_at.
ALTER TABLE reminders ADD COLUMN rule_at timestamptz;
