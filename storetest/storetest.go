// Package storetest is the conformance suite every Herald store must pass.
// It runs against real databases: see Run.
package storetest

import (
	"context"
	"testing"
	"time"

	"herald"
	"herald/clocktest"
	"herald/outbound"
	"herald/schedule"
	"herald/sqlstore"
)

// Epoch is the frozen time the suite starts its clock at.
var Epoch = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// Bundle is what each conformance test works with.
type Bundle struct {
	Store *sqlstore.Store
	DB    *sqlstore.DB
	Clock *clocktest.Clock
}

// Opener returns a fresh, migrated database for one test.
type Opener func(t testing.TB) *sqlstore.DB

func setup(t *testing.T, open Opener) *Bundle {
	t.Helper()
	db := open(t)
	client, err := schedule.NewInsertClient(db.RiverDriver())
	if err != nil {
		t.Fatal(err)
	}
	clock := clocktest.New(Epoch)
	store := sqlstore.New(db, schedule.NewJobs(client), sqlstore.Options{Clock: clock, Events: outbound.NewJobs(client)})
	return &Bundle{Store: store, DB: db, Clock: clock}
}

// Run runs the whole suite against databases from open.
func Run(t *testing.T, open Opener) {
	tests := map[string]func(t *testing.T, b *Bundle){
		"Tenants":                 testTenants,
		"Leads":                   testLeads,
		"LeadIsolation":           testLeadIsolation,
		"BookPlansThreeReminders": testBookPlansThreeReminders,
		"BookLateSkips":           testBookLateSkips,
		"BookUnknownLead":         testBookUnknownLead,
		"BookConcurrent":          testBookConcurrent,
		"Reschedule":              testReschedule,
		"Cancel":                  testCancel,
		"Idempotency":             testIdempotency,
		"IdempotencyConcurrent":   testIdempotencyConcurrent,
		"IdempotencyClaims":       testIdempotencyClaims,
		"MeetingIsolation":        testMeetingIsolation,
		"Pagination":              testPagination,
		"Audit":                   testAudit,
		"Templates":               testTemplates,
		"TemplateLimit":           testTemplateLimit,
		"Events":                  testEvents,
		"EventsRollBack":          testEventsRollBack,
		"WebhookEndpoints":        testWebhookEndpoints,
		"Redeliver":               testRedeliver,
		"Retention":               testRetention,
		"ReplanSkipEvent":         testReplanSkipEvent,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, setup(t, open))
		})
	}
}

// helpers shared by the tests

func newTenant(t *testing.T, b *Bundle, name string) herald.Tenant {
	t.Helper()
	tenant, _, err := b.Store.CreateTenant(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return tenant
}

func newLead(t *testing.T, b *Bundle, tenantID string) herald.Lead {
	t.Helper()
	lead, err := b.Store.CreateLead(context.Background(), tenantID, herald.LeadInput{
		Name: "John", Phone: "+14155552671", Email: "john@example.com", Timezone: "America/New_York", Locale: "en-US"})
	if err != nil {
		t.Fatal(err)
	}
	return lead
}

func book(t *testing.T, b *Bundle, tenantID, leadID string, startsAt time.Time) herald.Meeting {
	t.Helper()
	m, _, err := b.Store.BookMeeting(context.Background(), tenantID, herald.BookMeetingInput{
		LeadID: leadID, Title: "Product Demo", StartsAt: startsAt, Source: "test"}, herald.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := herald.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// job is a row of the job engine's table.
type job struct {
	ID          int64
	State       string
	ScheduledAt time.Time
	Args        string
}

// jobsOf returns the reminder jobs the engine holds, whatever their state.
func jobsOf(t *testing.T, b *Bundle) map[int64]job {
	t.Helper()
	rows, err := b.DB.QueryContext(context.Background(),
		"SELECT id, state, scheduled_at, args FROM river_job WHERE kind = $1", schedule.ReminderJobKind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]job{}
	for rows.Next() {
		var j job
		var at any
		var args any
		if err := rows.Scan(&j.ID, &j.State, &at, &args); err != nil {
			t.Fatal(err)
		}
		j.ScheduledAt = anyTime(t, at)
		switch a := args.(type) {
		case string:
			j.Args = a
		case []byte:
			j.Args = string(a)
		}
		out[j.ID] = j
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func anyTime(t *testing.T, v any) time.Time {
	t.Helper()
	switch x := v.(type) {
	case time.Time:
		return x.UTC()
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999"} {
			if p, err := time.Parse(layout, x); err == nil {
				return p.UTC()
			}
		}
	}
	t.Fatalf("cannot read job time %T %v", v, v)
	return time.Time{}
}
