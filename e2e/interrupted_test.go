package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"herald"
	"herald/twilio/twiliotest"
	"herald/vonage/vonagetest"
)

// TestSIGTERMCuttingSendsShortSendsNothingTwice stops a `herald worker`
// whose provider calls outlast HERALD_SHUTDOWN_TIMEOUT. The calls cut
// short reached the provider, which takes the messages all the same, so
// they are treated as a crash would leave them: unknown, never retried.
// A restarted worker, with retries due a second later, must not send any
// of them again.
func TestSIGTERMCuttingSendsShortSendsNothingTwice(t *testing.T) {
	skipShort(t)
	t.Parallel()
	const (
		reminders       = 5
		providerLatency = 4 * time.Second
	)
	url := "sqlite:" + filepath.Join(t.TempDir(), "herald.db")
	migrate(t, url)
	f := newFixture(t, openDB(t, url), nil)
	fake := vonagetest.NewServer(t)
	fake.Script(func(vonagetest.Request) vonagetest.Reply {
		time.Sleep(providerLatency)
		return vonagetest.Reply{}
	})
	env := workerEnv(url, fake, "Herald", "HERALD_SEND_TIMEOUT=10s", "HERALD_SHUTDOWN_TIMEOUT=1s",
		"REMINDER_INITIAL_RETRY_DELAY=1s")

	due := time.Now().Add(3 * time.Second)
	f.bookDue(t, reminders, func(int) time.Time { return due })
	worker := startWorker(t, "worker", env)
	waitFor(t, time.Until(due)+10*time.Second, 5*time.Millisecond, func() (bool, string) {
		return len(fake.Requests()) == reminders, "the provider has not received every send"
	})
	took := worker.terminate(t, 15*time.Second)
	t.Logf("the worker exited %v after SIGTERM with %d calls of %v in flight", took.Round(time.Millisecond), reminders, providerLatency)
	// The provider answers the requests of the stopped process, as a
	// real one would: it has the messages.
	waitFor(t, 10*time.Second, 10*time.Millisecond, func() (bool, string) {
		return len(fake.Accepted()) == reminders, "the provider has not answered the cut requests"
	})

	// A reminder waiting to retry is pending: settled means no retry is
	// left to come.
	startWorker(t, "restarted", env)
	counts := waitSettled(t, f.db, reminders, 30*time.Second)
	perPhone := map[string]int{}
	for _, req := range fake.Requests() {
		perPhone[req.Form.Get("to")]++
	}
	for phone, n := range perPhone {
		if n != 1 {
			t.Errorf("the provider got %d requests to %s, want 1", n, phone)
		}
	}
	for _, r := range f.reminders(t) {
		full := f.reminder(t, r.ID)
		if r.Status != herald.ReminderUnknown || r.Reason != herald.ReasonOutcomeLost || len(full.AttemptHistory) != 1 ||
			full.AttemptHistory[0].Outcome != herald.OutcomeUnknown {
			t.Errorf("reminder %s: %s (%s), attempts %+v; want unknown after one attempt", r.ID, r.Status, r.Reason, full.AttemptHistory)
		}
	}
	t.Logf("reminders: %v; provider requests: %d", counts, len(fake.Requests()))
}

// TestUnreadableAnswerIsNeitherRetriedNorFailedOver lets Vonage answer
// HTTP 200 with a page that is not its JSON. Vonage may have sent the SMS,
// so Twilio must not send it too, nor a retry send it again: the reminder
// ends unknown with Vonage's call in its attempt.
func TestUnreadableAnswerIsNeitherRetriedNorFailedOver(t *testing.T) {
	skipShort(t)
	t.Parallel()
	url := "sqlite:" + filepath.Join(t.TempDir(), "herald.db")
	migrate(t, url)
	f := newFixture(t, openDB(t, url), nil)
	fake := vonagetest.NewServer(t)
	fake.Script(func(vonagetest.Request) vonagetest.Reply {
		return vonagetest.Reply{HTTPStatus: 200, Body: "<html><body>Service update in progress</body></html>"}
	})
	second := twiliotest.NewServer(t)
	env := append(workerEnv(url, fake, "Herald", "REMINDER_INITIAL_RETRY_DELAY=1s"), twilioEnv(second)...)

	due := time.Now().Add(3 * time.Second)
	rs := f.bookDue(t, 3, func(int) time.Time { return due })
	startWorker(t, "worker", env)
	waitSettled(t, f.db, len(rs), 20*time.Second)
	// A retry would come a second after the failure.
	time.Sleep(2 * time.Second)

	if n := len(second.Requests()); n != 0 {
		t.Errorf("Twilio got %d requests after Vonage's unreadable answers", n)
	}
	if n := len(fake.Requests()); n != len(rs) {
		t.Errorf("Vonage got %d requests for %d reminders", n, len(rs))
	}
	for _, r := range rs {
		got := f.reminder(t, r.ID)
		if got.Status != herald.ReminderUnknown || len(got.AttemptHistory) != 1 {
			t.Errorf("reminder %s: %s (%s), %d attempts; want unknown after one", r.ID, got.Status, got.Reason, len(got.AttemptHistory))
			continue
		}
		a := got.AttemptHistory[0]
		if len(a.Calls) != 1 || a.Calls[0].Provider != "vonage" || a.Calls[0].Outcome != herald.OutcomeUnknown {
			t.Errorf("reminder %s: calls %+v, want Vonage's one, unknown", r.ID, a.Calls)
		}
	}
}

// TestHangingFirstProviderFailsOverWithinTheSendTimeout lets Vonage hold
// every request open. With HERALD_SEND_TIMEOUT=2s Vonage gets half of it,
// and Twilio sends in the same attempt; the attempt lists Vonage's call,
// which did reach it.
func TestHangingFirstProviderFailsOverWithinTheSendTimeout(t *testing.T) {
	skipShort(t)
	t.Parallel()
	url := "sqlite:" + filepath.Join(t.TempDir(), "herald.db")
	migrate(t, url)
	f := newFixture(t, openDB(t, url), nil)
	fake := vonagetest.NewServer(t)
	fake.Script(func(vonagetest.Request) vonagetest.Reply { return vonagetest.Reply{Hang: true} })
	second := twiliotest.NewServer(t)
	env := append(workerEnv(url, fake, "Herald", "HERALD_SEND_TIMEOUT=2s"), twilioEnv(second)...)

	due := time.Now().Add(3 * time.Second)
	rs := f.bookDue(t, 2, func(int) time.Time { return due })
	startWorker(t, "worker", env)
	waitSettled(t, f.db, len(rs), 20*time.Second)

	for _, r := range rs {
		got := f.reminder(t, r.ID)
		if got.Status != herald.ReminderSent || got.Provider != "twilio" || got.Attempts != 1 {
			t.Errorf("reminder %s: %s via %q after %d attempts (%s); want sent by Twilio in the first", r.ID, got.Status,
				got.Provider, got.Attempts, got.LastError)
			continue
		}
		calls := got.AttemptHistory[0].Calls
		if len(calls) != 2 || calls[0].Provider != "vonage" || calls[0].Outcome != herald.OutcomeTransient ||
			calls[1].Provider != "twilio" || calls[1].Outcome != herald.OutcomeSent {
			t.Errorf("reminder %s: calls %+v, want Vonage's timed out call then Twilio's", r.ID, calls)
		}
	}
	if len(second.Messages()) != len(rs) {
		t.Errorf("Twilio created %d messages for %d reminders", len(second.Messages()), len(rs))
	}
}
