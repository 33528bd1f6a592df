package schedule_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"herald"
)

func sendErr(kind herald.SendErrorKind) func(*herald.Message) (herald.SendResult, error) {
	return func(*herald.Message) (herald.SendResult, error) {
		return herald.SendResult{}, &herald.SendError{Provider: "vonage", Kind: kind, Code: "5", Message: "scripted " + kind.String()}
	}
}

func TestTransientFailuresBackOffThenFail(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		r := b.book(t, lead.ID, "")["24h"]
		b.sms.answer = sendErr(herald.SendTransient)
		at := r.ScheduledAt
		for i, wantDelay := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
			err := b.deliverAt(t, r, at)
			if err == nil || !strings.Contains(err.Error(), "wait") {
				t.Fatalf("failure %d: Deliver = %v, want a wait", i+1, err)
			}
			got := b.reminder(t, r.ID)
			if got.Status != herald.ReminderPending || got.NextRetryAt == nil || !got.NextRetryAt.Equal(at.Add(wantDelay)) ||
				!strings.Contains(got.LastError, "scripted transient") {
				t.Fatalf("after failure %d: %s next %v error %q, want pending next %v", i+1, got.Status, got.NextRetryAt, got.LastError, at.Add(wantDelay))
			}
			at = *got.NextRetryAt
		}
		if err := b.deliverAt(t, r, at); err != nil {
			t.Fatal(err)
		}
		got := b.reminder(t, r.ID)
		if got.Status != herald.ReminderFailed || got.Reason != herald.ReasonRetriesExhausted || got.Attempts != 4 || len(got.AttemptHistory) != 4 {
			t.Fatalf("after 3 retries: %s/%s, %d attempts", got.Status, got.Reason, got.Attempts)
		}
		if n := len(b.sms.messages()); n != 4 {
			t.Fatalf("%d provider calls, want 1 + 3 retries", n)
		}
	})
}

func TestRetryNeverPastTheStart(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		r := b.book(t, lead.ID, "")["10m"]
		b.sms.answer = sendErr(herald.SendTransient)
		// Run late, 30 s before the start: the first retry (one minute)
		// would land after the start, so the reminder expires instead.
		if err := b.deliverAt(t, r, start.Add(-30*time.Second)); err != nil {
			t.Fatal(err)
		}
		got := b.reminder(t, r.ID)
		if got.Status != herald.ReminderExpired || got.Reason != herald.ReasonRetryAfterStart {
			t.Fatalf("a retry after the start: %s/%s, want expired", got.Status, got.Reason)
		}
	})
}

func TestThrottledWaitsWithoutSpendingRetries(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		r := b.book(t, lead.ID, "")["1h"]
		b.sms.answer = func(*herald.Message) (herald.SendResult, error) {
			return herald.SendResult{}, &herald.SendError{Provider: "vonage", Kind: herald.SendThrottled, Code: "1",
				Message: "Throughput Rate Exceeded", RetryAfter: 3 * time.Second}
		}
		at := r.ScheduledAt
		for range 5 {
			if err := b.deliverAt(t, r, at); err == nil {
				t.Fatal("throttled send did not ask to wait")
			}
			got := b.reminder(t, r.ID)
			if got.Status != herald.ReminderPending || !got.NextRetryAt.Equal(at.Add(3*time.Second)) {
				t.Fatalf("throttled: %s next %v", got.Status, got.NextRetryAt)
			}
			at = *got.NextRetryAt
		}
		b.sms.answer = nil
		if err := b.deliverAt(t, r, at); err != nil {
			t.Fatal(err)
		}
		if got := b.reminder(t, r.ID); got.Status != herald.ReminderSent {
			t.Fatalf("after five throttles (more than max retries) the send = %s, want sent", got.Status)
		}
	})
}

func TestPermanentForRecipientFallsBackToEmail(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671", Email: "john@example.com"})
		r := b.book(t, lead.ID, "")["1h"]
		b.sms.answer = func(*herald.Message) (herald.SendResult, error) {
			return herald.SendResult{}, &herald.SendError{Provider: "twilio", Kind: herald.SendPermanentRecipient, Code: "21610",
				Message: "unsubscribed recipient", OptedOut: true}
		}
		if err := b.deliverAt(t, r, r.ScheduledAt); err != nil {
			t.Fatal(err)
		}
		got := b.reminder(t, r.ID)
		if got.Status != herald.ReminderSent || got.Channel != "email" || len(got.AttemptHistory) != 2 ||
			got.AttemptHistory[0].Outcome != "permanent_recipient" || got.AttemptHistory[1].Channel != "email" {
			t.Fatalf("after SMS refusal: %+v", got)
		}
		if len(b.mail.messages()) != 1 {
			t.Fatalf("%d emails, want 1", len(b.mail.messages()))
		}
		l, _ := b.store.Lead(context.Background(), b.tenant.ID, lead.ID)
		if !l.SMSOptedOut || l.SMSOptedOutAt == nil {
			t.Fatalf("lead after 21610: opted out %v", l.SMSOptedOut)
		}
		// The next reminder of the opted-out lead goes by email directly.
		next := b.book(t, lead.ID, "")["10m"]
		if err := b.deliverAt(t, next, next.ScheduledAt); err != nil {
			t.Fatal(err)
		}
		if got := b.reminder(t, next.ID); got.Channel != "email" || len(b.sms.messages()) != 1 {
			t.Fatalf("opted-out lead's next reminder: %s, %d SMS calls", got.Channel, len(b.sms.messages()))
		}
	})
}

