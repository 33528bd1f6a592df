package schedule_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"herald"
)

func TestSendsEachBuiltinBySMSAtItsTime(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671", Email: "john@example.com"})
		rs := b.book(t, lead.ID, "")
		want := map[string]string{
			"24h": `Hi John, reminder: You have "Product Demo" scheduled for tomorrow at 2:00 PM. Reply CONFIRM to confirm.`,
			"1h":  `Hi John, your meeting "Product Demo" starts in 1 hour at 2:00 PM.`,
			"10m": `Hi John, "Product Demo" starts in 10 min!`,
		}
		for _, rule := range []string{"24h", "1h", "10m"} {
			r := rs[rule]
			if err := b.deliverAt(t, r, r.ScheduledAt); err != nil {
				t.Fatal(err)
			}
			got := b.reminder(t, r.ID)
			if got.Status != herald.ReminderSent || got.Channel != "sms" || got.Provider != "vonage" ||
				got.SentAt == nil || !got.SentAt.Equal(r.ScheduledAt) || got.DeliveryStatus != herald.DeliveryAccepted {
				t.Fatalf("%s reminder after send: %+v", rule, got)
			}
			if len(got.AttemptHistory) != 1 || got.AttemptHistory[0].Outcome != "sent" ||
				got.ExternalMessageID != "vonage-"+got.AttemptHistory[0].Reference {
				t.Fatalf("%s attempts: %+v, external id %q", rule, got.AttemptHistory, got.ExternalMessageID)
			}
		}
		msgs := b.sms.messages()
		if len(msgs) != 3 {
			t.Fatalf("%d SMS sent, want 3", len(msgs))
		}
		for i, rule := range []string{"24h", "1h", "10m"} {
			if msgs[i].Text != want[rule] || msgs[i].To != "+14155552671" || msgs[i].Unicode {
				t.Errorf("%s SMS = %q to %s unicode=%v, want %q", rule, msgs[i].Text, msgs[i].To, msgs[i].Unicode, want[rule])
			}
		}
		if len(b.mail.messages()) != 0 {
			t.Fatal("an email was sent beside the SMS")
		}
		// A job that runs again after the send does nothing.
		if err := b.deliverAt(t, rs["10m"], rs["10m"].ScheduledAt.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if n := len(b.sms.messages()); n != 3 {
			t.Fatalf("a repeated job sent again: %d messages", n)
		}
		// Actions written at one instant have no order among themselves.
		actions := b.auditActions(t, rs["1h"].ID)
		slices.Sort(actions)
		if !slices.Equal(actions, []string{"reminder.attempt", string(herald.ActionReminderPlanned), "reminder.sent"}) {
			t.Fatalf("audit of a sent reminder = %v", actions)
		}
	})
}

func TestChannelChoice(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		emailOnly := b.lead(t, herald.LeadInput{Email: "ann@example.com"})
		r := b.book(t, emailOnly.ID, "https://meet.example.com/x")["1h"]
		if err := b.deliverAt(t, r, r.ScheduledAt); err != nil {
			t.Fatal(err)
		}
		mails := b.mail.messages()
		if len(mails) != 1 || mails[0].To != "ann@example.com" || mails[0].Email == nil ||
			!strings.Contains(string(mails[0].Email.Calendar), "BEGIN:VEVENT") || mails[0].Email.Subject == "" {
			t.Fatalf("email-only lead: %+v", mails)
		}
		if got := b.reminder(t, r.ID); got.Status != herald.ReminderSent || got.Channel != "email" {
			t.Fatalf("email reminder = %s via %s", got.Status, got.Channel)
		}

		// SMS switched off for the tenant: the lead with a phone gets email.
		settings, _ := b.store.Settings(ctx, b.tenant.ID)
		settings.Channels.SMS = false
		if _, err := b.store.UpdateSettings(ctx, b.tenant.ID, settings); err != nil {
			t.Fatal(err)
		}
		both := b.lead(t, herald.LeadInput{Phone: "+14155552672", Email: "bob@example.com"})
		r = b.book(t, both.ID, "")["1h"]
		if err := b.deliverAt(t, r, r.ScheduledAt); err != nil {
			t.Fatal(err)
		}
		if got := b.reminder(t, r.ID); got.Channel != "email" || len(b.sms.messages()) != 0 {
			t.Fatalf("with SMS off: channel %s, %d SMS", got.Channel, len(b.sms.messages()))
		}

		// No usable contact: failed, reason no_contact, nothing sent.
		phoneOnly := b.lead(t, herald.LeadInput{Phone: "+14155552673"})
		r = b.book(t, phoneOnly.ID, "")["1h"]
		if err := b.deliverAt(t, r, r.ScheduledAt); err != nil {
			t.Fatal(err)
		}
		if got := b.reminder(t, r.ID); got.Status != herald.ReminderFailed || got.Reason != herald.ReasonNoContact {
			t.Fatalf("no contact: %s/%s", got.Status, got.Reason)
		}
	})
}

