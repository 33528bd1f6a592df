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

// paceReport is what a provider account saw of a paced burst.
type paceReport struct {
	accepted, throttled int
	maxPerSecond        int
	meanRate            float64
}

// paceOf counts the parts the fake accepted for key per calendar second,
// and the mean rate from the first to the last.
func paceOf(fake *vonagetest.Server, key string) paceReport {
	var times []time.Time
	for _, a := range fake.Accepted() {
		if a.APIKey == key {
			times = append(times, a.At)
		}
	}
	rep := paceReport{accepted: len(times), throttled: fake.Throttled(key)}
	if len(times) < 2 {
		return rep
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	perSecond := map[int64]int{}
	for _, at := range times {
		perSecond[at.Unix()]++
	}
	for _, n := range perSecond {
		rep.maxPerSecond = max(rep.maxPerSecond, n)
	}
	// n sends spaced 1/rate apart span (n-1)/rate.
	rep.meanRate = float64(len(times)-1) / times[len(times)-1].Sub(times[0]).Seconds()
	return rep
}

func (r paceReport) String() string {
	return fmt.Sprintf("%d accepted, %d throttled answers, at most %d in one second, mean %.1f/s",
		r.accepted, r.throttled, r.maxPerSecond, r.meanRate)
}

// checkPace asserts that an account was used at its limit and not beyond.
func checkPace(t *testing.T, name string, r paceReport, want, limit int) {
	t.Helper()
	t.Logf("%s: %s (limit %d/s)", name, r, limit)
	if r.accepted != want {
		t.Errorf("%s: %d accepted, want %d", name, r.accepted, want)
	}
	if r.maxPerSecond > limit {
		t.Errorf("%s: %d sends in one second, over the limit of %d", name, r.maxPerSecond, limit)
	}
	if r.throttled > want/50 {
		t.Errorf("%s: %d throttled answers, want almost none (at most %d)", name, r.throttled, want/50)
	}
	if r.meanRate < 0.85*float64(limit) {
		t.Errorf("%s: mean rate %.1f/s, want close to the limit of %d/s", name, r.meanRate, limit)
	}
}

// TestThreeWorkersShareOnePace runs three `herald worker` processes on one
// PostgreSQL with VONAGE_RATE_LIMIT=40 against a fake Vonage that answers
// status 1 (Throttled) beyond 40 requests in a second, with 400 reminders
// due at once: the processes keep one pace between them, so each reminder
// is sent once, almost no answer is throttled, no second carries more
// than 40 and the limit is used (README "Pace").
func TestThreeWorkersShareOnePace(t *testing.T) {
	skipShort(t)
	const (
		reminders = 400
		limit     = 40
	)
	url := dbtest.PostgresSchema(t)
	migrate(t, url)
	f := newFixture(t, openDB(t, url), nil)
	fake := vonagetest.NewServer(t, vonagetest.WithThroughput(limit))
	for i := range 3 {
		name := fmt.Sprintf("node%d", i+1)
		startWorker(t, name, workerEnv(url, fake, "Herald", fmt.Sprintf("VONAGE_RATE_LIMIT=%d", limit),
			"REMINDER_BATCH_SIZE=200", "HERALD_DATABASE_MAX_CONNS=20"))
	}
	due := time.Now().Add(6 * time.Second).Truncate(time.Second)
	f.bookDue(t, reminders, func(int) time.Time { return due })

	counts := waitSettled(t, f.db, reminders, time.Until(due)+60*time.Second)
	if counts[herald.ReminderSent] != reminders {
		t.Errorf("reminders by status %v, want all %d sent", counts, reminders)
	}
	refs := referencesOf(t, f.db)
	perReminder := map[string]int{}
	for _, a := range fake.Accepted() {
		perReminder[refs[a.ClientRef]]++
	}
	for id, n := range perReminder {
		if n != 1 {
			t.Errorf("reminder %s accepted %d times, want once", id, n)
		}
	}
	checkPace(t, "operator account", paceOf(fake, vonagetest.APIKey), reminders, limit)
}
