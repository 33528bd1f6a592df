package webhook_test

import (
	"context"
	"testing"
	"time"

	"herald"
	"herald/webhook"
)

func TestUndeliveredSMSFallsBackToEmailOnce(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone, Email: "john@example.com"})
		r := b.deliver(t, b.book(t, b.tenant.ID, lead.ID, start)["1h"])
		jobBefore := r.JobID
		sms := b.lastAccepted(t)

		b.clock.Set(r.ScheduledAt.Add(5 * time.Minute))
		b.vonageCall(t, webhook.VonageReceiptPath, viaJSON, b.sign(t, dlr(sms, "expired", "2"))).result(t)
		got := b.reminder(t, b.tenant.ID, r.ID)
		if got.Status != herald.ReminderPending || got.Reason != herald.ReasonSMSUndelivered || got.JobID == jobBefore {
			t.Fatalf("after an undelivered SMS: %s/%s job %d (was %d), want pending with a new job", got.Status, got.Reason,
				got.JobID, jobBefore)
		}
		// The new job runs at once, as the worker would run it.
		if err := b.deliverer.Deliver(context.Background(), b.tenant.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		got = b.reminder(t, b.tenant.ID, r.ID)
		mails := b.mail.messages()
		if got.Status != herald.ReminderSent || got.Channel != "email" || got.DeliveryStatus != herald.DeliveryAccepted ||
			len(got.AttemptHistory) != 2 || len(mails) != 1 || mails[0].To != "john@example.com" {
			t.Fatalf("after the fallback: %s via %s (%s), %d attempts, mails %+v", got.Status, got.Channel,
				got.DeliveryStatus, len(got.AttemptHistory), mails)
		}
		if len(b.vonageFake.Accepted()) != 1 {
			t.Fatal("the SMS was sent again")
		}
		// More bad news of the SMS does not send the email twice.
		b.vonageCall(t, webhook.VonageReceiptPath, viaForm, b.sign(t, dlr(sms, "rejected", "6"))).result(t)
		if again := b.reminder(t, b.tenant.ID, r.ID); again.Status != herald.ReminderSent || again.Channel != "email" ||
			again.JobID != got.JobID || len(b.mail.messages()) != 1 {
			t.Fatalf("a second bad receipt: %s via %s, job %d", again.Status, again.Channel, again.JobID)
		}
		if !hasAction(b.audit(t, b.tenant.ID, r.ID), herald.ActionFallbackEmail, "") {
			t.Fatal("the fallback is not in the audit trail")
		}
	})
}

func TestNoFallbackOnceTheMeetingBegan(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone, Email: "john@example.com"})
		rs := b.book(t, b.tenant.ID, lead.ID, start)
		r := b.deliver(t, rs["10m"])
		b.clock.Set(start.Add(time.Minute))
		b.vonageCall(t, webhook.VonageReceiptPath, viaGET, b.sign(t, dlr(b.lastAccepted(t), "failed", "1"))).result(t)
		if got := b.reminder(t, b.tenant.ID, r.ID); got.Status != herald.ReminderSent || got.DeliveryStatus != herald.DeliveryUndelivered {
			t.Fatalf("undelivered after the start: %s/%s, want sent/undelivered", got.Status, got.DeliveryStatus)
		}
		// Nor once a later rule's time has come: the 24h reminder reported
		// undelivered past the 1h mark would be superseded.
		r = b.deliver(t, rs["24h"])
		b.clock.Set(rs["1h"].ScheduledAt.Add(time.Minute))
		b.vonageCall(t, webhook.VonageReceiptPath, viaGET, b.sign(t, dlr(b.lastAccepted(t), "rejected", "6"))).result(t)
		if got := b.reminder(t, b.tenant.ID, r.ID); got.Status != herald.ReminderSent || got.DeliveryStatus != herald.DeliveryFailed {
			t.Fatalf("late bad news of a superseded reminder: %s/%s", got.Status, got.DeliveryStatus)
		}
		if len(b.mail.messages()) != 0 {
			t.Fatal("an email went out too late")
		}
	})
}

// lostAnswer hands the message to the provider and then reports a
// timeout, as when the provider's answer is lost on the way back.
type lostAnswer struct{ herald.Sender }

func (s lostAnswer) Send(ctx context.Context, msg *herald.Message) (herald.SendResult, error) {
	if _, err := s.Sender.Send(ctx, msg); err != nil {
		return herald.SendResult{}, err
	}
	return herald.SendResult{}, &herald.SendError{Provider: "vonage", Kind: herald.SendTransient, Message: "no answer in time"}
}

func TestReceiptStopsTheRetryOfASendThatWentOut(t *testing.T) {
	t.Parallel()
	each(t, signed(), func(t *testing.T, b *bundle) {
		lead := b.lead(t, b.tenant.ID, herald.LeadInput{Phone: leadPhone})
		r := b.book(t, b.tenant.ID, lead.ID, start)["24h"]
		b.deliverer.SMS = lostAnswer{b.vonage}
		b.clock.Set(r.ScheduledAt)
		if err := b.deliverer.Deliver(context.Background(), b.tenant.ID, r.ID); err == nil {
			t.Fatal("a lost answer did not ask for a retry")
		}
		got := b.reminder(t, b.tenant.ID, r.ID)
		if got.Status != herald.ReminderPending || got.NextRetryAt == nil {
			t.Fatalf("after a lost answer: %s, next %v", got.Status, got.NextRetryAt)
		}
		b.clock.Set(r.ScheduledAt.Add(10 * time.Second))
		b.vonageCall(t, webhook.VonageReceiptPath, viaJSON, b.sign(t, dlr(b.lastAccepted(t), "delivered", "0"))).result(t)
		got = b.reminder(t, b.tenant.ID, r.ID)
		if got.Status != herald.ReminderSent || got.NextRetryAt != nil || got.DeliveryStatus != herald.DeliveryDelivered {
			t.Fatalf("after the receipt: %s, next %v, %s", got.Status, got.NextRetryAt, got.DeliveryStatus)
		}
		// The retry's job still runs, and sends nothing.
		b.deliverer.SMS = b.vonage
		b.clock.Set(r.ScheduledAt.Add(time.Minute))
		if err := b.deliverer.Deliver(context.Background(), b.tenant.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		if n := len(b.vonageFake.Accepted()); n != 1 {
			t.Fatalf("%d SMS sent, want 1", n)
		}
	})
}