func TestLeadChangedBeforeSend(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671", Email: "john@example.com"})
		r := b.book(t, lead.ID, "")["1h"]
		empty, name := "", "Johnny"
		if _, err := b.store.UpdateLead(context.Background(), b.tenant.ID, lead.ID, herald.LeadPatch{Phone: &empty, Name: &name}, nil); err != nil {
			t.Fatal(err)
		}
		if err := b.deliverAt(t, r, r.ScheduledAt); err != nil {
			t.Fatal(err)
		}
		mails := b.mail.messages()
		if len(b.sms.messages()) != 0 || len(mails) != 1 || !strings.Contains(mails[0].Text, "Johnny") {
			t.Fatalf("after the phone was removed: %d SMS, emails %+v", len(b.sms.messages()), mails)
		}
	})
}

func TestStaleRemindersAreNotSent(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		rs := b.book(t, lead.ID, "")
		// The 24-hour reminder delayed past the 1-hour mark is superseded.
		if err := b.deliverAt(t, rs["24h"], rs["1h"].ScheduledAt.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got := b.reminder(t, rs["24h"].ID); got.Status != herald.ReminderSkipped || got.Reason != herald.ReasonSuperseded {
			t.Fatalf("late 24h reminder = %s/%s, want skipped/superseded", got.Status, got.Reason)
		}
		// The 10-minute reminder run after the start has expired.
		if err := b.deliverAt(t, rs["10m"], start.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if got := b.reminder(t, rs["10m"].ID); got.Status != herald.ReminderExpired {
			t.Fatalf("reminder after the start = %s, want expired", got.Status)
		}
		// A reminder of a cancelled meeting does not go out, even if its job runs.
		if _, err := b.store.CancelMeeting(context.Background(), b.tenant.ID, rs["1h"].MeetingID); err != nil {
			t.Fatal(err)
		}
		if err := b.deliverAt(t, rs["1h"], rs["1h"].ScheduledAt); err != nil {
			t.Fatal(err)
		}
		if n := len(b.sms.messages()); n != 0 {
			t.Fatalf("%d stale reminders were sent", n)
		}
	})
}

func TestEarlyJobWaits(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		r := b.book(t, lead.ID, "")["1h"]
		err := b.deliverAt(t, r, r.ScheduledAt.Add(-time.Minute))
		if err == nil || !strings.Contains(err.Error(), "wait") {
			t.Fatalf("early run returned %v, want a wait", err)
		}
		if got := b.reminder(t, r.ID); got.Status != herald.ReminderPending || len(b.sms.messages()) != 0 {
			t.Fatalf("early run changed the reminder: %s, %d SMS", got.Status, len(b.sms.messages()))
		}
	})
}

func TestUnknownTemplateFails(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		settings, _ := b.store.Settings(ctx, b.tenant.ID)
		settings.ReminderRules = []herald.ReminderRule{{Name: "2h", Offset: herald.Duration(2 * time.Hour), Template: "gone"}}
		if _, err := b.store.UpdateSettings(ctx, b.tenant.ID, settings); err != nil {
			t.Fatal(err)
		}
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		r := b.book(t, lead.ID, "")["2h"]
		if err := b.deliverAt(t, r, r.ScheduledAt); err != nil {
			t.Fatal(err)
		}
		got := b.reminder(t, r.ID)
		if got.Status != herald.ReminderFailed || got.Reason != "template_missing" || !strings.Contains(got.LastError, `"gone"`) {
			t.Fatalf("missing template: %s/%s %q", got.Status, got.Reason, got.LastError)
		}
	})
}
