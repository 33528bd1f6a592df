package e2e

import (
	"context"
	"net/url"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/sqlstore"
	"herald/vonage/vonagetest"
)

// TestDatabaseAwayForAFewSeconds cuts the worker's PostgreSQL connections
// while provider calls are under way and more reminders fall due: once
// the database is back, every reminder must be sent, each accepted by the
// provider once, none left behind (docs/RULES.md, "No duplicates").
func TestDatabaseAwayForAFewSeconds(t *testing.T) {
	skipShort(t)
	t.Parallel()
	const (
		inFlight        = 20 // due first, at the provider when the database goes
		dueDuring       = 60 // due while the database is away
		outage          = 4 * time.Second
		providerLatency = time.Second
	)
	direct := dbtest.PostgresSchema(t)
	db := openDB(t, direct)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newDBProxy(t, u.Host)
	u.Host = proxy.addr()
	fake := vonagetest.NewServer(t)
	fake.Script(func(vonagetest.Request) vonagetest.Reply {
		time.Sleep(providerLatency)
		return vonagetest.Reply{}
	})
	// The worker reaches the database through the proxy; the test watches
	// it directly. Twenty connections leave room on PostgreSQL for the
	// tests running beside.
	workerDB, err := sqlstore.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { workerDB.Close() })
	workerDB.SetMaxOpenConns(20)
	workerDB.SetMaxIdleConns(20)
	worker := startInProcess(t, workerDB, fake, 50*time.Millisecond, 3*time.Second)
	f := newFixture(t, db, worker.jobs)

	first := time.Now().Add(6 * time.Second)
	f.bookDue(t, inFlight+dueDuring, func(i int) time.Time {
		if i < inFlight {
			return first
		}
		// Spread over the outage, which starts about when the first
		// group reaches the provider.
		return first.Add(time.Second + time.Duration(i-inFlight)*(outage-2*time.Second)/dueDuring)
	})

	waitFor(t, time.Until(first)+10*time.Second, 5*time.Millisecond, func() (bool, string) {
		return len(fake.Requests()) >= inFlight, "the first reminders have not reached the provider"
	})
	cutAt := time.Now()
	back := proxy.outage(outage)
	t.Logf("database cut %v after the first due time, with %d provider calls under way", cutAt.Sub(first).Round(time.Millisecond), len(fake.Requests()))
	<-back

	counts := waitSettled(t, db, inFlight+dueDuring, 60*time.Second)
	t.Logf("all settled %v after the database came back: %v", time.Since(cutAt.Add(outage)).Round(time.Millisecond), counts)

	refs := referencesOf(t, db)
	perReminder := map[string]int{}
	for _, a := range fake.Accepted() {
		id, ok := refs[a.ClientRef]
		if !ok {
			t.Errorf("the provider accepted a message with client-ref %q that no attempt has", a.ClientRef)
			continue
		}
		perReminder[id]++
	}
	var worst time.Duration
	for _, r := range f.reminders(t) {
		switch {
		case perReminder[r.ID] > 1:
			t.Errorf("reminder %s (%s) was accepted %d times by the provider", r.ID, r.Status, perReminder[r.ID])
		case r.Status == herald.ReminderUnknown:
			// Allowed only for a reminder whose attempt was being
			// committed when the database went away: the commit may have
			// happened with its answer lost, so the worker did not call
			// the provider, and the job's next run finds an open attempt
			// and cannot tell whether a message left.
			full := f.reminder(t, r.ID)
			if len(full.AttemptHistory) != 1 || perReminder[r.ID] != 0 ||
				full.AttemptHistory[0].StartedAt.Before(cutAt.Add(-2*time.Second)) || full.AttemptHistory[0].StartedAt.After(cutAt) {
				t.Errorf("reminder %s ended unknown, accepted %d times, attempts %+v; only an attempt started as the database went away may",
					r.ID, perReminder[r.ID], full.AttemptHistory)
			} else {
				t.Logf("reminder %s ended unknown: its attempt was being recorded when the database went away, so the worker did not send it and its next run could not tell", r.ID)
			}
		case r.Status != herald.ReminderSent:
			t.Errorf("reminder %s ended %s (%s: %s), want sent", r.ID, r.Status, r.Reason, r.LastError)
		case perReminder[r.ID] != 1 || r.Attempts != 1:
			t.Errorf("sent reminder %s: accepted %d times, %d attempts, want once", r.ID, perReminder[r.ID], r.Attempts)
		default:
			worst = max(worst, r.SentAt.Sub(r.ScheduledAt))
		}
	}
	// Those due during the outage wait for its end, then for the engine to
	// fetch again, then for the provider (1 s a call, 50 at once).
	t.Logf("the latest reminder went out %v after its time (outage %v, provider %v a call)",
		worst.Round(time.Millisecond), outage, providerLatency)
}
