package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/internal/sealed"
	"herald/tenantsms"
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
	// The rate over the middle 90 % of the sends: n sends spaced 1/rate
	// apart span (n-1)/rate. The first and last few say more about the
	// start of the processes and a straggler on a busy machine than about
	// the pace.
	lo, hi := len(times)/20, len(times)-1-len(times)/20
	rep.meanRate = float64(hi-lo) / times[hi].Sub(times[lo]).Seconds()
	return rep
}

func (r paceReport) String() string {
	return fmt.Sprintf("%d accepted, %d throttled answers, at most %d in one second, mean %.1f/s over the middle 90 %%",
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
	if r.meanRate < 0.8*float64(limit) {
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

// bookMixed books n meetings per class of default rule (10 minutes, 1 hour
// and 24 hours ahead), interleaved, each with a lead of its own, so that
// one reminder of each meeting is due at due: the 10m reminder of a
// meeting at due+10m, the 1h one of a meeting at due+1h, the 24h one of a
// meeting at due+24h. It returns the class of each reminder due at due.
func bookMixed(t *testing.T, f *fixture, n int, due time.Time) map[string]string {
	t.Helper()
	ctx := context.Background()
	if _, err := f.store.UpdateSettings(ctx, f.tenant.ID, herald.DefaultSettings()); err != nil {
		t.Fatal(err)
	}
	classes := []struct {
		rule   string
		offset time.Duration
	}{{"10m", 10 * time.Minute}, {"1h", time.Hour}, {"24h", 24 * time.Hour}}
	out := map[string]string{}
	for i := range n * len(classes) {
		c := classes[i%len(classes)]
		lead, err := f.store.CreateLead(ctx, f.tenant.ID, herald.LeadInput{Name: fmt.Sprintf("Lead %04d", i),
			Phone: phoneOf(i), Timezone: "UTC", Locale: "en"})
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := f.store.BookMeeting(ctx, f.tenant.ID, herald.BookMeetingInput{LeadID: lead.ID,
			Title: "Product Demo", StartsAt: due.Add(c.offset), Timezone: "UTC", Source: "e2e"}, herald.Idempotency{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range m.Reminders {
			if r.Rule == c.rule && r.Status == herald.ReminderPending && r.ScheduledAt.Equal(due) {
				out[r.ID] = c.rule
			}
		}
	}
	if len(out) != n*len(classes) {
		t.Fatalf("%d reminders due at %s, want %d", len(out), due, n*len(classes))
	}
	return out
}

// TestBacklogGoesSoonestMeetingFirst: with more reminders due at once than
// the pace admits (300 at 30 per second, one worker), the reminders of the
// meetings that start soonest are handed over first: every 10-minute
// reminder before the 1-hour ones' median, every 1-hour one before the
// 24-hour ones' median; the lateness per class shows it.
func TestBacklogGoesSoonestMeetingFirst(t *testing.T) {
	skipShort(t)
	t.Parallel()
	const perClass, limit = 100, 30
	url := dbtest.PostgresSchema(t)
	migrate(t, url)
	f := newFixture(t, openDB(t, url), nil)
	fake := vonagetest.NewServer(t)
	due := time.Now().Add(8 * time.Second).Truncate(time.Second)
	class := bookMixed(t, f, perClass, due)
	startWorker(t, "worker", workerEnv(url, fake, "Herald", fmt.Sprintf("VONAGE_RATE_LIMIT=%d", limit),
		"REMINDER_BATCH_SIZE=400", "HERALD_DATABASE_MAX_CONNS=20"))
	waitFor(t, time.Until(due)+40*time.Second, 100*time.Millisecond, func() (bool, string) {
		n := 0
		for _, r := range f.reminders(t) {
			if class[r.ID] != "" && r.Status == herald.ReminderSent {
				n++
			}
		}
		return n == len(class), fmt.Sprintf("%d of %d sent", n, len(class))
	})
	late := map[string][]time.Duration{}
	for _, r := range f.reminders(t) {
		if c := class[r.ID]; c != "" {
			late[c] = append(late[c], r.SentAt.Sub(r.ScheduledAt))
		}
	}
	for _, c := range []string{"10m", "1h", "24h"} {
		d := sortDurations(late[c])
		t.Logf("%-3s reminders: lateness p50 %v, p90 %v, max %v", c, percentile(d, 50).Round(time.Millisecond),
			percentile(d, 90).Round(time.Millisecond), d[len(d)-1].Round(time.Millisecond))
	}
	if a, b := sortDurations(late["10m"]), sortDurations(late["1h"]); a[len(a)-1] > percentile(b, 50) {
		t.Errorf("the last 10-minute reminder went %v late, after half the 1-hour ones (%v)", a[len(a)-1], percentile(b, 50))
	}
	if a, b := sortDurations(late["1h"]), sortDurations(late["24h"]); a[len(a)-1] > percentile(b, 50) {
		t.Errorf("the last 1-hour reminder went %v late, after half the 24-hour ones (%v)", a[len(a)-1], percentile(b, 50))
	}
}

// TestTenantOwnAccountKeepsItsOwnPace runs the three workers with a second
// tenant on its own Vonage account (limit 20/s) beside the operator's
// (40/s), 400 and 200 reminders due at once: each account is used at its
// own pace and never beyond it, and every reminder goes once through the
// account of its tenant, from the tenant's own number.
func TestTenantOwnAccountKeepsItsOwnPace(t *testing.T) {
	skipShort(t)
	const (
		operatorReminders, tenantReminders = 400, 200
		operatorLimit, tenantLimit         = 40, 20
		tenantKey, tenantSecret            = "tenant01", "Tenant-Secret-99"
		tenantFrom                         = "+14155550142"
	)
	url := dbtest.PostgresSchema(t)
	migrate(t, url)
	db := openDB(t, url)
	operator := newFixture(t, db, nil)
	own := newFixture(t, db, nil)
	keyText := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, sealed.KeySize))
	box, err := sealed.FromBase64(keyText)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tenantsms.NewAccounts(own.store, box).Put(context.Background(), own.tenant.ID, herald.TenantProviders{
		Vonage: &herald.VonageAccount{APIKey: tenantKey, APISecret: tenantSecret, FromNumber: tenantFrom, RateLimit: tenantLimit},
	}); err != nil {
		t.Fatal(err)
	}
	fake := vonagetest.NewServer(t, vonagetest.WithThroughput(operatorLimit),
		vonagetest.WithAccount(tenantKey, tenantSecret, tenantLimit))
	for i := range 3 {
		name := fmt.Sprintf("node%d", i+1)
		startWorker(t, name, workerEnv(url, fake, "Herald", fmt.Sprintf("VONAGE_RATE_LIMIT=%d", operatorLimit),
			"REMINDER_BATCH_SIZE=300", "HERALD_DATABASE_MAX_CONNS=20", "HERALD_SECRET_KEY="+keyText))
	}
	due := time.Now().Add(8 * time.Second).Truncate(time.Second)
	operator.bookDue(t, operatorReminders, func(int) time.Time { return due })
	own.bookDueFrom(t, operatorReminders, tenantReminders, func(int) time.Time { return due })

	counts := waitSettled(t, db, operatorReminders+tenantReminders, time.Until(due)+60*time.Second)
	if counts[herald.ReminderSent] != operatorReminders+tenantReminders {
		t.Errorf("reminders by status %v, want all sent", counts)
	}
	for _, a := range fake.Accepted() {
		if a.APIKey == tenantKey && a.From != strings.TrimPrefix(tenantFrom, "+") {
			t.Errorf("the tenant's message went from %q, want its own number", a.From)
			break
		}
	}
	checkPace(t, "operator account", paceOf(fake, vonagetest.APIKey), operatorReminders, operatorLimit)
	checkPace(t, "tenant's own account", paceOf(fake, tenantKey), tenantReminders, tenantLimit)
}
