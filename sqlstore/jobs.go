package sqlstore

// The SQL Herald runs against the job engine's own tables (river_job,
// river_leader), written for the engine version in go.mod: a new engine
// version is checked against this file.

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// DueJobs counts the reminder jobs that are due at now and not yet
// running: the queue a worker has still to work through.
func (db *DB) DueJobs(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE state IN ($1, $2, $3)
		AND scheduled_at <= $4`, rivertype.JobStateAvailable, rivertype.JobStateRetryable, rivertype.JobStateScheduled,
		db.jobTime(now)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count due jobs: %w", err)
	}
	return n, nil
}

// jobTime formats t for comparison with the job engine's time columns.
func (db *DB) jobTime(t time.Time) string { return t.UTC().Format(db.dialect.jobTimeLayout) }

// ForgetLeader removes the job engine's leader record on SQLite, where one
// process owns the file: a record left by a process that was killed would
// otherwise delay scheduled reminders until it expires. PostgreSQL, shared
// by many processes, keeps its leader.
func (db *DB) ForgetLeader(ctx context.Context) error {
	if !db.dialect.singleProcess {
		return nil
	}
	if _, err := db.ExecContext(ctx, "DELETE FROM river_leader"); err != nil {
		return fmt.Errorf("forget job engine leader: %w", err)
	}
	return nil
}

// RequeueOrphanedJobs makes the jobs that a killed process left running
// available again, on SQLite only, and returns how many there were. One
// process owns the file, so at start no job can be running anywhere: left
// alone, the job engine would take them up only once RescueAfter has
// passed, at its next 30-second rescue round. Their reminders then take
// their normal course: a pending one is sent, one whose provider call was
// cut off is marked unknown. PostgreSQL, shared by live processes, leaves
// this to the engine's rescuer.
func (db *DB) RequeueOrphanedJobs(ctx context.Context) (int64, error) {
	if !db.dialect.singleProcess {
		return 0, nil
	}
	res, err := db.ExecContext(ctx, "UPDATE river_job SET state = $1 WHERE state = $2",
		rivertype.JobStateAvailable, rivertype.JobStateRunning)
	if err != nil {
		return 0, fmt.Errorf("requeue orphaned jobs: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
