package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"herald"
)

// fakeResolver answers for the test host names: hooks.example.com is
// public, inside.example.com private, and rebind.example.com resolves to a
// public and a loopback address.
type fakeResolver map[string][]string

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, a := range r[host] {
		out = append(out, netip.MustParseAddr(a))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no such host %s", host)
	}
	return out, nil
}

var testResolver = fakeResolver{
	"hooks.example.com":  {"93.184.216.34"},
	"inside.example.com": {"10.1.2.3"},
	"rebind.example.com": {"93.184.216.34", "127.0.0.1"},
}

func TestWebhookEndpoints(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		b.strictRequests = true
		acme, other := b.newTenant(t, "Acme"), b.newTenant(t, "Other")
		var created herald.WebhookEndpoint
		b.do(t, "POST", "/v1/webhook-endpoints", acme.APIKey, map[string]any{
			"url": "https://hooks.example.com/herald", "events": []string{"reminder.sent", "meeting.booked"},
			"description": "CRM"}).want(t, http.StatusCreated, &created)
		if !strings.HasPrefix(created.Secret, herald.WebhookSecretPrefix) || len(created.Secret) != len("whsec_")+44 ||
			len(created.Events) != 2 || created.DisabledAt != nil {
			t.Fatalf("created %+v", created)
		}
		path := "/v1/webhook-endpoints/" + created.ID
		var first, replay herald.WebhookEndpoint
		body := map[string]any{"url": "https://hooks.example.com/other"}
		b.do(t, "POST", "/v1/webhook-endpoints", acme.APIKey, body, "Idempotency-Key", "ep-1").
			want(t, http.StatusCreated, &first)
		r := b.do(t, "POST", "/v1/webhook-endpoints", acme.APIKey, body, "Idempotency-Key", "ep-1")
		r.want(t, http.StatusCreated, &replay)
		if replay.ID != first.ID || replay.Secret != first.Secret || r.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replayed creation %+v, want %+v", replay, first)
		}
		b.do(t, "DELETE", "/v1/webhook-endpoints/"+first.ID, acme.APIKey, nil).want(t, http.StatusNoContent, nil)
		var got herald.WebhookEndpoint
		b.do(t, "GET", path, acme.APIKey, nil).want(t, http.StatusOK, &got)
		if got.Secret != "" || got.URL != "https://hooks.example.com/herald" {
			t.Fatalf("read %+v: the secret must not be shown again", got)
		}
		for _, m := range []struct{ method, path string }{{"GET", path}, {"PATCH", path}, {"DELETE", path},
			{"POST", path + "/rotate-secret"}} {
			var body any
			if m.method == "PATCH" {
				body = map[string]any{"description": "x"}
			}
			b.do(t, m.method, m.path, other.APIKey, body).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
		}
		var rotated herald.WebhookEndpoint
		b.do(t, "POST", path+"/rotate-secret", acme.APIKey, nil).want(t, http.StatusOK, &rotated)
		if rotated.Secret == created.Secret || !strings.HasPrefix(rotated.Secret, "whsec_") {
			t.Fatalf("rotated secret %q", rotated.Secret)
		}
		var patched herald.WebhookEndpoint
		b.do(t, "PATCH", path, acme.APIKey, map[string]any{"events": []string{}, "enabled": false}).
			want(t, http.StatusOK, &patched)
		if len(patched.Events) != 0 || patched.DisabledAt == nil || patched.Secret != "" {
			t.Fatalf("patched %+v", patched)
		}
		var page struct {
			Items []herald.WebhookEndpoint `json:"items"`
		}
		b.do(t, "GET", "/v1/webhook-endpoints", acme.APIKey, nil).want(t, http.StatusOK, &page)
		if len(page.Items) != 1 || page.Items[0].ID != created.ID {
			t.Fatalf("list %+v", page)
		}
		b.do(t, "GET", "/v1/webhook-endpoints", other.APIKey, nil).want(t, http.StatusOK, &page)
		if len(page.Items) != 0 {
			t.Fatalf("another tenant lists %+v", page)
		}
		b.do(t, "DELETE", path, acme.APIKey, nil).want(t, http.StatusNoContent, nil)
		b.do(t, "GET", path, acme.APIKey, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
	})
}

