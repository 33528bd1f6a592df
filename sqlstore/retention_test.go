package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"herald"
	"herald/sqlstore"
)

// A meeting moved to a new time while retention runs is not deleted: the
// pruning chooses its meetings under the lock that UpdateMeeting takes, so
// it waits for the move and sees the new time.
func TestPruneSparesAMeetingMovedMeanwhile(t *testing.T) {
	ctx := context.Background()
	db, other := openTwice(t, "postgres")
	store := sqlstore.New(db, nil, sqlstore.Options{})
	tenant, _, err := store.CreateTenant(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	lead, err := store.CreateLead(ctx, tenant.ID, herald.LeadInput{Name: "Ada", Phone: "+15550009999", Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	long := time.Now().AddDate(-10, 0, 0)
	if _, err := db.ExecContext(ctx, `INSERT INTO meetings (id, tenant_id, lead_id, title, starts_at, timezone, join_link,
		status, source, created_at, updated_at) VALUES ('mtg_old', $1, $2, 'Old', $3, 'UTC', '', $4, 'api', $3, $3)`,
		tenant.ID, lead.ID, long, herald.MeetingScheduled); err != nil {
		t.Fatal(err)
	}
	// Another process moves the meeting to tomorrow and has not committed.
	tx, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE meetings SET starts_at = $1 WHERE id = 'mtg_old'`,
		time.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	type result struct {
		rep sqlstore.PruneReport
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := store.PruneOnce(ctx, 10)
		done <- result{rep, err}
	}()
	// Commit once the pruning waits on the meeting's lock.
	for waiting := 0; waiting == 0; {
		select {
		case r := <-done:
			t.Fatalf("pruning did not wait for the move: %+v, %v", r.rep, r.err)
		default:
		}
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'
			AND query LIKE '%FROM meetings%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.rep.Meetings != 0 {
		t.Fatalf("pruned %+v, %v; want the moved meeting kept", r.rep, r.err)
	}
	if _, err := store.Meeting(ctx, tenant.ID, "mtg_old"); err != nil {
		t.Fatalf("the moved meeting: %v", err)
	}
}
