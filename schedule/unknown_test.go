package schedule_test

import (
	"context"
	"testing"
	"time"

	"herald"
)

// unknownAfter is the Deliverer's wait for a receipt in these tests.
const unknownAfter = 5 * time.Minute

// leaveUnknown delivers r while the provider answers unreadably, which
// leaves it unknown, and returns when that happened.
func leaveUnknown(t *testing.T, b *bundle, r herald.Reminder) time.Time {
	t.Helper()
	b.sms.answer = sendErr(herald.SendUnknown)
	_ = b.deliverAt(t, r, r.ScheduledAt)
	b.sms.answer = nil
	if got := b.reminder(t, r.ID); got.Status != herald.ReminderUnknown || got.Reason != herald.ReasonOutcomeLost {
		t.Fatalf("after an unreadable answer: %s/%s, want unknown", got.Status, got.Reason)
	}
	return r.ScheduledAt
}

func setOnUnknown(t *testing.T, b *bundle, policy string) {
	t.Helper()
	settings := herald.DefaultSettings()
	settings.OnUnknown = policy
	if err := settings.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.UpdateSettings(context.Background(), b.tenant.ID, settings); err != nil {
		t.Fatal(err)
	}
}

// TestUnknownReminderIsKeptByDefault: with on_unknown "keep" (the
// default) an unknown reminder is never sent a second time.
func TestUnknownReminderIsKeptByDefault(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		b.deliverer.UnknownAfter = unknownAfter
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		r := b.book(t, lead.ID, "")["24h"]
		at := leaveUnknown(t, b, r)
		if got := b.reminder(t, r.ID); got.NextRetryAt != nil {
			t.Errorf("a kept unknown reminder has a next try at %v", got.NextRetryAt)
		}
		if err := b.deliverAt(t, r, at.Add(unknownAfter+time.Second)); err != nil {
			t.Fatal(err)
		}
		if got := b.reminder(t, r.ID); got.Status != herald.ReminderUnknown || len(b.sms.messages()) != 1 {
			t.Fatalf("keep: %s after %d SMS, want unknown after one", got.Status, len(b.sms.messages()))
		}
	})
}

// TestUnknownReminderIsResentOnceWhenTheTenantAsks: with on_unknown
// "resend", an unknown reminder that no receipt settles within
// HERALD_UNKNOWN_AFTER is sent once more, and only once, while its
// meeting is ahead.
func TestUnknownReminderIsResentOnceWhenTheTenantAsks(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		b.deliverer.UnknownAfter = unknownAfter
		setOnUnknown(t, b, herald.OnUnknownResend)
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		rs := b.book(t, lead.ID, "")
		r := rs["24h"]

		b.sms.answer = sendErr(herald.SendUnknown)
		err := b.deliverAt(t, r, r.ScheduledAt)
		if err == nil {
			t.Fatal("an unknown reminder to resend did not ask to run again")
		}
		got := b.reminder(t, r.ID)
		if got.Status != herald.ReminderUnknown || got.NextRetryAt == nil || !got.NextRetryAt.Equal(r.ScheduledAt.Add(unknownAfter)) {
			t.Fatalf("after the unknown send: %s, next %v; want unknown until %v", got.Status, got.NextRetryAt, r.ScheduledAt.Add(unknownAfter))
		}
		// Too early: nothing yet.
		b.sms.answer = nil
		_ = b.deliverAt(t, r, r.ScheduledAt.Add(unknownAfter/2))
		if n := len(b.sms.messages()); n != 1 {
			t.Fatalf("%d SMS before HERALD_UNKNOWN_AFTER passed", n)
		}
		if err := b.deliverAt(t, r, *got.NextRetryAt); err != nil {
			t.Fatal(err)
		}
		got = b.reminder(t, r.ID)
		if got.Status != herald.ReminderSent || got.Attempts != 2 || len(b.sms.messages()) != 2 {
			t.Fatalf("resend: %s after %d attempts, %d SMS; want sent by a second one", got.Status, got.Attempts, len(b.sms.messages()))
		}

		// A second unknown outcome is kept: never a third message.
		other := rs["1h"]
		b.sms.answer = sendErr(herald.SendUnknown)
		_ = b.deliverAt(t, other, other.ScheduledAt)
		_ = b.deliverAt(t, other, other.ScheduledAt.Add(unknownAfter))
		_ = b.deliverAt(t, other, other.ScheduledAt.Add(2*unknownAfter))
		got = b.reminder(t, other.ID)
		if got.Status != herald.ReminderUnknown || got.Attempts != 2 || got.NextRetryAt != nil {
			t.Fatalf("after two unknown sends: %s, %d attempts, next %v; want unknown for good after two", got.Status, got.Attempts, got.NextRetryAt)
		}
	})
}

// TestUnknownReminderIsNotResentOnceItsMeetingStarted: "resend" never
// sends a reminder whose meeting has begun; it stays unknown.
func TestUnknownReminderIsNotResentOnceItsMeetingStarted(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		b.deliverer.UnknownAfter = unknownAfter
		setOnUnknown(t, b, herald.OnUnknownResend)
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		r := b.book(t, lead.ID, "")["10m"]
		leaveUnknown(t, b, r)
		if err := b.deliverAt(t, r, start.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got := b.reminder(t, r.ID)
		if got.Status != herald.ReminderUnknown || got.NextRetryAt != nil || len(b.sms.messages()) != 1 {
			t.Fatalf("after the start: %s, next %v, %d SMS; want unknown for good", got.Status, got.NextRetryAt, len(b.sms.messages()))
		}
	})
}

func TestOnUnknownSettingIsChecked(t *testing.T) {
	t.Parallel()
	s := herald.DefaultSettings()
	s.OnUnknown = "twice"
	if err := s.Validate(); herald.ErrorCode(err) != herald.ECodeInvalid {
		t.Errorf("on_unknown twice: %v, want invalid", err)
	}
	s.OnUnknown = ""
	if err := s.Validate(); err != nil || s.OnUnknown != herald.OnUnknownKeep {
		t.Errorf("on_unknown empty: %v, %q; want keep", err, s.OnUnknown)
	}
}
