package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"herald"
)

// TestTenantTemplateRendersReminders wires Herald as `serve` does, saves a
// tenant's template over HTTP, and runs the worker's delivery of a due
// reminder directly (no job engine, no waiting): the outbox holds the
// tenant's text, so the API and the worker share one template catalog.
func TestTenantTemplateRendersReminders(t *testing.T) {
	t.Parallel()
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			t.Parallel()
			app := openTestApp(t, dbName, map[string]string{"HERALD_OUTBOX": "1"})
			srv := httptest.NewServer(app.Handler())
			defer srv.Close()

			var tenant struct {
				ID     string `json:"id"`
				APIKey string `json:"api_key"`
			}
			call(t, srv.URL, "admin", "POST", "/v1/admin/tenants", `{"name":"Acme"}`, 201, &tenant)
			key := tenant.APIKey
			call(t, srv.URL, key, "PUT", "/v1/templates/acme_soon", `{"text":"{name}, {title} is about to start."}`, 201, nil)
			call(t, srv.URL, key, "PUT", "/v1/settings", `{"reminder_rules":[{"name":"soon","offset":"2m","template":"acme_soon"}]}`, 200, nil)
			var lead herald.Lead
			call(t, srv.URL, key, "POST", "/v1/leads", `{"name":"John","phone":"+14155552671"}`, 201, &lead)
			// The reminder falls due within the second, which the worker
			// treats as due now.
			startsAt := time.Now().UTC().Truncate(time.Second).Add(2*time.Minute + time.Second)
			var meeting herald.Meeting
			call(t, srv.URL, key, "POST", "/v1/meetings", fmt.Sprintf(`{"lead_id":%q,"title":"Product Demo","starts_at":%q}`,
				lead.ID, startsAt.Format(time.RFC3339)), 201, &meeting)

			if err := app.worker.Deliverer.Deliver(context.Background(), tenant.ID, meeting.Reminders[0].ID); err != nil {
				t.Fatal(err)
			}
			var outbox herald.Page[herald.OutboxMessage]
			call(t, srv.URL, key, "GET", "/v1/outbox", "", 200, &outbox)
			if len(outbox.Items) != 1 || outbox.Items[0].Text != "John, Product Demo is about to start." {
				t.Fatalf("outbox = %+v, want the tenant's text", outbox.Items)
			}
		})
	}
}