func TestPermanentFailureIsFinal(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		r := b.book(t, lead.ID, "")["1h"]
		b.sms.answer = sendErr(herald.SendPermanent)
		if err := b.deliverAt(t, r, r.ScheduledAt); err != nil {
			t.Fatal(err)
		}
		got := b.reminder(t, r.ID)
		if got.Status != herald.ReminderFailed || got.Reason != herald.ReasonRejected || len(b.sms.messages()) != 1 {
			t.Fatalf("permanent failure of a lead without email: %s/%s, %d SMS calls", got.Status, got.Reason, len(b.sms.messages()))
		}
	})
}

// TestSMSThatCannotGoFallsBackToEmailOnce covers the reasons an SMS cannot
// go that are not the lead's: the account refused by every provider, the
// retries used up, the next retry after the meeting's start. A lead with
// an email gets the reminder by email, once, before the meeting.
func TestSMSThatCannotGoFallsBackToEmailOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rule string
		// run delivers until the SMS gives up, and returns when it did.
		run func(t *testing.T, b *bundle, r herald.Reminder) time.Time
		sms int
	}{
		{"account refused", "1h", func(t *testing.T, b *bundle, r herald.Reminder) time.Time {
			b.sms.answer = sendErr(herald.SendPermanent)
			if err := b.deliverAt(t, r, r.ScheduledAt); err != nil {
				t.Fatal(err)
			}
			return r.ScheduledAt
		}, 1},
		{"retries used up", "24h", func(t *testing.T, b *bundle, r herald.Reminder) time.Time {
			b.sms.answer = sendErr(herald.SendTransient)
			at := r.ScheduledAt
			for range 3 {
				_ = b.deliverAt(t, r, at)
				at = *b.reminder(t, r.ID).NextRetryAt
			}
			if err := b.deliverAt(t, r, at); err != nil {
				t.Fatal(err)
			}
			return at
		}, 4},
		{"next retry after the start", "10m", func(t *testing.T, b *bundle, r herald.Reminder) time.Time {
			b.sms.answer = sendErr(herald.SendTransient)
			at := start.Add(-30 * time.Second)
			if err := b.deliverAt(t, r, at); err != nil {
				t.Fatal(err)
			}
			return at
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			each(t, func(t *testing.T, b *bundle) {
				lead := b.lead(t, herald.LeadInput{Phone: "+14155552671", Email: "john@example.com"})
				r := b.book(t, lead.ID, "")[tt.rule]
				at := tt.run(t, b, r)
				got := b.reminder(t, r.ID)
				if got.Status != herald.ReminderSent || got.Channel != "email" || got.Attempts != tt.sms+1 {
					t.Fatalf("after the SMS gave up: %s/%s via %s, %d attempts; want sent by email after %d SMS",
						got.Status, got.Reason, got.Channel, got.Attempts, tt.sms)
				}
				mails := b.mail.messages()
				if len(mails) != 1 || mails[0].To != "john@example.com" || len(b.sms.messages()) != tt.sms {
					t.Fatalf("%d emails, %d SMS calls; want one email after %d SMS", len(mails), len(b.sms.messages()), tt.sms)
				}
				if !slices.Contains(b.auditActions(t, r.ID), string(herald.ActionFallbackEmail)) {
					t.Errorf("audit %v lacks the fallback", b.auditActions(t, r.ID))
				}
				// The email goes once: a repeated job sends nothing more.
				if err := b.deliverAt(t, r, at.Add(time.Second)); err != nil {
					t.Fatal(err)
				}
				if len(b.mail.messages()) != 1 {
					t.Fatalf("%d emails after a repeated job, want 1", len(b.mail.messages()))
				}
			})
		})
	}
	t.Run("email failing too is final", func(t *testing.T) {
		t.Parallel()
		each(t, func(t *testing.T, b *bundle) {
			lead := b.lead(t, herald.LeadInput{Phone: "+14155552671", Email: "john@example.com"})
			r := b.book(t, lead.ID, "")["1h"]
			b.sms.answer = sendErr(herald.SendPermanent)
			b.mail.answer = sendErr(herald.SendPermanent)
			if err := b.deliverAt(t, r, r.ScheduledAt); err != nil {
				t.Fatal(err)
			}
			got := b.reminder(t, r.ID)
			if got.Status != herald.ReminderFailed || got.Attempts != 2 || len(b.mail.messages()) != 1 {
				t.Fatalf("SMS and email refused: %s/%s, %d attempts, %d emails", got.Status, got.Reason, got.Attempts, len(b.mail.messages()))
			}
		})
	})
}

