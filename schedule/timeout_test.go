package schedule_test

import (
	"context"
	"sync/atomic"
	"testing"

	"herald"
	"herald/smsroute"
)

// TestTimedOutProviderIsFollowedByTheNext pins what the README's "At most
// once" says of timeouts: a provider that does not answer within its share
// of the send timeout counts as failed and the next one is called in the
// same attempt, although the first may have taken the message; the lead
// may then get the reminder twice.
func TestTimedOutProviderIsFollowedByTheNext(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		var tookLate atomic.Int32
		late := senderFunc(func(ctx context.Context, _ *herald.Message) (herald.SendResult, error) {
			tookLate.Add(1) // the request reached the provider...
			<-ctx.Done()    // ...whose answer comes too late
			return herald.SendResult{}, ctx.Err()
		})
		next := &recordingSender{name: "twilio"}
		router, err := smsroute.New(smsroute.Config{Providers: []smsroute.Provider{
			{Name: "vonage", Sender: late}, {Name: "twilio", Sender: next}}})
		if err != nil {
			t.Fatal(err)
		}
		b.deliverer.SMS = router
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		r := b.book(t, lead.ID, "")["1h"]
		if err := b.deliverAt(t, r, r.ScheduledAt); err != nil {
			t.Fatal(err)
		}
		got := b.reminder(t, r.ID)
		if got.Status != herald.ReminderSent || got.Provider != "twilio" || len(got.AttemptHistory) != 1 {
			t.Fatalf("reminder %s via %q with %d attempts; want sent by the second provider in one attempt",
				got.Status, got.Provider, len(got.AttemptHistory))
		}
		calls := got.AttemptHistory[0].Calls
		if len(calls) != 2 || calls[0].Provider != "vonage" || calls[0].Outcome != herald.OutcomeTransient ||
			calls[1].Provider != "twilio" || calls[1].Outcome != herald.OutcomeSent {
			t.Errorf("calls of the attempt = %+v; want vonage transient, then twilio sent", calls)
		}
		if tookLate.Load() != 1 || len(next.messages()) != 1 {
			t.Errorf("the late provider got %d requests and the next %d; want one each", tookLate.Load(), len(next.messages()))
		}
	})
}
