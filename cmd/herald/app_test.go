package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"herald"
)

// TestServeSendsToTheOutbox runs Herald as `serve` does, with no provider
// configured (on PostgreSQL with HERALD_OUTBOX=1, as it must be chosen
// there), books a meeting whose reminder is due in two seconds, and waits
// for the reminder to appear in GET /v1/outbox, held, not sent.
func TestServeSendsToTheOutbox(t *testing.T) {
	t.Parallel()
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"REMINDER_POLL_INTERVAL": "50ms"}
			if dbName == "postgres" {
				env["HERALD_OUTBOX"] = "1"
			}
			app := openTestApp(t, dbName, env)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if err := app.StartWorker(ctx); err != nil {
				t.Fatal(err)
			}
			defer app.StopWorker()
			srv := httptest.NewServer(app.Handler())
			defer srv.Close()

			var tenant struct {
				APIKey string `json:"api_key"`
			}
			call(t, srv.URL, "admin", "POST", "/v1/admin/tenants", `{"name":"Acme"}`, 201, &tenant)
			key := tenant.APIKey
			call(t, srv.URL, key, "PUT", "/v1/settings", `{"reminder_rules":[{"name":"soon","offset":"58s","template":"meeting_reminder_1h"}]}`, 200, nil)
			var lead herald.Lead
			call(t, srv.URL, key, "POST", "/v1/leads", `{"name":"John","phone":"+14155552671","timezone":"America/New_York"}`, 201, &lead)
			startsAt := time.Now().Add(time.Minute).UTC().Truncate(time.Second)
			var meeting herald.Meeting
			call(t, srv.URL, key, "POST", "/v1/meetings", fmt.Sprintf(`{"lead_id":%q,"title":"Product Demo","starts_at":%q}`,
				lead.ID, startsAt.Format(time.RFC3339)), 201, &meeting)

			deadline := time.Now().Add(15 * time.Second)
			for {
				var outbox herald.Page[herald.OutboxMessage]
				call(t, srv.URL, key, "GET", "/v1/outbox", "", 200, &outbox)
				if len(outbox.Items) == 1 {
					m := outbox.Items[0]
					if m.Channel != herald.ChannelSMS || m.Recipient != "+14155552671" || !strings.HasPrefix(m.Text, `Hi John, your meeting "Product Demo" starts in 1 hour at `) {
						t.Fatalf("outbox message = %+v", m)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no outbox message 15 s after booking (%d items)", len(outbox.Items))
				}
				time.Sleep(100 * time.Millisecond)
			}
			// The outbox keeps the message during the send; the outcome
			// is committed just after.
			var rem herald.Reminder
			for rem.Status != herald.ReminderSent {
				call(t, srv.URL, key, "GET", "/v1/reminders/"+meeting.Reminders[0].ID, "", 200, &rem)
				if rem.Status != herald.ReminderSending && rem.Status != herald.ReminderSent {
					t.Fatalf("reminder after the outbox send: %s (%s)", rem.Status, rem.LastError)
				}
				if time.Now().After(deadline) {
					t.Fatalf("reminder still %s 15 s after booking", rem.Status)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if rem.Provider != "outbox" || rem.DeliveryStatus != herald.DeliveryHeld {
				t.Fatalf("reminder sent via %q, delivery %q; want held by the outbox", rem.Provider, rem.DeliveryStatus)
			}
			resp, err := http.Get(srv.URL + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, want := range []string{`herald_reminders_total{channel="sms",outcome="held",provider="outbox"} 1`,
				"herald_send_lateness_seconds_count 1", "herald_jobs_waiting"} {
				if !strings.Contains(string(body), want) {
					t.Errorf("metrics lack %q", want)
				}
			}
		})
	}
}

func call(t *testing.T, base, key, method, path, body string, want int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatal(err)
		}
	}
}
