package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/schedule"
	"herald/sqlstore"
)

// reminderOffset is the one reminder rule of the tests' tenant: a meeting
// that starts at due+reminderOffset has its only reminder due at due.
const reminderOffset = time.Hour

// fixture is a tenant on a database, ready to book meetings.
type fixture struct {
	db     *sqlstore.DB
	store  *sqlstore.Store
	tenant herald.Tenant
}

// newFixture creates a tenant whose meetings get one reminder an hour
// before they start. jobs plans the reminder jobs; nil means an
// insert-only engine client, for tests whose workers run elsewhere.
func newFixture(t *testing.T, db *sqlstore.DB, jobs sqlstore.JobScheduler) *fixture {
	t.Helper()
	ctx := context.Background()
	if jobs == nil {
		client, err := schedule.NewInsertClient(db.RiverDriver())
		if err != nil {
			t.Fatal(err)
		}
		jobs = schedule.NewJobs(client)
	}
	store := sqlstore.New(db, jobs, sqlstore.Options{})
	tenant, _, err := store.CreateTenant(ctx, "E2E Sales")
	if err != nil {
		t.Fatal(err)
	}
	settings := herald.DefaultSettings()
	settings.ReminderRules = []herald.ReminderRule{
		{Name: "1h", Offset: herald.Duration(reminderOffset), Template: "meeting_reminder_1h"},
	}
	if err := settings.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateSettings(ctx, tenant.ID, settings); err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, store: store, tenant: tenant}
}

// phoneOf is the phone number of the i-th lead: each lead has its own, so
// a message at the provider names its reminder.
func phoneOf(i int) string { return fmt.Sprintf("+1555%07d", i) }

// bookDue books n meetings, each with a lead of its own, so that meeting
// i's one reminder is due at due(i). It returns the reminders in order.
func (f *fixture) bookDue(t *testing.T, n int, due func(i int) time.Time) []herald.Reminder {
	t.Helper()
	return f.bookDueFrom(t, 0, n, due)
}

// bookDueFrom is bookDue with the leads numbered from first, so that two
// tenants' leads have phones of their own.
func (f *fixture) bookDueFrom(t *testing.T, first, n int, due func(i int) time.Time) []herald.Reminder {
	t.Helper()
	ctx := context.Background()
	out := make([]herald.Reminder, n)
	// PostgreSQL books in parallel; SQLite has one writer anyway.
	parallel := 8
	if f.db.Name() == "sqlite" {
		parallel = 1
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	next := make(chan int)
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, err := f.bookOne(ctx, first+i, due(i))
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				out[i] = r
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	return out
}

func (f *fixture) bookOne(ctx context.Context, i int, due time.Time) (herald.Reminder, error) {
	lead, err := f.store.CreateLead(ctx, f.tenant.ID, herald.LeadInput{Name: fmt.Sprintf("Lead %04d", i),
		Phone: phoneOf(i), Timezone: "UTC", Locale: "en"})
	if err != nil {
		return herald.Reminder{}, err
	}
	m, _, err := f.store.BookMeeting(ctx, f.tenant.ID, herald.BookMeetingInput{LeadID: lead.ID,
		Title: "Product Demo", StartsAt: due.Add(reminderOffset), Timezone: "UTC", Source: "e2e"}, herald.Idempotency{})
	if err != nil {
		return herald.Reminder{}, err
	}
	if len(m.Reminders) != 1 || m.Reminders[0].Status != herald.ReminderPending {
		return herald.Reminder{}, fmt.Errorf("meeting %d: want one pending reminder, got %+v", i, m.Reminders)
	}
	return m.Reminders[0], nil
}

// reminders returns every reminder of the tenant, read back with the
// store's own API.
func (f *fixture) reminders(t *testing.T) []herald.Reminder {
	t.Helper()
	var out []herald.Reminder
	page := herald.PageRequest{Limit: herald.MaxPageLimit}
	for {
		p, err := f.store.ListReminders(context.Background(), f.tenant.ID, herald.ReminderFilter{Page: page})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Items...)
		if p.NextCursor == "" {
			return out
		}
		page.Cursor = p.NextCursor
	}
}

