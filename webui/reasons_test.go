package webui

import (
	"testing"
	"time"

	"herald"
)

func TestWaitReasonSaysWhyInWords(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	later, retry := now.Add(time.Hour), now.Add(5*time.Minute)
	on := herald.Settings{Channels: herald.Channels{SMS: true, Email: true}}
	phone := func(r herald.Reminder) herald.ReminderView {
		return herald.ReminderView{Reminder: r, LeadPhone: "+14155550123", LeadEmail: "jane@example.com"}
	}
	pending := herald.Reminder{Status: herald.ReminderPending, ScheduledAt: later, RuleAt: later, MaxRetries: 3}
	cases := []struct {
		name string
		v    herald.ReminderView
		st   herald.Settings
		want string
	}{
		{"its time", phone(pending), on, "Waiting for its time"},
		{"due", phone(herald.Reminder{Status: herald.ReminderPending, ScheduledAt: now.Add(-time.Second)}), on,
			"Due: waiting for its turn at the provider's pace"},
		{"retry", phone(herald.Reminder{Status: herald.ReminderPending, ScheduledAt: now.Add(-time.Minute), NextRetryAt: &retry,
			Attempts: 1, MaxRetries: 3, LastError: "vonage: throttled"}), on, "Retry at 14:05 (attempt 2 of 4) after: vonage: throttled"},
		{"send window", phone(herald.Reminder{Status: herald.ReminderPending, ScheduledAt: later, RuleAt: now.Add(30 * time.Minute)}), on,
			"Held by the send window: its rule said Mon 14:30"},
		{"opted out", herald.ReminderView{Reminder: pending, LeadPhone: "+14155550123", LeadEmail: "jane@example.com", LeadOptedOut: true}, on,
			"Waiting for its time; the lead opted out of SMS, so it goes by email"},
		{"no phone", herald.ReminderView{Reminder: pending, LeadEmail: "jane@example.com"}, on,
			"Waiting for its time; the lead has no phone number, so it goes by email"},
		{"sms off", phone(pending), herald.Settings{Channels: herald.Channels{Email: true}},
			"Waiting for its time; SMS is off for this tenant, so it goes by email"},
		{"no contact", herald.ReminderView{Reminder: pending, LeadOptedOut: true, LeadPhone: "+14155550123"}, on,
			"Waiting for its time; the lead opted out of SMS and there is no email to fall back to: it will fail (no contact)"},
		{"unknown", phone(herald.Reminder{Status: herald.ReminderUnknown, ScheduledAt: now.Add(-time.Minute)}), on,
			"The provider's answer was lost; waiting for a delivery receipt to settle it (it is never sent twice)"},
		{"sending", phone(herald.Reminder{Status: herald.ReminderSending, Provider: "twilio"}), on, "Being handed to twilio now"},
	}
	for _, c := range cases {
		if got := waitReason(c.v, c.st, now, time.UTC); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCountdown(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		45 * time.Second: "in 45s", 90 * time.Second: "in 1m 30s", 2*time.Hour + 5*time.Minute: "in 2h 05m",
		-3 * time.Minute: "3m 00s ago", 50 * time.Hour: "in 2d 2h",
	} {
		if got := countdown(d); got != want {
			t.Errorf("countdown(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSplitUCS2MarksTheCharactersOutsideGSM7(t *testing.T) {
	t.Parallel()
	got := splitUCS2("Hi “Jane” ✓ €")
	want := []textPart{{Text: "Hi "}, {Text: "“", UCS2: true}, {Text: "Jane"}, {Text: "”", UCS2: true}, {Text: " "},
		{Text: "✓", UCS2: true}, {Text: " €"}}
	if len(got) != len(want) {
		t.Fatalf("splitUCS2 = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("splitUCS2 = %+v, want %+v", got, want)
		}
	}
}
