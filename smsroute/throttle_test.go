package smsroute_test

import (
	"context"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"herald"
	"herald/smsroute"
	"herald/twilio/twiliotest"
	"herald/vonage/vonagetest"
)

func TestThrottledProviderIsWaitedFor(t *testing.T) {
	t.Parallel()
	t.Run("vonage status 1 waits the default", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		var calls atomic.Int32
		b.vonage.Script(func(vonagetest.Request) vonagetest.Reply {
			if calls.Add(1) == 1 {
				return vonagetest.Reply{Status: "1"}
			}
			return vonagetest.Reply{}
		})
		result, err := b.router.Send(context.Background(), reminder())
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		if outcomes(result.Tried) != "vonage:throttled,vonage:sent" || len(b.twilio.Requests()) != 0 {
			t.Errorf("tried %s, twilio requests %d; want Vonage again, not Twilio", outcomes(result.Tried), len(b.twilio.Requests()))
		}
		if got := b.recordedWaits(); !slices.Equal(got, []time.Duration{time.Second}) {
			t.Errorf("waits = %v, want [1s]", got)
		}
	})
	t.Run("twilio Retry-After is honoured", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		b.vonage.Script(vonageAnswers("5"))
		var calls atomic.Int32
		b.twilio.Script(func(twiliotest.Request) twiliotest.Reply {
			if calls.Add(1) == 1 {
				return twiliotest.Reply{Code: 20429, RetryAfter: "2"}
			}
			return twiliotest.Reply{}
		})
		result, err := b.router.Send(context.Background(), reminder())
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		if outcomes(result.Tried) != "vonage:transient,twilio:throttled,twilio:sent" {
			t.Errorf("tried %s", outcomes(result.Tried))
		}
		if got := b.recordedWaits(); !slices.Equal(got, []time.Duration{2 * time.Second}) {
			t.Errorf("waits = %v, want [2s]", got)
		}
	})
}

func TestThrottlingBeyondTheWaitsReturnsThrottled(t *testing.T) {
	t.Parallel()
	t.Run("too many waits", func(t *testing.T) {
		t.Parallel()
		b := setup(t, func(c *smsroute.Config) { c.MaxThrottleWaits = 2 })
		b.vonage.Script(vonageAnswers("1"))
		_, err := b.router.Send(context.Background(), reminder())
		se := sendError(t, err)
		if se.Kind != herald.SendThrottled || se.RetryAfter != time.Second {
			t.Errorf("error = %+v, want throttled with RetryAfter 1s", se)
		}
		if outcomes(se.Tried) != "vonage:throttled,vonage:throttled,vonage:throttled" || len(b.twilio.Requests()) != 0 {
			t.Errorf("tried %s", outcomes(se.Tried))
		}
	})
	t.Run("asked to wait longer than allowed", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		b.vonage.Script(func(vonagetest.Request) vonagetest.Reply {
			return vonagetest.Reply{HTTPStatus: 429, RetryAfter: "120"}
		})
		_, err := b.router.Send(context.Background(), reminder())
		se := sendError(t, err)
		if se.Kind != herald.SendThrottled || se.RetryAfter != 2*time.Minute || len(b.recordedWaits()) != 0 {
			t.Errorf("error = %+v, waits %v; want throttled for 2m without waiting", se, b.recordedWaits())
		}
	})
	t.Run("context ends before the wait would", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		b.vonage.Script(vonageAnswers("1"))
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		_, err := b.router.Send(ctx, reminder())
		if se := sendError(t, err); se.Kind != herald.SendThrottled || len(b.recordedWaits()) != 0 {
			t.Errorf("error = %+v, waits %v", se, b.recordedWaits())
		}
	})
}

// TestRateLimitHoldsUnder200ConcurrentSends sends from 200 goroutines at
// once through a provider limited to 100 per second, and counts the
// requests the fake saw in every half-second window. It does not run in
// parallel: it measures arrival times, which other tests' load on the two
// cores would blur.
func TestRateLimitHoldsUnder200ConcurrentSends(t *testing.T) {
	const limit, sends = 100, 200
	b := setup(t, func(c *smsroute.Config) { c.Providers[0].RateLimit = limit })

	start := time.Now()
	var wg sync.WaitGroup
	var failures atomic.Int32
	for range sends {
		wg.Go(func() {
			if _, err := b.router.Send(context.Background(), reminder()); err != nil {
				failures.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	if failures.Load() != 0 || len(b.twilio.Requests()) != 0 {
		t.Fatalf("%d sends failed, %d went to Twilio; want all through Vonage", failures.Load(), len(b.twilio.Requests()))
	}
	var times []time.Time
	for _, req := range b.vonage.Requests() {
		times = append(times, req.At)
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	const window = 500 * time.Millisecond
	busiest := 0
	for i := range times {
		n := sort.Search(len(times), func(j int) bool { return !times[j].Before(times[i].Add(window)) }) - i
		busiest = max(busiest, n)
	}
	t.Logf("busiest %v window: %d requests; all %d sent in %v", window, busiest, sends, elapsed)
	// 50 per half second, plus the burst of one and some scheduling slack.
	if busiest > limit/2+5 {
		t.Errorf("%d requests reached Vonage within %v, limit %d/s", busiest, window, limit)
	}
	// 200 sends at 100/s with a burst of one take about two seconds.
	if elapsed < 1800*time.Millisecond {
		t.Errorf("200 sends took %v, faster than the limit allows", elapsed)
	}
}

func TestUnlimitedProviderIsNotPaced(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	start := time.Now()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { _, _ = b.router.Send(context.Background(), reminder()) })
	}
	wg.Wait()
	if len(b.vonage.Accepted()) != 50 {
		t.Errorf("accepted %d of 50", len(b.vonage.Accepted()))
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("50 unlimited sends took %v", elapsed)
	}
}
