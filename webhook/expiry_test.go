package webhook_test

import (
	"strconv"
	"testing"
	"time"

	"herald"
	"herald/twilio/twiliotest"
	"herald/webhook"
)

// TestTwilioValidityExpired: Herald gives a Twilio message the meeting's
// start as its validity; when Twilio drops it unsent at that deadline
// (error 30036), the reminder is expired, not sent, and nothing goes by
// email after the meeting began.
func TestTwilioValidityExpired(t *testing.T) {
	t.Parallel()
	each(t, twilioOnly(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone, Email: "lead@example.com"})
		r := b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["1h"])
		req := b.twilioFake.Requests()[0]
		if v, err := strconv.Atoi(req.Form.Get("ValidityPeriod")); err != nil || v < 1 || v > 36000 {
			t.Fatalf("ValidityPeriod = %q, want seconds until the meeting", req.Form.Get("ValidityPeriod"))
		}
		m := b.twilioFake.Messages()[0]
		b.clock.Set(start) // Twilio drops it at the deadline it was given
		got := b.twilioCall(t, callbackPath(t, m), twiliotest.AuthToken, statusCallback(m, "failed", "30036")).result(t)
		if got != herald.ReceiptApplied {
			t.Fatalf("callback: %q", got)
		}
		after := b.reminder(t, b.tenant.ID, r.ID)
		if after.Status != herald.ReminderExpired || after.Reason != herald.ReasonValidityExpired {
			t.Fatalf("reminder = %s/%s, want expired/%s", after.Status, after.Reason, herald.ReasonValidityExpired)
		}
	})
}

// TestVonageTTLExpired: Herald gives a Vonage message the meeting's start
// as its ttl; a receipt saying Vonage gave up on it at that deadline
// (status "expired") expires the reminder, and nothing goes by email after
// the meeting began. The same receipt two hours before the meeting is
// Vonage's own deadline: the SMS is undelivered, and the reminder goes by
// email while there is time.
func TestVonageTTLExpired(t *testing.T) {
	t.Parallel()
	for name, at := range map[string]time.Duration{"at the meeting's start": 0, "two hours before it": -2 * time.Hour} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			each(t, signed(), func(t *testing.T, b *bundle) {
				lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone, Email: "lead@example.com"})
				r := b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["24h"])
				// The client counts the ttl from the machine's clock, not the
				// test's: only its range is known here.
				if ttl, err := strconv.Atoi(b.vonageFake.Requests()[0].Form.Get("ttl")); err != nil || ttl < 20000 || ttl > 604800000 {
					t.Fatalf("ttl = %q, want the milliseconds until the meeting", b.vonageFake.Requests()[0].Form.Get("ttl"))
				}
				b.clock.Set(start.Add(at))
				receipt := b.sign(t, dlr(b.lastAccepted(t), "expired", ""))
				got := b.vonageCall(t, webhook.VonageReceiptPath, viaForm, receipt).result(t)
				if got != herald.ReceiptApplied {
					t.Fatalf("receipt: %q", got)
				}
				after := b.reminder(t, b.tenant.ID, r.ID)
				if at == 0 && (after.Status != herald.ReminderExpired || after.Reason != herald.ReasonValidityExpired) {
					t.Fatalf("reminder = %s/%s, want expired/%s", after.Status, after.Reason, herald.ReasonValidityExpired)
				}
				if at < 0 && (after.Status == herald.ReminderExpired || after.Reason != herald.ReasonSMSUndelivered) {
					t.Fatalf("reminder = %s/%s, want it on its way by email (%s)", after.Status, after.Reason, herald.ReasonSMSUndelivered)
				}
			})
		})
	}
}
