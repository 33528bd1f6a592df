package client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"herald"
	"herald/client"
)

// Book a meeting, and receive its events at an endpoint of the booking
// system.
func Example() {
	ctx := context.Background()
	c := client.New("https://herald.example.com", "hk_…")
	run := func() error {
		ep, err := c.CreateWebhookEndpoint(ctx, herald.WebhookEndpointInput{URL: "https://crm.example.com/herald",
			Events: []herald.EventType{herald.EventMeetingBooked, herald.EventMeetingConfirmed}})
		if err != nil {
			return err
		}
		lead, err := c.CreateLead(ctx, herald.LeadInput{Name: "John", Phone: "+14155552671"})
		if err != nil {
			return err
		}
		m, err := c.BookMeeting(ctx, herald.BookMeetingInput{LeadID: lead.ID, Title: "Product Demo",
			StartsAt: time.Date(2026, 12, 2, 19, 0, 0, 0, time.UTC)}, client.WithIdempotencyKey("booking-8841"))
		if err != nil {
			return err
		}
		http.HandleFunc("POST /herald", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			ev, err := client.VerifyWebhook(ep.Secret, r.Header, body)
			if err != nil {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			if ev.Type == herald.EventMeetingConfirmed {
				var confirmed herald.Meeting
				_ = ev.DecodeData(&confirmed)
			}
			w.WriteHeader(http.StatusNoContent)
		})
		for e, err := range c.Events(ctx, client.EventFilter{ObjectID: m.ID}) {
			if err != nil {
				return err
			}
			fmt.Println(e.Type, len(e.Deliveries))
		}
		return nil
	}
	_ = run
}
