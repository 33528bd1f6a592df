package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// DueJobs counts the reminder jobs that are due at now and not yet
// running: the queue a worker has still to work through.
func (db *DB) DueJobs(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE state IN ('available', 'retryable', 'scheduled')
		AND scheduled_at <= $1`, db.jobTime(now)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count due jobs: %w", err)
	}
	return n, nil
}

// jobTime formats t for comparison with the job engine's time columns.
func (db *DB) jobTime(t time.Time) string { return t.UTC().Format(db.dialect.jobTimeLayout) }
