package sqlstore

import (
	"context"
	"fmt"
	"time"

	"herald"
)

// Processes on PostgreSQL heartbeat in herald_processes, and each one
// takes over the reminder jobs of a process whose heartbeat stopped: the
// job engine's own rescue waits for the job timeout and looks only every
// 30 seconds, so a killed process would hold its claimed reminders for up
// to a minute. A reminder taken over takes its normal course: one that was
// only waiting for its provider slot is still pending and is sent; one
// whose provider call was under way has an open attempt and ends unknown,
// never sent twice. The job engine records the id of the process that
// fetched a job last in attempted_by, which names the jobs to take over.
//
// On SQLite one process owns the file: Heartbeat and TakeOverStopped do
// nothing there, and RequeueOrphanedJobs does the work at start.

// Heartbeat records that process id is alive, at the database's clock. It
// reports whether the row was already there: false for a process that
// was taken for dead by another, which has taken over its jobs.
func (db *DB) Heartbeat(ctx context.Context, id string, first bool) (known bool, err error) {
	if db.dialect.singleProcess {
		return true, nil
	}
	res, err := db.ExecContext(ctx, "UPDATE herald_processes SET heartbeat_at = now() WHERE id = $1", id)
	if err != nil {
		return false, fmt.Errorf("heartbeat: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO herald_processes (id) VALUES ($1) ON CONFLICT (id) DO NOTHING", id); err != nil {
		return false, fmt.Errorf("heartbeat: %w", err)
	}
	return first, nil
}

// TakeOverStopped makes the running reminder jobs of every other process
// whose heartbeat is older than staleAfter available again, forgets those
// processes, and returns how many jobs and processes there were. Several
// live processes may call it at once: each stopped process is taken over
// by one of them.
func (db *DB) TakeOverStopped(ctx context.Context, self string, staleAfter time.Duration) (jobs, processes int64, err error) {
	if db.dialect.singleProcess {
		return 0, 0, nil
	}
	err = db.QueryRowContext(ctx, `WITH stopped AS (
			DELETE FROM herald_processes
			WHERE id <> $1 AND heartbeat_at < now() - make_interval(secs => $2)
			RETURNING id
		), requeued AS (
			UPDATE river_job SET state = 'available'
			WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] IN (SELECT id FROM stopped)
			RETURNING id
		)
		SELECT (SELECT count(*) FROM requeued), (SELECT count(*) FROM stopped)`,
		self, staleAfter.Seconds()).Scan(&jobs, &processes)
	if err != nil {
		return 0, 0, fmt.Errorf("take over stopped processes: %w", err)
	}
	return jobs, processes, nil
}

// ForgetProcess removes a process that stops cleanly, its jobs finished
// or handed back.
func (db *DB) ForgetProcess(ctx context.Context, id string) error {
	if db.dialect.singleProcess {
		return nil
	}
	if _, err := db.ExecContext(ctx, "DELETE FROM herald_processes WHERE id = $1", id); err != nil {
		return fmt.Errorf("forget process: %w", err)
	}
	return nil
}

// WorkerProcesses lists the processes in the heartbeat table, latest
// heartbeat first, with the database's clock to age them by. On SQLite
// none is recorded.
func (s *Store) WorkerProcesses(ctx context.Context) (herald.WorkerProcesses, error) {
	if s.db.dialect.singleProcess {
		return herald.WorkerProcesses{Processes: []herald.WorkerProcess{}}, nil
	}
	out := herald.WorkerProcesses{Recorded: true, Processes: []herald.WorkerProcess{}}
	if err := s.db.QueryRowContext(ctx, "SELECT now()").Scan(scanTime(&out.Now)); err != nil {
		return herald.WorkerProcesses{}, fmt.Errorf("worker processes: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT id, started_at, heartbeat_at FROM herald_processes ORDER BY heartbeat_at DESC, id")
	if err != nil {
		return herald.WorkerProcesses{}, fmt.Errorf("worker processes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p herald.WorkerProcess
		if err := rows.Scan(&p.ID, scanTime(&p.StartedAt), scanTime(&p.HeartbeatAt)); err != nil {
			return herald.WorkerProcesses{}, fmt.Errorf("worker processes: %w", err)
		}
		out.Processes = append(out.Processes, p)
	}
	if err := rows.Err(); err != nil {
		return herald.WorkerProcesses{}, fmt.Errorf("worker processes: %w", err)
	}
	return out, nil
}
