package smsroute_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/smsroute"
	"herald/twilio"
	"herald/twilio/twiliotest"
	"herald/vonage"
	"herald/vonage/vonagetest"
)

// testBundle is a Router over a fake Vonage and a fake Twilio, with the
// throttle waits it asked for recorded instead of spent.
type testBundle struct {
	router *smsroute.Router
	vonage *vonagetest.Server
	twilio *twiliotest.Server

	mu    sync.Mutex
	waits []time.Duration
}

func (b *testBundle) recordedWaits() []time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]time.Duration(nil), b.waits...)
}

func setup(t *testing.T, change func(*smsroute.Config)) *testBundle {
	t.Helper()
	b := &testBundle{vonage: vonagetest.NewServer(t), twilio: twiliotest.NewServer(t)}
	vcfg := b.vonage.Config()
	vcfg.Timeout = 200 * time.Millisecond
	vonageClient, err := vonage.New(vcfg)
	if err != nil {
		t.Fatal(err)
	}
	twilioClient, err := twilio.New(b.twilio.Config())
	if err != nil {
		t.Fatal(err)
	}
	cfg := smsroute.Config{
		Providers: []smsroute.Provider{
			{Name: vonage.Name, Sender: vonageClient},
			{Name: twilio.Name, Sender: twilioClient},
		},
		Sleep: func(ctx context.Context, d time.Duration) error {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.waits = append(b.waits, d)
			return ctx.Err()
		},
	}
	if change != nil {
		change(&cfg)
	}
	b.router, err = smsroute.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return b
}

func reminder() *herald.Message {
	return &herald.Message{Channel: herald.ChannelSMS, To: "+14155550100", Text: "Hi John", Reference: "att_1"}
}

func vonageAnswers(status string) func(vonagetest.Request) vonagetest.Reply {
	return func(vonagetest.Request) vonagetest.Reply { return vonagetest.Reply{Status: status} }
}

// outcomes renders Tried as "provider:outcome" pairs.
func outcomes(calls []herald.ProviderCall) string {
	var parts []string
	for _, c := range calls {
		parts = append(parts, c.Provider+":"+string(c.Outcome))
	}
	return strings.Join(parts, ",")
}

func sendError(t *testing.T, err error) *herald.SendError {
	t.Helper()
	var se *herald.SendError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want a *herald.SendError", err)
	}
	return se
}

func TestFirstProviderSendsWhenHealthy(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	result, err := b.router.Send(context.Background(), reminder())
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if result.Provider != "vonage" || outcomes(result.Tried) != "vonage:sent" || result.Tried[0].MessageID != result.MessageID {
		t.Errorf("result = %+v", result)
	}
	if len(b.twilio.Requests()) != 0 {
		t.Error("Twilio was called although Vonage accepted")
	}
	if got := b.router.Providers(); strings.Join(got, ",") != "vonage,twilio" {
		t.Errorf("Providers = %v", got)
	}
}

func TestFailsOverWithinOneCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		reply vonagetest.Reply
		want  string
	}{
		{"internal error", vonagetest.Reply{Status: "5"}, "vonage:transient,twilio:sent"},
		{"out of credit", vonagetest.Reply{Status: "9"}, "vonage:transient,twilio:sent"},
		{"HTTP 503", vonagetest.Reply{HTTPStatus: 503}, "vonage:transient,twilio:sent"},
		{"hanging", vonagetest.Reply{Hang: true}, "vonage:transient,twilio:sent"},
		{"bad credentials", vonagetest.Reply{Status: "4"}, "vonage:permanent,twilio:sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, nil)
			b.vonage.Script(func(vonagetest.Request) vonagetest.Reply { return tt.reply })
			start := time.Now()
			result, err := b.router.Send(context.Background(), reminder())
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if result.Provider != "twilio" || outcomes(result.Tried) != tt.want {
				t.Errorf("provider %s, tried %s; want twilio after %s", result.Provider, outcomes(result.Tried), tt.want)
			}
			if result.Tried[0].Error == "" || !strings.HasPrefix(result.Tried[0].Error, "vonage: ") {
				t.Errorf("Vonage's failure is not recorded: %+v", result.Tried[0])
			}
			if len(b.vonage.Requests()) != 1 || len(b.twilio.Messages()) != 1 {
				t.Errorf("vonage got %d requests, twilio created %d messages", len(b.vonage.Requests()), len(b.twilio.Messages()))
			}
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("failover took %v", elapsed)
			}
		})
	}
}

func TestRecipientRefusalDoesNotFailOver(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.vonage.Script(vonageAnswers("7"))
	_, err := b.router.Send(context.Background(), reminder())
	se := sendError(t, err)
	if se.Kind != herald.SendPermanentRecipient || se.Provider != "vonage" || outcomes(se.Tried) != "vonage:permanent_recipient" {
		t.Errorf("error = %v, tried %s", se, outcomes(se.Tried))
	}
	if len(b.twilio.Requests()) != 0 {
		t.Error("Twilio was tried for a barred number")
	}
}

func TestOptOutAtTheSecondProviderIsReported(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.vonage.Script(vonageAnswers("5"))
	b.twilio.OptOut(twiliotest.From, "+14155550100")
	_, err := b.router.Send(context.Background(), reminder())
	se := sendError(t, err)
	if se.Kind != herald.SendPermanentRecipient || !se.OptedOut || se.Code != "21610" {
		t.Errorf("error = %+v, want Twilio's opt-out", se)
	}
	if outcomes(se.Tried) != "vonage:transient,twilio:permanent_recipient" {
		t.Errorf("tried = %s", outcomes(se.Tried))
	}
}

func TestAllProvidersFailing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		vonage     string
		twilioCode int
		kind       herald.SendErrorKind
		provider   string
	}{
		{"both transient", "5", 20500, herald.SendTransient, "twilio"},
		{"transient then permanent is worth a retry", "5", 21606, herald.SendTransient, "vonage"},
		{"both permanent", "15", 21606, herald.SendPermanent, "twilio"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, nil)
			b.vonage.Script(vonageAnswers(tt.vonage))
			b.twilio.Script(func(twiliotest.Request) twiliotest.Reply { return twiliotest.Reply{Code: tt.twilioCode} })
			_, err := b.router.Send(context.Background(), reminder())
			se := sendError(t, err)
			if se.Kind != tt.kind || se.Provider != tt.provider || len(se.Tried) != 2 {
				t.Errorf("error = %v (provider %s), tried %s; want %s from %s", se, se.Provider, outcomes(se.Tried), tt.kind, tt.provider)
			}
		})
	}
}
