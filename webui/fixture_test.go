package webui_test

import (
	"context"
	"testing"
	"time"

	"herald"
	"herald/render"
	"herald/schedule"
)

// fixture is a tenant with data on every page, and another tenant.
type fixture struct {
	key, otherKey string
	tenant, other herald.Tenant
	jane, bob     herald.Lead
	// soon starts two hours after epoch; its 1h reminder has been sent
	// through the outbox. later starts in two days, all pending.
	soon, later herald.Meeting
	sent        herald.Reminder
	// retrying failed once and waits for its retry.
	retrying herald.Reminder
	// others are the other tenant's objects.
	otherMeeting  herald.Meeting
	otherLead     herald.Lead
	otherReminder string
	otherEvent    string
}

func (b *testBundle) tenant(t testing.TB, name string) (herald.Tenant, string) {
	t.Helper()
	tenant, key, err := b.store.CreateTenant(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return tenant, key
}

func (b *testBundle) lead(t testing.TB, tenantID string, in herald.LeadInput) herald.Lead {
	t.Helper()
	l, err := b.store.CreateLead(context.Background(), tenantID, in)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (b *testBundle) book(t testing.TB, tenantID, leadID, title string, startsAt time.Time) herald.Meeting {
	t.Helper()
	m, _, err := b.store.BookMeeting(context.Background(), tenantID, herald.BookMeetingInput{LeadID: leadID,
		Title: title, StartsAt: startsAt, JoinLink: "https://meet.example.com/demo"}, herald.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ruleOf(m herald.Meeting, rule string) herald.Reminder {
	for _, r := range m.Reminders {
		if r.Rule == rule && r.Status == herald.ReminderPending {
			return r
		}
	}
	return herald.Reminder{}
}

func (b *testBundle) fullData(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	var f fixture
	f.tenant, f.key = b.tenant(t, "Acme Sales")
	f.other, f.otherKey = b.tenant(t, "Other Co")
	f.jane = b.lead(t, f.tenant.ID, herald.LeadInput{Name: "Jane Doe", Phone: "+14155550123", Email: "jane@example.com",
		Timezone: "America/New_York"})
	f.bob = b.lead(t, f.tenant.ID, herald.LeadInput{Name: "Bob Email", Email: "bob@example.com"})
	rita := b.lead(t, f.tenant.ID, herald.LeadInput{Name: "Rita Retry", Phone: "+14155550199"})
	b.sms.transient[rita.Phone] = true
	if _, err := b.store.CreateWebhookEndpoint(ctx, f.tenant.ID, herald.WebhookEndpointInput{
		URL: "https://hooks.example.com/herald", Description: "CRM", Secret: herald.NewWebhookSecret()}); err != nil {
		t.Fatal(err)
	}

	f.soon = b.book(t, f.tenant.ID, f.jane.ID, "Product Demo", epoch.Add(2*time.Hour))
	f.later = b.book(t, f.tenant.ID, f.bob.ID, "Contract Review", epoch.Add(48*time.Hour))
	ritaMeeting := b.book(t, f.tenant.ID, rita.ID, "Onboarding", epoch.Add(25*time.Hour))

	f.sent = ruleOf(f.soon, "1h")
	b.clock.Set(f.sent.ScheduledAt)
	if err := b.deliverer.Deliver(ctx, f.tenant.ID, f.sent.ID); err != nil {
		t.Fatal(err)
	}
	f.retrying = ruleOf(ritaMeeting, "24h")
	b.clock.Set(f.retrying.ScheduledAt)
	_ = b.deliverer.Deliver(ctx, f.tenant.ID, f.retrying.ID)
	sent, err := b.store.Reminder(ctx, f.tenant.ID, f.sent.ID)
	if err != nil || len(sent.AttemptHistory) != 1 {
		t.Fatalf("the sent reminder: %+v, %v", sent, err)
	}
	b.clock.Set(epoch.Add(61 * time.Minute))
	if _, err := b.store.ApplyReceipt(ctx, herald.Receipt{Provider: "vonage", Reference: sent.AttemptHistory[0].Reference,
		MessageID: sent.AttemptHistory[0].ProviderMessageID, Status: herald.DeliveryDelivered, ProviderStatus: "delivered",
		Recipient: f.jane.Phone, Sender: fromNumber, ReceivedAt: b.clock.Now()}, schedule.ReceiptDecider(true)); err != nil {
		t.Fatal(err)
	}
	b.clock.Set(epoch.Add(63 * time.Minute))
	if _, err := b.store.ReceiveInbound(ctx, herald.InboundSMS{Provider: "vonage", MessageID: "in-1", From: f.jane.Phone,
		To: fromNumber, Text: "CONFIRM", ReceivedAt: b.clock.Now()}, schedule.InboundDecider()); err != nil {
		t.Fatal(err)
	}
	b.clock.Set(epoch.Add(65 * time.Minute))

	if _, _, err := b.store.SaveTemplateOverride(ctx, f.tenant.ID, herald.TemplateOverride{Name: "meeting_reminder_1h",
		Channel: herald.ChannelSMS, Text: "Hi {name}, “{title}” starts at {time}."}); err != nil {
		t.Fatal(err)
	}
	if _, err := render.Compile(render.Source{Name: "meeting_reminder_1h", Channel: herald.ChannelSMS,
		Text: "Hi {name}, “{title}” starts at {time}."}); err != nil {
		t.Fatal(err)
	}

	f.otherLead = b.lead(t, f.other.ID, herald.LeadInput{Name: "Olga Other", Phone: "+14155550177"})
	f.otherMeeting = b.book(t, f.other.ID, f.otherLead.ID, "Other Demo", epoch.Add(3*time.Hour))
	f.otherReminder = ruleOf(f.otherMeeting, "1h").ID
	events, err := b.store.ListEvents(ctx, f.other.ID, herald.EventFilter{})
	if err != nil || len(events.Items) == 0 {
		t.Fatalf("the other tenant has no events (%v)", err)
	}
	f.otherEvent = events.Items[0].ID
	return f
}
