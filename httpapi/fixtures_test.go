package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"herald"
)

// tenant is a tenant created through the admin API, with its key.
type tenant struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	APIKey string `json:"api_key"`
}

func (b *testBundle) newTenant(t *testing.T, name string) tenant {
	t.Helper()
	var tn tenant
	b.do(t, "POST", "/v1/admin/tenants", testAdminToken, map[string]string{"name": name}).want(t, http.StatusCreated, &tn)
	if tn.ID == "" || !strings.HasPrefix(tn.APIKey, herald.APIKeyPrefix) || tn.Name != name {
		t.Fatalf("created tenant = %+v", tn)
	}
	return tn
}

// johnInput is a lead with every field set.
var johnInput = map[string]string{"name": "John", "phone": "(415) 555-2671", "email": "john@Example.com",
	"timezone": "America/New_York", "locale": "en_us"}

func (b *testBundle) newLead(t *testing.T, key string) herald.Lead {
	t.Helper()
	var lead herald.Lead
	b.do(t, "POST", "/v1/leads", key, johnInput).want(t, http.StatusCreated, &lead)
	return lead
}

// bookInput is the body of a booking of leadID at startsAt.
func bookInput(leadID string, startsAt time.Time) map[string]string {
	return map[string]string{"lead_id": leadID, "title": "Product Demo", "starts_at": startsAt.Format(time.RFC3339),
		"timezone": "America/New_York", "join_link": "https://meet.example.com/demo", "source": "test"}
}

func (b *testBundle) book(t *testing.T, key, leadID string, startsAt time.Time) herald.Meeting {
	t.Helper()
	var m herald.Meeting
	b.do(t, "POST", "/v1/meetings", key, bookInput(leadID, startsAt)).want(t, http.StatusCreated, &m)
	return m
}

// page is a list answer.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// list reads one page of a list.
func list[T any](t *testing.T, b *testBundle, key, path string) page[T] {
	t.Helper()
	var p page[T]
	b.do(t, "GET", path, key, nil).want(t, http.StatusOK, &p)
	return p
}

// idsOf returns the id of each item.
func idsOf[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, item := range items {
		out[i] = id(item)
	}
	return out
}

func leadID(l herald.Lead) string         { return l.ID }
func meetingID(m herald.Meeting) string   { return m.ID }
func reminderID(r herald.Reminder) string { return r.ID }
func auditID(a herald.AuditAction) string { return a.ID }

// countedTables are every table a request could write to, the job
// engine's included.
var countedTables = []string{"tenants", "api_keys", "leads", "meetings", "reminders", "attempts",
	"assistant_actions", "idempotency_keys", "tenant_templates", "river_job"}

// snapshot describes everything a request could change: the row count of
// each table, and what the tenant of key sees in its lists and settings.
// Two equal snapshots mean nothing was written.
func (b *testBundle) snapshot(t *testing.T, key string) string {
	t.Helper()
	var sb strings.Builder
	for _, table := range countedTables {
		var n int
		if err := b.db.QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sb, "%s=%d\n", table, n)
	}
	for _, path := range []string{"/v1/settings", "/v1/leads?limit=200", "/v1/meetings?limit=200",
		"/v1/reminders?limit=200", "/v1/audit?limit=200", "/v1/templates?limit=200"} {
		r := b.do(t, "GET", path, key, nil)
		r.want(t, http.StatusOK, nil)
		fmt.Fprintf(&sb, "%s %s\n", path, r.body)
	}
	return sb.String()
}

// wantUnchanged fails the test when the state differs from before.
func (b *testBundle) wantUnchanged(t *testing.T, key, before, what string) {
	t.Helper()
	if after := b.snapshot(t, key); after != before {
		t.Fatalf("%s changed the state:\nbefore:\n%s\nafter:\n%s", what, before, after)
	}
}

// deliver records what the worker does for a reminder, through the
// store's delivery transaction: with sent, an SMS that Twilio took after
// Vonage failed; without, a transient failure to be retried in a minute.
func (b *testBundle) deliver(t *testing.T, tenantID, reminderID string, sent bool) {
	t.Helper()
	now := b.clock.Now()
	err := b.store.UpdateDelivery(context.Background(), tenantID, reminderID, func(st *herald.DeliveryState) error {
		r := &st.Reminder
		a := &herald.Attempt{ID: herald.NewID("att_"), ReminderID: r.ID, Number: r.Attempts + 1,
			Channel: string(herald.ChannelSMS), Reference: "ref-" + r.ID, StartedAt: now, FinishedAt: &now}
		r.Attempts++
		r.Channel = string(herald.ChannelSMS)
		if sent {
			a.Provider, a.Outcome, a.ProviderMessageID = "twilio", "sent", "SM123"
			a.Calls = []herald.ProviderCall{{Provider: "vonage", Outcome: "transient", Error: "HTTP 503"},
				{Provider: "twilio", Outcome: "sent", MessageID: "SM123"}}
			r.Status, r.Provider, r.ExternalMessageID, r.SentAt = herald.ReminderSent, "twilio", "SM123", &now
			r.DeliveryStatus = herald.DeliveryAccepted
		} else {
			retry := now.Add(time.Minute)
			a.Provider, a.Outcome, a.Error = "vonage", "transient", "HTTP 503"
			a.Calls = []herald.ProviderCall{{Provider: "vonage", Outcome: "transient", Error: "HTTP 503"}}
			r.Provider, r.LastError, r.NextRetryAt = "vonage", "HTTP 503", &retry
		}
		st.NewAttempt = a
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