func TestHangingSenderIsBoundedAndTransient(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		r := b.book(t, lead.ID, "")["1h"]
		hang := make(chan struct{})
		defer close(hang)
		b.deliverer.SMS = senderFunc(func(ctx context.Context, msg *herald.Message) (herald.SendResult, error) {
			select {
			case <-ctx.Done():
				return herald.SendResult{}, ctx.Err()
			case <-hang:
				return herald.SendResult{}, errors.New("released")
			}
		})
		err := b.deliverAt(t, r, r.ScheduledAt)
		if err == nil {
			t.Fatal("hanging send did not ask for a retry")
		}
		got := b.reminder(t, r.ID)
		if got.Status != herald.ReminderPending || !strings.Contains(got.LastError, "no answer within") ||
			got.AttemptHistory[0].Outcome != "transient" {
			t.Fatalf("after a hang: %s %q %+v", got.Status, got.LastError, got.AttemptHistory)
		}
	})
}

type senderFunc func(ctx context.Context, msg *herald.Message) (herald.SendResult, error)

func (f senderFunc) Send(ctx context.Context, msg *herald.Message) (herald.SendResult, error) {
	return f(ctx, msg)
}

// failingOutcomes lets the claim through and fails every later update: the
// process "dies" between the provider's answer and the commit.
type failingOutcomes struct {
	herald.DeliveryStore
	calls int
}

func (f *failingOutcomes) UpdateDelivery(ctx context.Context, tenantID, id string, decide func(*herald.DeliveryState) error) error {
	f.calls++
	if f.calls > 1 {
		return errors.New("connection lost")
	}
	return f.DeliveryStore.UpdateDelivery(ctx, tenantID, id, decide)
}

func TestLostOutcomeIsNeverSentAgain(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		r := b.book(t, lead.ID, "")["1h"]
		crashing := *b.deliverer
		crashing.Store = &failingOutcomes{DeliveryStore: b.store}
		crashing.OutcomeRetryFor = 300 * time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		b.clock.Set(r.ScheduledAt)
		if err := crashing.Deliver(ctx, b.tenant.ID, r.ID); err == nil {
			t.Fatal("the crashed run reported success")
		}
		if got := b.reminder(t, r.ID); got.Status != herald.ReminderSending {
			t.Fatalf("after the crash the reminder is %s, want sending", got.Status)
		}
		// The job runs again (the engine's rescue): no second send.
		if err := b.deliverAt(t, r, r.ScheduledAt.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got := b.reminder(t, r.ID)
		if got.Status != herald.ReminderUnknown || len(b.sms.messages()) != 1 || got.AttemptHistory[0].Outcome != "unknown" ||
			got.AttemptHistory[0].Reference == "" {
			t.Fatalf("after the rerun: %s, %d sends, attempts %+v", got.Status, len(b.sms.messages()), got.AttemptHistory)
		}
	})
}

// A shutdown that cuts a send short leaves the reminder unknown only when
// a provider may have taken the message; one that only waited for a send
// slot leaves it to be sent.
func TestShutdownDuringSendIsUnknownOnlyIfAProviderMayHaveIt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		tried []herald.ProviderCall
		kind  herald.SendErrorKind
		want  herald.ReminderStatus
	}{
		{"waiting for a slot", []herald.ProviderCall{{Provider: "vonage", Outcome: herald.OutcomeSkipped},
			{Provider: "twilio", Outcome: herald.OutcomeThrottled}}, herald.SendThrottled, herald.ReminderPending},
		{"a call in flight, then a wait", []herald.ProviderCall{{Provider: "vonage", Outcome: herald.OutcomeTransient},
			{Provider: "twilio", Outcome: herald.OutcomeThrottled}}, herald.SendThrottled, herald.ReminderUnknown},
		{"a call in flight", []herald.ProviderCall{{Provider: "vonage", Outcome: herald.OutcomeTransient}},
			herald.SendTransient, herald.ReminderUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			each(t, func(t *testing.T, b *bundle) {
				lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
				r := b.book(t, lead.ID, "")["1h"]
				job, shutdown := context.WithCancel(context.Background())
				defer shutdown()
				b.deliverer.SMS = senderFunc(func(ctx context.Context, msg *herald.Message) (herald.SendResult, error) {
					shutdown()
					<-ctx.Done()
					return herald.SendResult{}, &herald.SendError{Provider: "smsroute", Kind: tc.kind,
						RetryAfter: time.Second, Message: "cut short", Tried: tc.tried}
				})
				b.clock.Set(r.ScheduledAt)
				_ = b.deliverer.Deliver(job, b.tenant.ID, r.ID)
				got := b.reminder(t, r.ID)
				if got.Status != tc.want {
					t.Fatalf("after the shutdown: %s (%s), want %s", got.Status, got.Reason, tc.want)
				}
			})
		})
	}
}
