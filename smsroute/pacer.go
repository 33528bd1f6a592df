package smsroute

import (
	"context"
	"time"

	"golang.org/x/time/rate"

	"herald"
)

// Pacer hands out the send slots of each provider: Herald calls a provider
// only with a slot held, and writes a reminder's attempt only once the
// slot of its first call is held. It is the seam where a pace shared by
// several processes plugs in; the Router's default is a LocalPacer built
// from the providers' RateLimit.
type Pacer interface {
	// TryTake takes a slot of provider if one is free now. It must neither
	// block nor do I/O: it may be called inside a database transaction.
	TryTake(provider string) bool
	// Take waits until a slot of provider is free and takes it, or returns
	// ctx's error. turn tells how urgent the waiting message is. When the
	// wait would outlast ctx's deadline it may return at once a
	// *herald.SendError of kind SendThrottled whose RetryAfter says when a
	// slot is expected.
	Take(ctx context.Context, provider string, turn herald.SendTurn) error
}

// LocalPacer paces each provider within this process with a token bucket
// of burst one: never more than the limit in any one-second window, which
// is how Vonage counts its requests per second. A provider without a limit
// always has a slot.
type LocalPacer struct {
	limiters map[string]*rate.Limiter
}

// NewLocalPacer returns a LocalPacer with a limit in sends per second per
// provider name; 0 or a missing name means no limit.
func NewLocalPacer(limits map[string]float64) *LocalPacer {
	p := &LocalPacer{limiters: map[string]*rate.Limiter{}}
	for name, limit := range limits {
		if limit > 0 {
			p.limiters[name] = rate.NewLimiter(rate.Limit(limit), 1)
		}
	}
	return p
}

// TryTake implements Pacer.
func (p *LocalPacer) TryTake(provider string) bool {
	lim := p.limiters[provider]
	return lim == nil || lim.Allow()
}

// Take implements Pacer. Slots are served in the order they are asked for.
func (p *LocalPacer) Take(ctx context.Context, provider string, _ herald.SendTurn) error {
	lim := p.limiters[provider]
	if lim == nil {
		return ctx.Err()
	}
	res := lim.Reserve()
	delay := res.Delay()
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
		res.Cancel()
		return &herald.SendError{Provider: provider, Kind: herald.SendThrottled,
			Message:    "over Herald's own rate limit for this provider",
			RetryAfter: max(delay, time.Duration(float64(time.Second)/float64(lim.Limit()))),
		}
	}
	if delay == 0 {
		return nil
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		res.Cancel()
		return ctx.Err()
	}
}
