package client_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"herald"
	"herald/client"
	"herald/dbtest"
	"herald/httpapi"
	"herald/schedule"
	"herald/sqlstore"
)

// TestBookingAPI drives the booking calls through the client against a
// real server: a repeated lead creation, a batch with a bad item, a
// German template read for a de-AT lead, and a spent request budget.
func TestBookingAPI(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		jobs, err := schedule.NewInsertClient(db.RiverDriver())
		if err != nil {
			t.Fatal(err)
		}
		store := sqlstore.New(db, schedule.NewJobs(jobs), sqlstore.Options{})
		srv := httptest.NewServer((&httpapi.Server{Store: store, AdminToken: "admin", Logger: slog.New(slog.DiscardHandler),
			RateLimit: httpapi.RateLimit{Rate: 1, Burst: 12}}).Handler())
		t.Cleanup(srv.Close)
		tn, err := client.New(srv.URL, "admin").CreateTenant(ctx, "Acme")
		if err != nil {
			t.Fatal(err)
		}
		c := client.New(srv.URL, tn.APIKey)

		var leads []herald.Lead
		for range 3 {
			lead, err := c.CreateLead(ctx, herald.LeadInput{Name: "Hans", Email: "hans@example.com", Locale: "de-AT"},
				client.WithIdempotencyKey("lead-1"))
			if err != nil {
				t.Fatal(err)
			}
			leads = append(leads, lead)
		}
		if leads[1].ID != leads[0].ID || leads[2].ID != leads[0].ID {
			t.Fatalf("three keyed creations made leads %s, %s, %s", leads[0].ID, leads[1].ID, leads[2].ID)
		}

		start := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		results, err := c.BookMeetings(ctx, []client.BatchBooking{
			{IdempotencyKey: "a", BookMeetingInput: herald.BookMeetingInput{LeadID: leads[0].ID, Title: "Demo", StartsAt: start}},
			{IdempotencyKey: "b", BookMeetingInput: herald.BookMeetingInput{LeadID: "lead_nobody", Title: "Demo", StartsAt: start}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 2 || results[0].Status != http.StatusCreated || results[0].Meeting == nil ||
			results[1].Problem == nil || results[1].Problem.Code != herald.ECodeUnknownLead {
			t.Fatalf("batch results = %+v", results)
		}

		if _, err := c.PutTemplate(ctx, "meeting_reminder_1h", client.TemplateInput{Text: "{name}, {title} beginnt um {time}.",
			Locale: "de"}); err != nil {
			t.Fatal(err)
		}
		tpl, err := c.TemplateFor(ctx, "meeting_reminder_1h", herald.ChannelSMS, "de-AT")
		if err != nil || tpl.Locale != "de" || tpl.Origin != "tenant" {
			t.Fatalf("template for de-AT = %+v, %v", tpl, err)
		}
		if err := c.DeleteTemplateLocale(ctx, "meeting_reminder_1h", herald.ChannelSMS, "de"); err != nil {
			t.Fatal(err)
		}

		// The burst of 12 is spent by now.
		for range 12 {
			if _, err = c.Lead(ctx, leads[0].ID); err != nil {
				break
			}
		}
		var e *client.Error
		if client.ErrorCode(err) != herald.ECodeRateLimited || !asError(err, &e) || e.RetryAfter < time.Second {
			t.Fatalf("past the budget: %v, want rate_limited with a RetryAfter", err)
		}
	})
}

func asError(err error, target **client.Error) bool {
	e, ok := err.(*client.Error)
	*target = e
	return ok
}
