package webhook_test

import (
	"strconv"
	"testing"

	"herald"
	"herald/twilio/twiliotest"
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
