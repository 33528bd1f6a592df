package e2e

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/vonage/vonagetest"
)

// TestWorkersShareABurstWithoutDuplicates runs three `herald worker`
// processes on one PostgreSQL schema with 1,000 reminders due in the same
// second: every reminder must be sent, each accepted by the provider
// exactly once, and every process must take a share (docs/RULES.md,
// "No duplicates").
//
// Each process may use 20 connections (HERALD_DATABASE_MAX_CONNS): with
// the default of 40, three of them in a burst exceed the 100 PostgreSQL
// allows by default, claims and outcomes fail with "too many clients", and
// the job engine's backoff (a failed job runs again after 1 s, then 16 s)
// made some reminders over 20 s late. For the same reason the test runs
// alone, before the parallel ones.
func TestWorkersShareABurstWithoutDuplicates(t *testing.T) {
	skipShort(t)
	const (
		reminders = 1000
		nodes     = 3
	)
	url := dbtest.PostgresSchema(t)
	migrate(t, url)
	f := newFixture(t, openDB(t, url), nil)
	fake := vonagetest.NewServer(t)

	procs := make([]*workerProc, nodes)
	for i := range procs {
		name := fmt.Sprintf("node%d", i+1)
		procs[i] = startWorker(t, name, workerEnv(url, fake, "Herald"+name, "REMINDER_BATCH_SIZE=100", "HERALD_DATABASE_MAX_CONNS=20"))
	}

	due := time.Now().Add(9 * time.Second).Truncate(time.Second)
	booking := time.Now()
	f.bookDue(t, reminders, func(int) time.Time { return due })
	t.Logf("booked %d reminders in %v; all due at %s, %v after the booking ended",
		reminders, time.Since(booking).Round(time.Millisecond), due.Format("15:04:05"), time.Until(due).Round(time.Millisecond))

	counts := waitSettled(t, f.db, reminders, time.Until(due)+75*time.Second)
	if counts[herald.ReminderSent] != reminders {
		t.Errorf("reminders by status %v, want all %d sent", counts, reminders)
	}

	// Every provider call names its attempt (client-ref); map each back to
	// its reminder and count.
	refs := referencesOf(t, f.db)
	perReminder, perNode, perPhone := map[string]int{}, map[string]int{}, map[string]int{}
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
		perNode[a.From]++
	}
	var lastSent time.Time
	for _, r := range f.reminders(t) {
		if n := perReminder[r.ID]; n != 1 {
			t.Errorf("reminder %s (%s) was accepted %d times by the provider, want exactly once", r.ID, r.Status, n)
		}
		if r.Attempts != 1 {
			t.Errorf("reminder %s made %d attempts, want 1", r.ID, r.Attempts)
		}
		if r.SentAt != nil && r.SentAt.After(lastSent) {
			lastSent = *r.SentAt
		}
	}
	if got := len(fake.Requests()); got != reminders {
		t.Errorf("the provider got %d requests for %d reminders", got, reminders)
	}

	names := make([]string, 0, len(perNode))
	for name := range perNode {
		names = append(names, name)
	}
	sort.Strings(names)
	split := ""
	for _, name := range names {
		split += fmt.Sprintf(" %s=%d", name, perNode[name])
	}
	t.Logf("%d reminders sent by %d processes:%s; the last %v after the due time",
		counts[herald.ReminderSent], nodes, split, lastSent.Sub(due).Round(time.Millisecond))
	for _, p := range procs {
		p.logProblems(t)
		if perNode["Herald"+p.name] == 0 {
			t.Errorf("%s sent nothing: the work was not shared", p.name)
		}
	}
}
