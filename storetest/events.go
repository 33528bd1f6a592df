package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"herald"
)

func newEndpoint(t *testing.T, b *Bundle, tenantID string, types ...herald.EventType) herald.WebhookEndpoint {
	t.Helper()
	ep, err := b.Store.CreateWebhookEndpoint(context.Background(), tenantID, herald.WebhookEndpointInput{
		URL: "https://hooks.example.com/herald", Events: types, Secret: herald.NewWebhookSecret()})
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

func eventTypes(events []herald.Event) []herald.EventType {
	out := make([]herald.EventType, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}

func listEvents(t *testing.T, b *Bundle, tenantID string, f herald.EventFilter) []herald.Event {
	t.Helper()
	page, err := b.Store.ListEvents(context.Background(), tenantID, f)
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// testEvents: booking, moving and cancelling a meeting write their events
// in the order of the changes, each with the object as the API shows it,
// delivered to the endpoints that take their types; another tenant sees
// none of them.
func testEvents(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant := newTenant(t, b, "Acme")
	other := newTenant(t, b, "Other")
	all := newEndpoint(t, b, tenant.ID)
	cancels := newEndpoint(t, b, tenant.ID, herald.EventMeetingCancelled)
	newEndpoint(t, b, other.ID)
	lead := newLead(t, b, tenant.ID)
	// Only the 10-minute reminder is still ahead: 24h and 1h are skipped.
	m := book(t, b, tenant.ID, lead.ID, b.Clock.Now().Add(30*time.Minute))
	b.Clock.Advance(time.Second)
	moved := m.StartsAt.Add(time.Hour)
	if _, err := b.Store.UpdateMeeting(ctx, tenant.ID, m.ID, herald.MeetingPatch{StartsAt: &moved}); err != nil {
		t.Fatal(err)
	}
	b.Clock.Advance(time.Second)
	if _, err := b.Store.CancelMeeting(ctx, tenant.ID, m.ID); err != nil {
		t.Fatal(err)
	}

	byMeeting := listEvents(t, b, tenant.ID, herald.EventFilter{ObjectID: m.ID})
	want := []herald.EventType{herald.EventMeetingCancelled, herald.EventMeetingRescheduled, herald.EventMeetingBooked}
	if got := eventTypes(byMeeting); !slices.Equal(got, want) {
		t.Fatalf("events of the meeting, newest first: %v, want %v", got, want)
	}
	var data herald.Meeting
	if err := json.Unmarshal(byMeeting[0].Data, &data); err != nil || data.Status != herald.MeetingCancelled || data.ID != m.ID {
		t.Fatalf("meeting.cancelled data = %s (%v)", byMeeting[0].Data, err)
	}
	if err := json.Unmarshal(byMeeting[2].Data, &data); err != nil || len(data.Reminders) != 3 {
		t.Fatalf("meeting.booked data = %s (%v), want the meeting with its 3 reminders", byMeeting[2].Data, err)
	}
	skipped := listEvents(t, b, tenant.ID, herald.EventFilter{Type: herald.EventReminderSkipped})
	// Booked 30 min ahead: 24h and 1h skipped; moved to 90 min ahead: 24h skipped.
	if len(skipped) != 3 {
		t.Fatalf("%d reminder.skipped events, want 3: %v", len(skipped), eventTypes(skipped))
	}
	for _, e := range byMeeting {
		var targets []string
		for _, d := range e.Deliveries {
			if d.Status != herald.EventDeliveryPending || d.JobID != 0 && d.EndpointID == "" {
				t.Errorf("%s: delivery %+v", e.Type, d)
			}
			targets = append(targets, d.EndpointID)
		}
		slices.Sort(targets)
		wantTargets := []string{all.ID}
		if e.Type == herald.EventMeetingCancelled {
			wantTargets = append(wantTargets, cancels.ID)
			slices.Sort(wantTargets)
		}
		if !slices.Equal(targets, wantTargets) {
			t.Errorf("%s delivered to %v, want %v", e.Type, targets, wantTargets)
		}
	}
	if got := listEvents(t, b, other.ID, herald.EventFilter{}); len(got) != 0 {
		t.Fatalf("another tenant lists %d events", len(got))
	}
	_, err := b.Store.Event(ctx, other.ID, byMeeting[0].ID)
	wantCode(t, err, herald.ECodeNotFound)

	// Pages follow each other newest first, with nothing lost or repeated.
	everything := listEvents(t, b, tenant.ID, herald.EventFilter{})
	var paged []herald.Event
	cursor := ""
	for {
		page, err := b.Store.ListEvents(ctx, tenant.ID, herald.EventFilter{Page: herald.PageRequest{Limit: 2, Cursor: cursor}})
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(paged) != len(everything) || len(everything) != 6 {
		t.Fatalf("paged %d events, listed %d, want 6", len(paged), len(everything))
	}
	for i := range paged {
		if paged[i].ID != everything[i].ID {
			t.Fatalf("page order differs at %d", i)
		}
	}
	_, err = b.Store.ListEvents(ctx, tenant.ID, herald.EventFilter{Page: herald.PageRequest{Cursor: "bogus"}})
	wantCode(t, err, herald.ECodeInvalidCursor)
}

// testEventsRollBack: a change that fails writes no event.
func testEventsRollBack(t *testing.T, b *Bundle) {
	tenant := newTenant(t, b, "Acme")
	newEndpoint(t, b, tenant.ID)
	_, _, err := b.Store.BookMeeting(context.Background(), tenant.ID, herald.BookMeetingInput{
		LeadID: "lead_missing", Title: "x", StartsAt: b.Clock.Now().Add(time.Hour)}, herald.Idempotency{})
	wantCode(t, err, herald.ECodeUnknownLead)
	if got := listEvents(t, b, tenant.ID, herald.EventFilter{}); len(got) != 0 {
		t.Fatalf("a failed booking wrote %v", eventTypes(got))
	}
}

func testWebhookEndpoints(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant := newTenant(t, b, "Acme")
	other := newTenant(t, b, "Other")
	ep := newEndpoint(t, b, tenant.ID, herald.EventReminderSent)
	if ep.Secret == "" || len(ep.Events) != 1 {
		t.Fatalf("created %+v", ep)
	}
	got, err := b.Store.WebhookEndpoint(ctx, tenant.ID, ep.ID)
	if err != nil || got.Secret != "" || got.URL != ep.URL {
		t.Fatalf("read %+v (%v): want it without its secret", got, err)
	}
	_, err = b.Store.WebhookEndpoint(ctx, other.ID, ep.ID)
	wantCode(t, err, herald.ECodeNotFound)
	_, err = b.Store.UpdateWebhookEndpoint(ctx, other.ID, ep.ID, herald.WebhookEndpointPatch{})
	wantCode(t, err, herald.ECodeNotFound)
	wantCode(t, b.Store.DeleteWebhookEndpoint(ctx, other.ID, ep.ID), herald.ECodeNotFound)

	none := []herald.EventType{}
	off := false
	upd, err := b.Store.UpdateWebhookEndpoint(ctx, tenant.ID, ep.ID, herald.WebhookEndpointPatch{Events: &none, Enabled: &off})
	if err != nil || len(upd.Events) != 0 || upd.DisabledAt == nil {
		t.Fatalf("updated %+v (%v)", upd, err)
	}
	until := b.Clock.Now().Add(24 * time.Hour)
	rot, err := b.Store.RotateWebhookSecret(ctx, tenant.ID, ep.ID, herald.NewWebhookSecret(), until)
	if err != nil || rot.Secret == ep.Secret || rot.PreviousSecret != ep.Secret || !rot.PreviousSecretUntil.Equal(until) {
		t.Fatalf("rotated %+v (%v)", rot, err)
	}
	page, err := b.Store.ListWebhookEndpoints(ctx, tenant.ID, herald.PageRequest{})
	if err != nil || len(page.Items) != 1 || page.Items[0].Secret != "" {
		t.Fatalf("list %+v (%v)", page, err)
	}
	if err := b.Store.DeleteWebhookEndpoint(ctx, tenant.ID, ep.ID); err != nil {
		t.Fatal(err)
	}
	_, err = b.Store.WebhookEndpoint(ctx, tenant.ID, ep.ID)
	wantCode(t, err, herald.ECodeNotFound)
}

// testRedeliver: a delivered event starts again with a fresh schedule and
// a new job; one still under way is left alone.
func testRedeliver(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant := newTenant(t, b, "Acme")
	newEndpoint(t, b, tenant.ID)
	lead := newLead(t, b, tenant.ID)
	m := book(t, b, tenant.ID, lead.ID, b.Clock.Now().Add(48*time.Hour))
	ev := listEvents(t, b, tenant.ID, herald.EventFilter{ObjectID: m.ID})[0]
	d := ev.Deliveries[0]
	if err := b.Store.UpdateEventDelivery(ctx, tenant.ID, d.ID, func(st *herald.EventDeliveryState) error {
		if st.Endpoint == nil || st.Event.ID != ev.ID {
			t.Fatalf("state %+v", st)
		}
		now := b.Clock.Now()
		st.NewAttempt = &herald.EventAttempt{Number: 1, StatusCode: 204, StartedAt: now, DurationMS: 3}
		st.Delivery.Status, st.Delivery.Attempts, st.Delivery.RoundAttempts, st.Delivery.DeliveredAt =
			herald.EventDeliveryDelivered, 1, 1, &now
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	again, err := b.Store.RedeliverEvent(ctx, tenant.ID, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Deliveries) != 1 {
		t.Fatalf("deliveries %+v", again.Deliveries)
	}
	got := again.Deliveries[0]
	if got.Status != herald.EventDeliveryPending || got.Attempts != 1 || len(got.History) != 1 ||
		got.History[0].StatusCode != 204 {
		t.Fatalf("redelivered %+v", got)
	}
	_, err = b.Store.RedeliverEvent(ctx, newTenant(t, b, "Other").ID, ev.ID)
	wantCode(t, err, herald.ECodeNotFound)
}

// testReplanSkipEvent: a pending reminder that a change of the lead's time
// zone puts outside the send window, under a rule that skips, writes
// reminder.skipped.
func testReplanSkipEvent(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant := newTenant(t, b, "Acme")
	settings := herald.DefaultSettings()
	settings.Timezone = "UTC"
	settings.SendWindow = &herald.SendWindow{From: "08:00", To: "20:00"}
	settings.ReminderRules = []herald.ReminderRule{{Name: "24h", Offset: herald.Duration(24 * time.Hour),
		Template: "meeting_reminder_24h", OutsideWindow: herald.OutsideSkip}}
	if err := settings.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.UpdateSettings(ctx, tenant.ID, settings); err != nil {
		t.Fatal(err)
	}
	lead, err := b.Store.CreateLead(ctx, tenant.ID, herald.LeadInput{Name: "Jane", Email: "jane@example.com",
		Timezone: "UTC", Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	// The reminder is due at 12:00 UTC, inside the window in London, at
	// 21:00 in Tokyo.
	start := time.Date(b.Clock.Now().Year(), b.Clock.Now().Month(), b.Clock.Now().Day(), 12, 0, 0, 0, time.UTC).
		Add(72 * time.Hour)
	m := book(t, b, tenant.ID, lead.ID, start)
	if m.Reminders[0].Status != herald.ReminderPending {
		t.Fatalf("reminder %+v, want pending", m.Reminders[0])
	}
	tokyo := "Asia/Tokyo"
	if _, err := b.Store.UpdateLead(ctx, tenant.ID, lead.ID, herald.LeadPatch{Timezone: &tokyo},
		func(*herald.Lead) error { return nil }); err != nil {
		t.Fatal(err)
	}
	got := listEvents(t, b, tenant.ID, herald.EventFilter{ObjectID: m.Reminders[0].ID})
	if len(got) != 1 || got[0].Type != herald.EventReminderSkipped {
		t.Fatalf("events of the reminder: %v, want reminder.skipped", eventTypes(got))
	}
	var r herald.Reminder
	if err := json.Unmarshal(got[0].Data, &r); err != nil || r.Status != herald.ReminderSkipped ||
		r.Reason != herald.ReasonOutsideWindow {
		t.Fatalf("data %s (%v)", got[0].Data, err)
	}
}
