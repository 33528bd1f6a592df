package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/sqlstore"
	"herald/vonage/vonagetest"
)

// TestHangingProviderIsATransientFailure lets the provider hold a send
// open without answering: with a send timeout of 500 ms (the
// HERALD_SEND_TIMEOUT of `herald worker`), the attempt must end transient
// and the reminder wait for its first retry, REMINDER_INITIAL_RETRY_DELAY
// (60 s by default) later (docs/RULES.md, "Retries").
func TestHangingProviderIsATransientFailure(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		const sendTimeout = 500 * time.Millisecond
		ctx := context.Background()
		fake := vonagetest.NewServer(t)
		fake.Script(func(vonagetest.Request) vonagetest.Reply { return vonagetest.Reply{Hang: true} })
		f := newFixture(t, db, nil)
		logger, _ := fileLogger(t, "deliverer-"+db.Name())
		d := newDeliverer(t, f.store, fake, sendTimeout, logger)

		// Due within the engine's early tolerance, so that the job may run now.
		r := f.bookDue(t, 1, func(int) time.Time { return time.Now().Add(300 * time.Millisecond) })[0]
		start := time.Now()
		err := d.Deliver(ctx, f.tenant.ID, r.ID)
		took := time.Since(start)
		// The job asks the engine to run it again at the retry time.
		if err == nil || !strings.Contains(err.Error(), "wait") {
			t.Errorf("Deliver returned %v, want a wait for the retry", err)
		}
		if took < sendTimeout || took > sendTimeout+5*time.Second {
			t.Errorf("Deliver took %v with a send timeout of %v", took, sendTimeout)
		}
		if n := len(fake.Requests()); n != 1 || len(fake.Accepted()) != 0 {
			t.Errorf("the provider got %d requests and accepted %d, want 1 and 0", n, len(fake.Accepted()))
		}

		got := f.reminder(t, r.ID)
		if got.Status != herald.ReminderPending || got.NextRetryAt == nil || got.Attempts != 1 {
			t.Fatalf("after a hanging send: status %s, next retry %v, %d attempts; want pending with a retry",
				got.Status, got.NextRetryAt, got.Attempts)
		}
		finished := start.Add(took)
		if delay := got.NextRetryAt.Sub(start); delay < time.Minute || got.NextRetryAt.After(finished.Add(time.Minute)) {
			t.Errorf("next retry %v after the send started (%v), want the 60 s initial delay after the failure",
				delay.Round(time.Millisecond), got.NextRetryAt.Format(time.RFC3339Nano))
		}
		if !strings.Contains(got.LastError, "no answer within "+sendTimeout.String()) {
			t.Errorf("last error %q does not name the timeout", got.LastError)
		}
		if len(got.AttemptHistory) != 1 {
			t.Fatalf("attempt history %+v, want one attempt", got.AttemptHistory)
		}
		a := got.AttemptHistory[0]
		if a.Outcome != herald.OutcomeTransient || a.FinishedAt == nil || a.Error == "" {
			t.Errorf("attempt %+v, want a finished transient one with its error", a)
		}
		t.Logf("a hanging send gave up after %v: %q; retry %v later", took.Round(time.Millisecond), got.LastError,
			got.NextRetryAt.Sub(*a.FinishedAt).Round(time.Millisecond))
	})
}
