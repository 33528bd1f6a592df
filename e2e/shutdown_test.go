package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"herald"
	"herald/vonage/vonagetest"
)

// TestSIGTERMLetsSendsInFlightFinish stops a `herald worker` with SIGTERM
// while its provider calls are under way (a graceful shutdown): the process must
// exit within HERALD_SHUTDOWN_TIMEOUT, after the calls have finished and
// been recorded as sent. Cut off, they would be recorded as failures and
// sent again at the retry, although the provider had them.
func TestSIGTERMLetsSendsInFlightFinish(t *testing.T) {
	skipShort(t)
	t.Parallel()
	const (
		reminders       = 5
		providerLatency = 3 * time.Second
		shutdownTimeout = 10 * time.Second
	)
	url := "sqlite:" + filepath.Join(t.TempDir(), "herald.db")
	migrate(t, url)
	f := newFixture(t, openDB(t, url), nil)
	fake := vonagetest.NewServer(t)
	fake.Script(func(vonagetest.Request) vonagetest.Reply {
		time.Sleep(providerLatency)
		return vonagetest.Reply{}
	})

	due := time.Now().Add(3 * time.Second)
	f.bookDue(t, reminders, func(int) time.Time { return due })
	worker := startWorker(t, "worker", workerEnv(url, fake, "Herald",
		"HERALD_SEND_TIMEOUT=5s", "HERALD_SHUTDOWN_TIMEOUT="+shutdownTimeout.String()))

	waitFor(t, time.Until(due)+10*time.Second, 5*time.Millisecond, func() (bool, string) {
		return len(fake.Requests()) == reminders, "the provider has not received every send"
	})
	inFlight := reminders - len(fake.Accepted())
	if inFlight == 0 {
		t.Fatal("the provider answered every send before SIGTERM: nothing was in flight")
	}
	took := worker.terminate(t, shutdownTimeout+5*time.Second)
	t.Logf("the worker exited %v after SIGTERM, with %d sends of %v in flight", took.Round(time.Millisecond), inFlight, providerLatency)

	if got := len(fake.Accepted()); got != reminders {
		t.Errorf("the provider accepted %d messages, want %d", got, reminders)
	}
	counts, err := statusCounts(t.Context(), f.db)
	if err != nil {
		t.Fatal(err)
	}
	if counts[herald.ReminderSent] != reminders {
		t.Errorf("reminders by status after SIGTERM: %v, want all %d sent", counts, reminders)
	}
	for _, r := range f.reminders(t) {
		full := f.reminder(t, r.ID)
		if len(full.AttemptHistory) != 1 || full.AttemptHistory[0].Outcome != "sent" {
			t.Errorf("reminder %s (%s): attempts %+v, want one that was sent", r.ID, r.Status, full.AttemptHistory)
		}
	}
}
