package e2e

import (
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/vonage/vonagetest"
)

// TestSIGKILLedWorkersRemindersAreTakenOverFast kills a `herald worker`
// on PostgreSQL that has claimed a backlog waiting for its provider's pace
// (VONAGE_RATE_LIMIT=2), while a second worker runs beside it. The second
// must take over the killed one's reminders within ten seconds, from the
// processes' heartbeats, where the job engine's own rescue would wait for
// HERALD_RESCUE_AFTER (30 s here, plus up to 30 s for its next round).
// Every reminder is then sent once, but those in flight at the kill, which
// end unknown.
func TestSIGKILLedWorkersRemindersAreTakenOverFast(t *testing.T) {
	skipShort(t)
	t.Parallel()
	const reminders = 20
	url := dbtest.PostgresSchema(t)
	migrate(t, url)
	f := newFixture(t, openDB(t, url), nil)
	fake := vonagetest.NewServer(t)
	fake.Script(func(vonagetest.Request) vonagetest.Reply {
		time.Sleep(100 * time.Millisecond)
		return vonagetest.Reply{}
	})
	env := workerEnv(url, fake, "Herald", "VONAGE_RATE_LIMIT=2", "HERALD_SEND_TIMEOUT=5s",
		"HERALD_RESCUE_AFTER=30s", "HERALD_DATABASE_MAX_CONNS=10")

	due := time.Now().Add(3 * time.Second)
	f.bookDue(t, reminders, func(int) time.Time { return due })
	first := startWorker(t, "first", env)
	// The first worker claims the whole backlog at the due time; it sends
	// two a second.
	waitFor(t, time.Until(due)+10*time.Second, 5*time.Millisecond, func() (bool, string) {
		return len(fake.Requests()) >= 2, "the first worker has not started sending"
	})
	second := startWorker(t, "second", env)
	first.kill(t)
	killedAt := time.Now()
	sentBefore := len(fake.Requests())

	waitFor(t, 20*time.Second, 20*time.Millisecond, func() (bool, string) {
		return second.logLine("Took over the reminder jobs of a stopped process") != "", "the second worker has not taken over"
	})
	tookOver := time.Since(killedAt)
	waitFor(t, 20*time.Second, 20*time.Millisecond, func() (bool, string) {
		return len(fake.Requests()) > sentBefore, "the second worker has sent nothing"
	})
	firstSend := time.Since(killedAt)
	t.Logf("killed the first worker with %d of %d sent; the second took over after %v and sent its first after %v: %s",
		sentBefore, reminders, tookOver.Round(time.Millisecond), firstSend.Round(time.Millisecond),
		second.logLine("Took over"))
	if firstSend > 10*time.Second {
		t.Errorf("the killed worker's reminders were taken over %v after the kill, want within 10 s", firstSend.Round(time.Millisecond))
	}

	counts := waitSettled(t, f.db, reminders, 60*time.Second)
	perPhone := map[string]int{}
	for _, a := range fake.Accepted() {
		perPhone[a.To]++
	}
	unknown := 0
	for _, r := range f.reminders(t) {
		switch {
		case r.Status == herald.ReminderUnknown:
			unknown++
		case r.Status != herald.ReminderSent:
			t.Errorf("reminder %s ended %s (%s)", r.ID, r.Status, r.Reason)
		}
	}
	for phone, n := range perPhone {
		if n > 1 {
			t.Errorf("%s got %d messages", phone, n)
		}
	}
	// At two a second and 100 ms a call, at most one call is in flight.
	if unknown > 2 {
		t.Errorf("%d reminders unknown, more than the calls in flight at the kill", unknown)
	}
	t.Logf("settled: %v", counts)
}