// TestWebhookEndpointRefusals: a URL that is not https to a public
// address is refused with 422 and creates nothing.
func TestWebhookEndpointRefusals(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		acme := b.newTenant(t, "Acme")
		cases := []struct {
			body  map[string]any
			code  string
			field string
		}{
			{map[string]any{"url": "http://hooks.example.com/x"}, herald.ECodeURLNotAllowed, "url"},
			{map[string]any{"url": "https://127.0.0.1/x"}, herald.ECodeURLNotAllowed, "url"},
			{map[string]any{"url": "https://[::1]:8443/x"}, herald.ECodeURLNotAllowed, "url"},
			{map[string]any{"url": "https://169.254.169.254/latest"}, herald.ECodeURLNotAllowed, "url"},
			{map[string]any{"url": "https://inside.example.com/x"}, herald.ECodeURLNotAllowed, "url"},
			{map[string]any{"url": "https://rebind.example.com/x"}, herald.ECodeURLNotAllowed, "url"},
			{map[string]any{"url": "https://nowhere.example.com/x"}, herald.ECodeURLNotAllowed, "url"},
			{map[string]any{"url": "ftp://hooks.example.com/x"}, herald.ECodeInvalidURL, "url"},
			{map[string]any{"url": "hooks.example.com"}, herald.ECodeInvalidURL, "url"},
			{map[string]any{"url": "https://user:pw@hooks.example.com/"}, herald.ECodeInvalidURL, "url"},
			{map[string]any{}, herald.ECodeInvalidURL, "url"},
			{map[string]any{"url": "https://hooks.example.com/x", "events": []string{"meeting.exploded"}},
				herald.ECodeUnknownEventType, "events"},
		}
		before := b.snapshot(t, acme.APIKey)
		for _, c := range cases {
			p := b.do(t, "POST", "/v1/webhook-endpoints", acme.APIKey, c.body).
				wantProblem(t, http.StatusUnprocessableEntity, c.code)
			if p.Field != c.field {
				t.Errorf("%v: field %q, want %q", c.body, p.Field, c.field)
			}
		}
		b.wantUnchanged(t, acme.APIKey, before, "refused endpoints")
		var page struct {
			Items []herald.WebhookEndpoint `json:"items"`
		}
		b.do(t, "GET", "/v1/webhook-endpoints", acme.APIKey, nil).want(t, http.StatusOK, &page)
		if len(page.Items) != 0 {
			t.Fatalf("refused endpoints were created: %+v", page.Items)
		}
	})
}

// TestEventsAPI: booking and cancelling write events that GET /v1/events
// lists newest first, filtered by type and object, with a pending
// delivery per endpoint; redeliver answers 202; another tenant sees none.
func TestEventsAPI(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		b.strictRequests = true
		acme, other := b.newTenant(t, "Acme"), b.newTenant(t, "Other")
		var ep herald.WebhookEndpoint
		b.do(t, "POST", "/v1/webhook-endpoints", acme.APIKey, map[string]any{"url": "https://hooks.example.com/h"}).
			want(t, http.StatusCreated, &ep)
		lead := b.newLead(t, acme.APIKey)
		m := b.book(t, acme.APIKey, lead.ID, epoch.Add(48*time.Hour))
		b.do(t, "POST", "/v1/meetings/"+m.ID+"/cancel", acme.APIKey, nil).want(t, http.StatusOK, nil)

		var page struct {
			Items      []herald.Event `json:"items"`
			NextCursor string         `json:"next_cursor"`
		}
		b.do(t, "GET", "/v1/events?object_id="+m.ID, acme.APIKey, nil).want(t, http.StatusOK, &page)
		if len(page.Items) != 2 || page.Items[0].Type != herald.EventMeetingCancelled ||
			page.Items[1].Type != herald.EventMeetingBooked {
			t.Fatalf("events of the meeting: %+v", page.Items)
		}
		for _, e := range page.Items {
			if len(e.Deliveries) != 1 || e.Deliveries[0].EndpointID != ep.ID ||
				e.Deliveries[0].Status != herald.EventDeliveryPending {
				t.Fatalf("%s deliveries %+v", e.Type, e.Deliveries)
			}
		}
		b.do(t, "GET", "/v1/events?type=meeting.booked&limit=1", acme.APIKey, nil).want(t, http.StatusOK, &page)
		if len(page.Items) != 1 || page.Items[0].ObjectID != m.ID {
			t.Fatalf("filtered by type: %+v", page.Items)
		}
		evID := page.Items[0].ID
		var ev herald.Event
		b.do(t, "GET", "/v1/events/"+evID, acme.APIKey, nil).want(t, http.StatusOK, &ev)
		b.do(t, "POST", "/v1/events/"+evID+"/redeliver", acme.APIKey, nil).want(t, http.StatusAccepted, &ev)
		if ev.ID != evID || len(ev.Deliveries) != 1 {
			t.Fatalf("redelivered %+v", ev)
		}

		b.do(t, "GET", "/v1/events", other.APIKey, nil).want(t, http.StatusOK, &page)
		if len(page.Items) != 0 {
			t.Fatalf("another tenant lists %d events", len(page.Items))
		}
		b.do(t, "GET", "/v1/events/"+evID, other.APIKey, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
		b.do(t, "POST", "/v1/events/"+evID+"/redeliver", other.APIKey, nil).
			wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
		// A booking too late for two rules: their reminder.skipped events
		// carry reminders, checked against the document like the rest.
		late := b.book(t, acme.APIKey, lead.ID, epoch.Add(30*time.Minute))
		b.do(t, "GET", "/v1/events?type=reminder.skipped", acme.APIKey, nil).want(t, http.StatusOK, &page)
		if len(page.Items) != 2 {
			t.Fatalf("%d reminder.skipped events, want 2", len(page.Items))
		}
		for _, e := range page.Items {
			var r herald.Reminder
			if err := json.Unmarshal(e.Data, &r); err != nil || r.MeetingID != late.ID || r.Status != herald.ReminderSkipped {
				t.Fatalf("reminder.skipped data %s (%v)", e.Data, err)
			}
		}
		b.strictRequests = false
		b.do(t, "GET", "/v1/events?type=nope", acme.APIKey, nil).wantProblem(t, http.StatusBadRequest, herald.ECodeInvalidQuery)
	})
}