// reminder returns one reminder with its attempt history.
func (f *fixture) reminder(t *testing.T, id string) herald.Reminder {
	t.Helper()
	r, err := f.store.Reminder(context.Background(), f.tenant.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// statusCounts counts reminders by status.
func statusCounts(ctx context.Context, db *sqlstore.DB) (map[herald.ReminderStatus]int, error) {
	rows, err := db.QueryContext(ctx, "SELECT status, count(*) FROM reminders GROUP BY status")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[herald.ReminderStatus]int{}
	for rows.Next() {
		var status herald.ReminderStatus
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, err
		}
		out[status] = n
	}
	return out, rows.Err()
}

// waitSettled polls until n reminders exist and none is pending or
// sending, and returns the counts by status.
func waitSettled(t *testing.T, db *sqlstore.DB, n int, timeout time.Duration) map[herald.ReminderStatus]int {
	t.Helper()
	var counts map[herald.ReminderStatus]int
	waitFor(t, timeout, 100*time.Millisecond, func() (bool, string) {
		var err error
		counts, err = statusCounts(context.Background(), db)
		if err != nil {
			return false, err.Error()
		}
		total := 0
		for _, c := range counts {
			total += c
		}
		open := counts[herald.ReminderPending] + counts[herald.ReminderSending]
		return total == n && open == 0, fmt.Sprintf("reminders by status %v", counts)
	})
	return counts
}

// referencesOf maps each attempt's provider reference to its reminder.
func referencesOf(t *testing.T, db *sqlstore.DB) map[string]string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT reference, reminder_id FROM attempts")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var ref, id string
		if err := rows.Scan(&ref, &id); err != nil {
			t.Fatal(err)
		}
		out[ref] = id
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// onEachDatabase runs test, in parallel subtests, against a fresh SQLite
// file and a fresh PostgreSQL schema, each passed as its database URL.
func onEachDatabase(t *testing.T, test func(t *testing.T, url string)) {
	t.Helper()
	for _, database := range []string{"sqlite", "postgres"} {
		t.Run(database, func(t *testing.T) {
			t.Parallel()
			if database == "sqlite" {
				test(t, "sqlite:"+filepath.Join(t.TempDir(), "herald.db"))
			} else {
				test(t, dbtest.PostgresSchema(t))
			}
		})
	}
}

// skipShort skips a test that takes seconds and loads the machine when
// tests run with -short.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("a fault or scale test of several seconds; skipped with -short")
	}
}

// waitFor polls cond every interval until it holds, failing the test with
// cond's last description when timeout passes first.
func waitFor(t *testing.T, timeout, interval time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after %v: %s", timeout, state)
		}
		time.Sleep(interval)
	}
}

// openDB opens a database that is already migrated and closes it after the
// test. The test's own handles keep to a few connections: the workers
// under test need the server's.
func openDB(t *testing.T, url string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if db.Name() == "postgres" {
		db.SetMaxOpenConns(testConns)
		db.SetMaxIdleConns(testConns)
	}
	return db
}

// testConns bounds the PostgreSQL connections of each of the test's own
// database handles.
const testConns = 8

// fileLogger returns a logger that writes to a file of the test, and the
// file's path. Its last lines are shown when the test fails.
func fileLogger(t *testing.T, name string) (*slog.Logger, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		f.Close()
		if t.Failed() {
			t.Logf("last lines of %s:\n%s", name, tailOf(path, 40))
		}
	})
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo})), path
}

// tailOf returns the last n lines of a file.
func tailOf(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// percentile returns the p-th percentile (0 < p <= 100) of sorted values
// by the nearest-rank method.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// sortDurations sorts d in place and returns it.
func sortDurations(d []time.Duration) []time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d
}
