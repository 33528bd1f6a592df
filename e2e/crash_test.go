package e2e

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"herald"
	"herald/vonage/vonagetest"
)

// TestKilledWorkerNeitherLosesNorRepeats kills a `herald worker` with
// SIGKILL while it works through a burst, restarts it, and checks docs/RULES.md,
// "No duplicates": no reminder is accepted twice by the provider, none is lost,
// and only the few in flight at the kill end unknown.
func TestKilledWorkerNeitherLosesNorRepeats(t *testing.T) {
	skipShort(t)
	t.Parallel()
	onEachDatabase(t, testKillMidBurst)
}

func testKillMidBurst(t *testing.T, url string) {
	const (
		reminders = 400
		batch     = 50
	)
	migrate(t, url)
	f := newFixture(t, openDB(t, url), nil)
	fake := vonagetest.NewServer(t)
	fake.Script(func(vonagetest.Request) vonagetest.Reply {
		time.Sleep(time.Duration(20+rand.IntN(31)) * time.Millisecond)
		return vonagetest.Reply{}
	})
	// The engine refuses to rescue a job before the job timeout (twice the
	// send timeout plus 5 s, so 9 s here) has passed, and would replace a
	// shorter HERALD_RESCUE_AFTER with the timeout plus 5 s. Twenty
	// connections leave room on PostgreSQL for the tests running beside.
	env := workerEnv(url, fake, "Herald", "REMINDER_BATCH_SIZE="+strconv.Itoa(batch), "HERALD_SEND_TIMEOUT=2s",
		"HERALD_RESCUE_AFTER=10s", "HERALD_DATABASE_MAX_CONNS=20")

	due := time.Now().Add(5 * time.Second).Truncate(time.Second)
	f.bookDue(t, reminders, func(int) time.Time { return due })
	worker := startWorker(t, "worker", env)

	waitFor(t, time.Until(due)+20*time.Second, time.Millisecond, func() (bool, string) {
		return len(fake.Accepted()) >= reminders/3, "the provider has not accepted a third of the burst"
	})
	worker.kill(t)
	killedAt := time.Now()
	atKill := len(fake.Accepted())
	// Requests the dead process had made are still answered by the fake,
	// as a real provider would; wait for them before counting.
	waitFor(t, 5*time.Second, 10*time.Millisecond, func() (bool, string) {
		return len(fake.Requests()) == len(fake.Accepted()), "the provider still answers requests of the dead process"
	})
	beforeRestart := len(fake.Accepted())
	t.Logf("killed the worker %v after the due time, with %d of %d accepted; %d in total once its open requests were answered",
		killedAt.Sub(due).Round(time.Millisecond), atKill, reminders, beforeRestart)

	restarted := startWorker(t, "restarted", env)
	counts := waitSettled(t, f.db, reminders, 75*time.Second)
	settled := time.Since(killedAt)

	refs := referencesOf(t, f.db)
	perReminder, perPhone := map[string]int{}, map[string]int{}
	for _, a := range fake.Accepted() {
		if perPhone[a.To]++; perPhone[a.To] == 2 {
			t.Errorf("the provider accepted two messages to %s, whose lead has one reminder", a.To)
		}
		id, ok := refs[a.ClientRef]
		if !ok {
			t.Errorf("the provider accepted a message with client-ref %q that no attempt has", a.ClientRef)
			continue
		}
		perReminder[id]++
	}
	var unknown []herald.Reminder
	for _, r := range f.reminders(t) {
		accepted := perReminder[r.ID]
		switch r.Status {
		case herald.ReminderSent:
			if accepted != 1 {
				t.Errorf("sent reminder %s was accepted %d times by the provider, want once", r.ID, accepted)
			}
		case herald.ReminderUnknown:
			if accepted > 1 {
				t.Errorf("unknown reminder %s was accepted %d times by the provider, want at most once", r.ID, accepted)
			}
			unknown = append(unknown, r)
		default:
			t.Errorf("reminder %s ended %s (%s), want sent or unknown", r.ID, r.Status, r.Reason)
		}
		if r.Attempts != 1 {
			t.Errorf("reminder %s (%s) made %d attempts, want 1", r.ID, r.Status, r.Attempts)
		}
	}
	// Only a reminder whose provider call was under way when the process
	// died may be unknown: at most one per worker slot, each with its one
	// attempt started before the kill.
	if len(unknown) > batch {
		t.Errorf("%d reminders unknown, more than the %d the worker can have in flight", len(unknown), batch)
	}
	acceptedUnknown := 0
	for _, r := range unknown {
		full := f.reminder(t, r.ID)
		if len(full.AttemptHistory) != 1 || !full.AttemptHistory[0].StartedAt.Before(killedAt) {
			t.Errorf("unknown reminder %s: attempts %+v, want one started before the kill", r.ID, full.AttemptHistory)
		}
		acceptedUnknown += perReminder[r.ID]
	}
	t.Logf("all %d settled %v after the kill: %v; %d unknown (%d of them accepted by the provider); the restarted worker sent %d",
		reminders, settled.Round(time.Millisecond), counts, len(unknown), acceptedUnknown, len(fake.Accepted())-beforeRestart)
	if line := restarted.logLine("Requeued"); line != "" {
		t.Logf("restarted: %s", line)
	}
	restarted.logProblems(t)
}
