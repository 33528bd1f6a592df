package smsroute_test

import (
	"context"
	"testing"
	"time"

	"herald"
	"herald/smsroute"
	"herald/vonage"
	"herald/vonage/vonagetest"
)

// TestUnreadableAnswerDoesNotFailOver: Vonage answering HTTP 200 with a
// body that is not its JSON may have sent the SMS, so Twilio must not be
// asked to send it too.
func TestUnreadableAnswerDoesNotFailOver(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.vonage.Script(func(vonagetest.Request) vonagetest.Reply {
		return vonagetest.Reply{HTTPStatus: 200, Body: "<html>maintenance</html>"}
	})
	_, err := b.router.Send(context.Background(), reminder())
	se := sendError(t, err)
	if se.Kind != herald.SendUnknown || outcomes(se.Tried) != "vonage:unknown" {
		t.Errorf("error = %v, tried %s; want unknown from Vonage alone", se, outcomes(se.Tried))
	}
	if n := len(b.twilio.Requests()); n != 0 {
		t.Errorf("Twilio got %d requests after Vonage's unreadable answer", n)
	}
}

// TestHangingFirstProviderLeavesTimeToFailOver gives one send 2 s: Vonage
// holds its request open (its own client would wait 10 s), and must get
// only its share, so that Twilio still sends within the 2 s, with
// Vonage's call recorded.
func TestHangingFirstProviderLeavesTimeToFailOver(t *testing.T) {
	t.Parallel()
	fake := vonagetest.NewServer(t)
	patient, err := vonage.New(fake.Config())
	if err != nil {
		t.Fatal(err)
	}
	b := setup(t, func(c *smsroute.Config) { c.Providers[0].Sender = patient })
	fake.Script(func(vonagetest.Request) vonagetest.Reply { return vonagetest.Reply{Hang: true} })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	result, err := b.router.Send(ctx, reminder())
	if err != nil {
		t.Fatalf("Send: %v; want Twilio to send after Vonage's share ran out", err)
	}
	if result.Provider != "twilio" || outcomes(result.Tried) != "vonage:transient,twilio:sent" {
		t.Errorf("provider %s, tried %s", result.Provider, outcomes(result.Tried))
	}
	if len(fake.Requests()) != 1 || len(b.twilio.Messages()) != 1 {
		t.Errorf("vonage got %d requests, twilio created %d messages", len(fake.Requests()), len(b.twilio.Messages()))
	}
}
