package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/catalog"
	"herald/render"
	"herald/schedule"
)

// TestTemplateIsolation checks that tenant B neither sees nor changes
// tenant A's templates, and cannot tell them from missing ones.
func TestTemplateIsolation(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		a := b.newTenant(t, "Tenant A")
		b.do(t, "PUT", "/v1/templates/meeting_reminder_1h", a.APIKey, map[string]string{"text": "A: {title}"}).
			want(t, http.StatusCreated, nil)
		b.do(t, "PUT", "/v1/templates/a_only", a.APIKey, map[string]string{"text": "A only: {title}"}).
			want(t, http.StatusCreated, nil)
		bee := b.newTenant(t, "Tenant B")
		aBefore := b.snapshot(t, a.APIKey)

		// A's own name answers B exactly as a name nobody has.
		for _, c := range []struct{ method, path, missing string }{
			{"GET", "/v1/templates/a_only", "/v1/templates/nobody"},
			{"POST", "/v1/templates/a_only/preview", "/v1/templates/nobody/preview"},
			{"DELETE", "/v1/templates/a_only", "/v1/templates/nobody"},
		} {
			foreign := b.do(t, c.method, c.path, bee.APIKey, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
			missing := b.do(t, c.method, c.missing, bee.APIKey, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
			if strings.ReplaceAll(foreign.Detail, "a_only", "nobody") != missing.Detail {
				t.Errorf("%s %s as B = %+v; a missing name gives %+v", c.method, c.path, foreign, missing)
			}
		}
		// B sees the built-in where A has its override, and may not delete A's.
		b.do(t, "DELETE", "/v1/templates/meeting_reminder_1h", bee.APIKey, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
		var seen apiTemplate
		b.do(t, "GET", "/v1/templates/meeting_reminder_1h", bee.APIKey, nil).want(t, http.StatusOK, &seen)
		if seen.Origin != "builtin" || strings.Contains(seen.Text, "A:") {
			t.Fatalf("B sees %+v", seen)
		}
		if got := idsOf(list[apiTemplate](t, b, bee.APIKey, "/v1/templates").Items, templateKey); !slices.Equal(got, builtinKeys) {
			t.Fatalf("B's templates = %v, want the built-ins only", got)
		}
		// B's rules may not name A's template.
		p := b.do(t, "PUT", "/v1/settings", bee.APIKey, map[string]any{"reminder_rules": []map[string]string{
			{"name": "2h", "offset": "2h", "template": "a_only"}}}).wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeUnknownTemplate)
		if !strings.Contains(p.Detail, `"a_only"`) {
			t.Fatalf("B using A's template: %+v", p)
		}
		b.wantUnchanged(t, a.APIKey, aBefore, "tenant B's requests")

		// B's own override of the same name leaves A's as it was.
		b.do(t, "PUT", "/v1/templates/meeting_reminder_1h", bee.APIKey, map[string]string{"text": "B: {title}"}).
			want(t, http.StatusCreated, nil)
		var aSees apiTemplate
		b.do(t, "GET", "/v1/templates/meeting_reminder_1h", a.APIKey, nil).want(t, http.StatusOK, &aSees)
		if aSees.Text != "A: {title}" {
			t.Fatalf("A's template after B saved its own: %+v", aSees)
		}
	})
}

// TestTenantTemplatesReachTheWorker saves templates over HTTP and runs the
// delivery worker on the same database: a reminder goes out with the
// tenant's text, and one whose template was deleted fails with reason
// template_missing.
func TestTenantTemplatesReachTheWorker(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		tn := b.newTenant(t, "Acme")
		key := tn.APIKey
		b.do(t, "PUT", "/v1/templates/meeting_reminder_1h", key, map[string]string{"text": "{name}, {title} starts at {time} ({zone})."}).
			want(t, http.StatusCreated, nil)
		b.do(t, "PUT", "/v1/templates/acme_2h", key, map[string]string{"text": "{name}: two hours to {title}."}).
			want(t, http.StatusCreated, nil)
		b.do(t, "PUT", "/v1/settings", key, map[string]any{"reminder_rules": []map[string]string{
			{"name": "2h", "offset": "2h", "template": "acme_2h"},
			{"name": "1h", "offset": "1h", "template": "meeting_reminder_1h"}}}).want(t, http.StatusOK, nil)
		lead := b.newLead(t, key)
		m := b.book(t, key, lead.ID, epoch.Add(48*time.Hour))
		rules := map[string]herald.Reminder{}
		for _, r := range m.Reminders {
			rules[r.Rule] = r
		}

		sms := &recordingSender{}
		deliverer := &schedule.Deliverer{Store: b.store, SMS: sms, Templates: catalog.New(b.store, render.NewRegistry()),
			Clock: b.clock, Logger: slog.New(slog.DiscardHandler), SendTimeout: time.Second,
			Retry: schedule.RetryPolicy{InitialDelay: time.Minute, Multiplier: 2}}
		deliver := func(r herald.Reminder) herald.Reminder {
			t.Helper()
			b.clock.Set(r.ScheduledAt)
			if err := deliverer.Deliver(context.Background(), tn.ID, r.ID); err != nil {
				t.Fatal(err)
			}
			var got herald.Reminder
			b.do(t, "GET", "/v1/reminders/"+r.ID, key, nil).want(t, http.StatusOK, &got)
			return got
		}

		b.do(t, "DELETE", "/v1/templates/acme_2h", key, nil).want(t, http.StatusNoContent, nil)
		if got := deliver(rules["2h"]); got.Status != herald.ReminderFailed || got.Reason != herald.ReasonTemplateMissing ||
			!strings.Contains(got.LastError, `"acme_2h"`) {
			t.Fatalf("reminder of a deleted template = %s/%s %q", got.Status, got.Reason, got.LastError)
		}
		if got := deliver(rules["1h"]); got.Status != herald.ReminderSent {
			t.Fatalf("reminder of the override = %s/%s %q", got.Status, got.Reason, got.LastError)
		}
		// Booked in New York for 15:00 UTC, two days on: 10:00 AM EST.
		if got := sms.texts(); !slices.Equal(got, []string{"John, Product Demo starts at 10:00 AM (EST)."}) {
			t.Fatalf("sent %q, want the tenant's text", got)
		}
	})
}

// recordingSender records the SMS texts handed to it and accepts each.
type recordingSender struct {
	mu   sync.Mutex
	sent []string
}

func (s *recordingSender) Send(_ context.Context, msg *herald.Message) (herald.SendResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, msg.Text)
	return herald.SendResult{Provider: "vonage", MessageID: "msg-" + msg.Reference, Parts: 1}, nil
}

func (s *recordingSender) texts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}
