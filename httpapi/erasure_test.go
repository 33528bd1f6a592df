package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/clocktest"
	"herald/httpapi"
	"herald/outbound"
	"herald/schedule"
	"herald/sqlstore"
)

// operatorNumber is the number every tenant of the erasure test sends from.
const operatorNumber = "+14155550100"

// TestEraseLead erases a lead that has a sent reminder, pending ones and an
// opt-out: its data is gone from the lead, its messages and its audit
// trail, its pending reminders are cancelled, and the opt-out still holds
// for a new lead with the same phone.
func TestEraseLead(t *testing.T) {
	t.Parallel()
	eachDBWithSender(t, func(t *testing.T, b *testBundle) {
		ctx := context.Background()
		acme := b.newTenant(t, "Acme")
		other := b.newTenant(t, "Other")
		lead := b.newLead(t, acme.APIKey)
		m := b.book(t, acme.APIKey, lead.ID, epoch.Add(48*time.Hour))
		sent := m.Reminders[0]
		b.clock.Set(sent.ScheduledAt)
		err := b.store.UpdateDelivery(ctx, acme.ID, sent.ID, func(st *herald.DeliveryState) error {
			now := b.clock.Now()
			r := &st.Reminder
			st.NewAttempt = &herald.Attempt{ID: herald.NewID("att_"), ReminderID: r.ID, Number: 1, Channel: "sms",
				Recipient: lead.Phone, Reference: "ref-" + r.ID, StartedAt: now, FinishedAt: &now, Provider: "vonage",
				Outcome: herald.OutcomeSent, ProviderMessageID: "M1"}
			r.Attempts, r.Channel, r.Status, r.Provider, r.SentAt = 1, "sms", herald.ReminderSent, "vonage", &now
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.store.SetSMSOptOut(ctx, herald.OptOut{Phone: lead.Phone, Sender: operatorNumber, OptedOut: true,
			Provider: "vonage", Cause: "STOP by SMS", At: b.clock.Now()}); err != nil {
			t.Fatal(err)
		}

		// The lead texts back; its words are kept until it is erased.
		if _, err := b.store.ReceiveInbound(ctx, herald.InboundSMS{Provider: "vonage", MessageID: "in-1", From: lead.Phone,
			To: operatorNumber, Text: "Johnny here, running late", ReceivedAt: b.clock.Now()}, schedule.InboundDecider()); err != nil {
			t.Fatal(err)
		}
		if body := string(b.do(t, "GET", "/v1/audit?action=sms.inbound", acme.APIKey, nil).body); !strings.Contains(body, "running late") {
			t.Fatalf("the inbound text is not in the audit trail: %s", body)
		}
		b.do(t, "DELETE", "/v1/leads/"+lead.ID, other.APIKey, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
		b.do(t, "DELETE", "/v1/leads/lead_missing", acme.APIKey, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
		for range 2 { // erasing again changes nothing more
			r := b.do(t, "DELETE", "/v1/leads/"+lead.ID, acme.APIKey, nil)
			if r.status != http.StatusNoContent || len(r.body) != 0 {
				t.Fatalf("erase = %d %s", r.status, r.body)
			}
		}

		var got herald.Lead
		b.do(t, "GET", "/v1/leads/"+lead.ID, acme.APIKey, nil).want(t, http.StatusOK, &got)
		if got.Name != "" || got.Phone != "" || got.Email != "" || got.ID != lead.ID {
			t.Errorf("erased lead = %+v", got)
		}
		var after herald.Meeting
		b.do(t, "GET", "/v1/meetings/"+m.ID, acme.APIKey, nil).want(t, http.StatusOK, &after)
		for _, r := range after.Reminders {
			switch {
			case r.ID == sent.ID && r.Status != herald.ReminderSent:
				t.Errorf("the sent reminder became %s", r.Status)
			case r.ID != sent.ID && (r.Status != herald.ReminderCancelled || r.Reason != herald.ReasonErased):
				t.Errorf("reminder %s after erasure = %s (%s), want cancelled (erased)", r.Rule, r.Status, r.Reason)
			}
		}
		// Nothing the tenant can read shows the phone, the email or the name
		// any more.
		clear := []string{lead.Phone, strings.TrimPrefix(lead.Phone, "+1"), "john@", "John", "running late"}
		for _, path := range []string{"/v1/reminders/" + sent.ID, "/v1/audit?limit=200", "/v1/leads/" + lead.ID,
			"/v1/meetings/" + m.ID, "/v1/events?limit=200"} {
			body := string(b.do(t, "GET", path, acme.APIKey, nil).body)
			for _, c := range clear {
				if strings.Contains(body, c) {
					t.Errorf("GET %s still shows %q: %s", path, c, body)
				}
			}
		}
		var audit page[herald.AuditAction]
		b.do(t, "GET", "/v1/audit?action=lead.erased", acme.APIKey, nil).want(t, http.StatusOK, &audit)
		if len(audit.Items) != 2 || audit.Items[0].EntityID != lead.ID {
			t.Errorf("erasure audit = %+v", audit.Items)
		}

		// The phone's opt-out outlives the lead.
		var again herald.Lead
		b.do(t, "POST", "/v1/leads", acme.APIKey, johnInput).want(t, http.StatusCreated, &again)
		if !again.SMSOptedOut {
			t.Errorf("a new lead with the erased lead's opted-out phone is not opted out: %+v", again)
		}
	})
}

// eachDBWithSender is eachDB with a store whose tenants all send from
// operatorNumber, as with a provider's from number configured.
func eachDBWithSender(t *testing.T, fn func(t *testing.T, b *testBundle)) {
	t.Helper()
	eachDB(t, func(t *testing.T, base *testBundle) {
		clock := clocktest.New(epoch)
		jobs, err := schedule.NewInsertClient(base.db.RiverDriver())
		if err != nil {
			t.Fatal(err)
		}
		store := sqlstore.New(base.db, schedule.NewJobs(jobs), sqlstore.Options{Clock: clock, Senders: []string{operatorNumber},
			Events: outbound.NewJobs(jobs)})
		api := &httpapi.Server{Store: store, AdminToken: testAdminToken, Clock: clock, Logger: slog.New(slog.DiscardHandler)}
		srv := httptest.NewServer(api.Handler())
		t.Cleanup(srv.Close)
		fn(t, &testBundle{url: srv.URL, db: base.db, store: store, clock: clock, client: srv.Client(), spec: loadSpec(t)})
	})
}
