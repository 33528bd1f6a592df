package schedule_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/clocktest"
	"herald/dbtest"
	"herald/render"
	"herald/schedule"
	"herald/sqlstore"
)

// recordingSender is a sender at Herald's own seam: it records each message
// and answers what the test scripts.
type recordingSender struct {
	name   string
	mu     sync.Mutex
	sent   []herald.Message
	answer func(msg *herald.Message) (herald.SendResult, error)
}

func (s *recordingSender) Send(ctx context.Context, msg *herald.Message) (herald.SendResult, error) {
	s.mu.Lock()
	s.sent = append(s.sent, *msg)
	answer := s.answer
	s.mu.Unlock()
	if answer != nil {
		return answer(msg)
	}
	return herald.SendResult{Provider: s.name, MessageID: s.name + "-" + msg.Reference, Parts: 1}, nil
}

func (s *recordingSender) messages() []herald.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]herald.Message(nil), s.sent...)
}

type bundle struct {
	store     *sqlstore.Store
	clock     *clocktest.Clock
	sms, mail *recordingSender
	deliverer *schedule.Deliverer
	tenant    herald.Tenant
}

// start is a Monday 2:00 PM in New York, when the meeting of most tests
// begins.
var start = time.Date(2026, 12, 1, 19, 0, 0, 0, time.UTC)

func setup(t *testing.T, db *sqlstore.DB) *bundle {
	t.Helper()
	client, err := schedule.NewInsertClient(db.RiverDriver())
	if err != nil {
		t.Fatal(err)
	}
	clock := clocktest.New(start.Add(-72 * time.Hour))
	store := sqlstore.New(db, schedule.NewJobs(client), sqlstore.Options{Clock: clock})
	b := &bundle{store: store, clock: clock, sms: &recordingSender{name: "vonage"}, mail: &recordingSender{name: "smtp"}}
	b.deliverer = &schedule.Deliverer{Store: store, SMS: b.sms, Email: b.mail,
		Templates: schedule.BuiltinTemplates{Registry: render.NewRegistry()}, Clock: clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SendTimeout: 200 * time.Millisecond,
		Retry: schedule.RetryPolicy{InitialDelay: time.Minute, Multiplier: 2}, SenderEmail: "reminders@example.com"}
	b.tenant, _, err = store.CreateTenant(context.Background(), "Acme Sales")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *bundle) lead(t *testing.T, in herald.LeadInput) herald.Lead {
	t.Helper()
	if in.Name == "" {
		in.Name = "John"
	}
	if in.Timezone == "" {
		in.Timezone = "America/New_York"
	}
	l, err := b.store.CreateLead(context.Background(), b.tenant.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// book books "Product Demo" at start and returns its reminders by rule.
func (b *bundle) book(t *testing.T, leadID, joinLink string) map[string]herald.Reminder {
	t.Helper()
	b.clock.Set(start.Add(-72 * time.Hour))
	m, _, err := b.store.BookMeeting(context.Background(), b.tenant.ID, herald.BookMeetingInput{LeadID: leadID,
		Title: "Product Demo", StartsAt: start, JoinLink: joinLink}, herald.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]herald.Reminder{}
	for _, r := range m.Reminders {
		out[r.Rule] = r
	}
	return out
}

// deliverAt runs the reminder's job with the clock at its due time plus
// late.
func (b *bundle) deliverAt(t *testing.T, r herald.Reminder, at time.Time) error {
	t.Helper()
	b.clock.Set(at)
	return b.deliverer.Deliver(context.Background(), b.tenant.ID, r.ID)
}

func (b *bundle) reminder(t *testing.T, id string) herald.Reminder {
	t.Helper()
	r, err := b.store.Reminder(context.Background(), b.tenant.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (b *bundle) auditActions(t *testing.T, entityID string) []string {
	t.Helper()
	page, err := b.store.ListAudit(context.Background(), b.tenant.ID, herald.AuditFilter{EntityID: entityID})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(page.Items) - 1; i >= 0; i-- {
		out = append(out, string(page.Items[i].Action))
	}
	return out
}

func each(t *testing.T, fn func(t *testing.T, b *bundle)) {
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) { fn(t, setup(t, db)) })
}
