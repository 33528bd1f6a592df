package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"herald/dbtest"
	"herald/sqlstore"
)

// The SQL against the job engine's tables runs on both databases: a job
// left running on a database one process owns is made available again,
// and the due jobs are counted.
func TestEngineTablesQueries(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		stamp := time.Now().UTC().Add(-time.Minute).Format("2006-01-02 15:04:05.000")
		if _, err := db.ExecContext(ctx, `INSERT INTO river_job (args, attempt, kind, max_attempts, metadata,
			priority, queue, state, scheduled_at, created_at) VALUES ('{}', 1, 'test', 5, '{}', 1, 'test', 'running', $1, $1)`,
			stamp); err != nil {
			t.Fatal(err)
		}
		n, err := db.RequeueOrphanedJobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := int64(0)
		if db.SingleProcess() {
			want = 1
		}
		if n != want {
			t.Fatalf("requeued %d jobs, want %d", n, want)
		}
		due, err := db.DueJobs(ctx, time.Now())
		if err != nil || due != int(want) {
			t.Fatalf("due jobs %d (%v), want %d", due, err, want)
		}
		if err := db.ForgetLeader(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
