package smsroute_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"herald"
	"herald/smsroute"
	"herald/vonage/vonagetest"
)

// waitForCircuit polls until provider's circuit reaches state; the breaker
// moves from open to half-open on its own clock, which no signal reports.
func waitForCircuit(t *testing.T, router *smsroute.Router, provider, state string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for router.CircuitState(provider) != state {
		if time.Now().After(deadline) {
			t.Fatalf("circuit of %s is %s, want %s", provider, router.CircuitState(provider), state)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCircuitOpensAfterConsecutiveTransientFailuresAndCloses(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var changes []string
	b := setup(t, func(c *smsroute.Config) {
		c.BreakerFailures = 2
		c.BreakerPause = 100 * time.Millisecond
		c.OnStateChange = func(provider, from, to string) {
			mu.Lock()
			defer mu.Unlock()
			changes = append(changes, provider+":"+from+"->"+to)
		}
	})
	var vonageDown atomic.Bool
	vonageDown.Store(true)
	b.vonage.Script(func(vonagetest.Request) vonagetest.Reply {
		if vonageDown.Load() {
			return vonagetest.Reply{Status: "5"}
		}
		return vonagetest.Reply{}
	})
	ctx := context.Background()

	for i := range 2 {
		result, err := b.router.Send(ctx, reminder())
		if err != nil || outcomes(result.Tried) != "vonage:transient,twilio:sent" {
			t.Fatalf("send %d: err %v, tried %s", i+1, err, outcomes(result.Tried))
		}
	}
	if state := b.router.CircuitState("vonage"); state != "open" {
		t.Fatalf("after 2 transient failures the circuit is %s, want open", state)
	}

	result, err := b.router.Send(ctx, reminder())
	if err != nil || outcomes(result.Tried) != "vonage:skipped,twilio:sent" {
		t.Fatalf("while open: err %v, tried %s", err, outcomes(result.Tried))
	}
	if n := len(b.vonage.Requests()); n != 2 {
		t.Errorf("Vonage got %d requests, want none while its circuit is open", n)
	}

	vonageDown.Store(false)
	waitForCircuit(t, b.router, "vonage", "half-open")
	result, err = b.router.Send(ctx, reminder())
	if err != nil || outcomes(result.Tried) != "vonage:sent" {
		t.Fatalf("trial: err %v, tried %s", err, outcomes(result.Tried))
	}
	if state := b.router.CircuitState("vonage"); state != "closed" {
		t.Errorf("after a good trial the circuit is %s, want closed", state)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(changes, ","); got != "vonage:closed->open,vonage:open->half-open,vonage:half-open->closed" {
		t.Errorf("state changes = %s", got)
	}
}

func TestFailedTrialReopensTheCircuit(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *smsroute.Config) {
		c.BreakerFailures = 1
		c.BreakerPause = 50 * time.Millisecond
	})
	b.vonage.Script(vonageAnswers("5"))
	if _, err := b.router.Send(context.Background(), reminder()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	waitForCircuit(t, b.router, "vonage", "half-open")
	result, err := b.router.Send(context.Background(), reminder())
	if err != nil || outcomes(result.Tried) != "vonage:transient,twilio:sent" {
		t.Fatalf("trial: err %v, tried %s", err, outcomes(result.Tried))
	}
	if state := b.router.CircuitState("vonage"); state != "open" {
		t.Errorf("after a failed trial the circuit is %s, want open", state)
	}
}

func TestRefusalsDoNotOpenTheCircuit(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *smsroute.Config) { c.BreakerFailures = 2 })
	b.vonage.Script(func(req vonagetest.Request) vonagetest.Reply {
		return vonagetest.Reply{Status: req.Form.Get("text")}
	})
	for _, status := range []string{"7", "6", "33", "3", "3"} {
		msg := reminder()
		msg.Text = status
		_, _ = b.router.Send(context.Background(), msg)
	}
	if state := b.router.CircuitState("vonage"); state != "closed" {
		t.Errorf("circuit is %s after refusals from a working provider, want closed", state)
	}
}

func TestAllCircuitsOpen(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *smsroute.Config) { c.BreakerFailures = 1 })
	b.vonage.Script(vonageAnswers("5"))
	b.twilio.Close()
	if _, err := b.router.Send(context.Background(), reminder()); err == nil {
		t.Fatal("Send succeeded with both providers down")
	}
	_, err := b.router.Send(context.Background(), reminder())
	se := sendError(t, err)
	if se.Kind != herald.SendTransient || se.Provider != "sms" || outcomes(se.Tried) != "vonage:skipped,twilio:skipped" {
		t.Errorf("error = %v, tried %s", se, outcomes(se.Tried))
	}
}

func TestLocalRateLimitBeyondTheDeadlineIsThrottled(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *smsroute.Config) { c.Providers[0].RateLimit = 0.5 })
	if _, err := b.router.Send(context.Background(), reminder()); err != nil {
		t.Fatalf("first send: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := b.router.Send(ctx, reminder())
	se := sendError(t, err)
	if se.Kind != herald.SendThrottled || se.RetryAfter != 2*time.Second || len(b.vonage.Requests()) != 1 {
		t.Errorf("error = %+v, vonage requests %d; want throttled for 2s without a call", se, len(b.vonage.Requests()))
	}
}

func TestNewRefusesBadProviders(t *testing.T) {
	t.Parallel()
	sender := smsroute.Provider{Name: "vonage", Sender: &smsroute.Router{}}
	for name, cfg := range map[string]smsroute.Config{
		"none":          {},
		"unnamed":       {Providers: []smsroute.Provider{{Sender: sender.Sender}}},
		"twice":         {Providers: []smsroute.Provider{sender, sender}},
		"negative rate": {Providers: []smsroute.Provider{{Name: "x", Sender: sender.Sender, RateLimit: -1}}},
	} {
		if _, err := smsroute.New(cfg); err == nil || !strings.HasPrefix(err.Error(), "smsroute: ") {
			t.Errorf("%s: New error = %v", name, err)
		}
	}
}
