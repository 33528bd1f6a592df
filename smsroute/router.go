// Package smsroute sends an SMS through an ordered list of providers: it
// fails over to the next provider within the same call when one has an
// outage, waits on a provider that throttles, paces each provider with a
// rate limiter and pauses a failing one with a circuit breaker.
//
// Build one Router per process: its limiters and breakers are what every
// goroutine of the process shares.
package smsroute

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/sony/gobreaker/v2"

	"herald"
)

// Name is the provider name of errors that no single provider caused.
const Name = "sms"

// Provider is one SMS provider in the route.
type Provider struct {
	// Name identifies the provider in results, errors and audit details.
	Name   string
	Sender herald.Sender
	// RateLimit is the most calls per second Herald makes to this provider
	// from this process; 0 means no limit. It builds the default Pacer and
	// is ignored when Config.Pacer is set.
	RateLimit float64
}

// Config configures a Router.
type Config struct {
	// Providers are tried in this order. At least one is required.
	Providers []Provider
	// BreakerFailures is the number of consecutive transient failures that
	// open a provider's circuit. Defaults to 5.
	BreakerFailures uint32
	// BreakerPause is how long an open circuit skips its provider before
	// letting one trial send through. Defaults to 30 seconds.
	BreakerPause time.Duration
	// ThrottleWait is how long to wait on a throttled provider that did not
	// say how long. Defaults to 1 second.
	ThrottleWait time.Duration
	// MaxThrottleWaits is how many times one Send waits on a throttled
	// provider before giving SendThrottled back to the caller. Defaults
	// to 3.
	MaxThrottleWaits int
	// MaxThrottleDelay is the longest single wait; a provider that asks for
	// more gets SendThrottled back at once. Defaults to 30 seconds.
	MaxThrottleDelay time.Duration
	// Sleep waits d or until ctx ends. Defaults to a timer; tests replace
	// it to see the waits without spending them.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnStateChange, if set, hears every circuit change ("closed", "open",
	// "half-open"), for logs and metrics.
	OnStateChange func(provider, from, to string)
	// Pacer hands out the providers' send slots. Defaults to a LocalPacer
	// with each provider's RateLimit.
	Pacer Pacer
	// Replaces, when set, is the Router this one takes over from: a
	// provider listed in both with the same Sender keeps its circuit
	// breaker, so that a change to another provider does not forget its
	// failures.
	Replaces *Router
}

// Router is a herald.Sender over several SMS providers. It is safe for
// concurrent use.
type Router struct {
	cfg    Config
	routes []*route
}

var _ herald.PacedSender = (*Router)(nil)

// New checks cfg, fills in its defaults and returns a Router.
func New(cfg Config) (*Router, error) {
	if len(cfg.Providers) == 0 {
		return nil, errors.New("smsroute: no SMS provider configured")
	}
	if cfg.BreakerFailures == 0 {
		cfg.BreakerFailures = 5
	}
	if cfg.BreakerPause <= 0 {
		cfg.BreakerPause = 30 * time.Second
	}
	if cfg.ThrottleWait <= 0 {
		cfg.ThrottleWait = time.Second
	}
	if cfg.MaxThrottleWaits <= 0 {
		cfg.MaxThrottleWaits = 3
	}
	if cfg.MaxThrottleDelay <= 0 {
		cfg.MaxThrottleDelay = 30 * time.Second
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepContext
	}
	limits := map[string]float64{}
	for _, p := range cfg.Providers {
		_, seen := limits[p.Name]
		switch {
		case p.Name == "" || p.Sender == nil:
			return nil, errors.New("smsroute: every provider needs a name and a sender")
		case seen:
			return nil, fmt.Errorf("smsroute: provider %q listed twice", p.Name)
		case p.RateLimit < 0:
			return nil, fmt.Errorf("smsroute: provider %q has a negative rate limit", p.Name)
		}
		limits[p.Name] = p.RateLimit
	}
	if cfg.Pacer == nil {
		cfg.Pacer = NewLocalPacer(limits)
	}
	router := &Router{cfg: cfg}
	for _, p := range cfg.Providers {
		rt := newRoute(p, cfg)
		if kept := cfg.Replaces.routeOf(p); kept != nil {
			rt.breaker = kept.breaker
		}
		router.routes = append(router.routes, rt)
	}
	router.cfg.Replaces = nil // not kept alive by its successor
	return router, nil
}

// routeOf returns r's route of p when r has one with p's name and the
// very same Sender; nil otherwise, or when r is nil.
func (r *Router) routeOf(p Provider) *route {
	if r == nil {
		return nil
	}
	for _, rt := range r.routes {
		if rt.name == p.Name && sameSender(rt.sender, p.Sender) {
			return rt
		}
	}
	return nil
}

// sameSender reports whether a and b are the same pointer: other values
// may not be comparable, and a copy is not the same client.
func sameSender(a, b herald.Sender) bool {
	t := reflect.TypeOf(a)
	return t != nil && t == reflect.TypeOf(b) && t.Kind() == reflect.Pointer && a == b
}

// Providers returns the provider names in the order they are tried.
func (r *Router) Providers() []string {
	names := make([]string, len(r.routes))
	for i, rt := range r.routes {
		names[i] = rt.name
	}
	return names
}

// CircuitState returns "closed", "open" or "half-open" for a provider, or
// "" for a name the Router does not know.
func (r *Router) CircuitState(provider string) string {
	for _, rt := range r.routes {
		if rt.name == provider {
			return rt.breaker.State().String()
		}
	}
	return ""
}

// Send tries the providers in order. A provider that fails transiently, or
// refuses the message for a reason of its own (credentials, sender, account,
// request), hands over to the next one; a refusal of the number
// (SendPermanentRecipient) ends the call, as no SMS provider can help, and
// so does an answer that cannot be read (SendUnknown), as the message may
// have gone. Each provider gets an equal share of the time ctx has left
// among those still to be tried. A
// throttled provider is waited for, then tried again, within the limits of
// Config and ctx; past them Send returns SendThrottled with RetryAfter and
// does not fail over. Every call made is listed in Tried.
func (r *Router) Send(ctx context.Context, msg *herald.Message) (herald.SendResult, error) {
	return r.SendHeld(ctx, herald.SendSlot{}, msg)
}

// HoldSlot implements herald.PacedSender: it takes a slot of the first
// provider whose circuit is not open, the one a send would call first.
// When every circuit is open no slot is needed: the send fails at once.
func (r *Router) HoldSlot(ctx context.Context, turn herald.SendTurn, wait bool) (herald.SendSlot, bool, error) {
	var first *route
	for _, rt := range r.routes {
		if rt.breaker.State() != gobreaker.StateOpen {
			first = rt
			break
		}
	}
	if first == nil {
		return herald.SendSlot{Turn: turn}, true, nil
	}
	slot := herald.SendSlot{Provider: first.name, Turn: turn}
	if !wait {
		return slot, r.cfg.Pacer.TryTake(first.name), nil
	}
	if err := r.cfg.Pacer.Take(ctx, first.name, turn); err != nil {
		return herald.SendSlot{}, false, err
	}
	return slot, true, nil
}

// SendHeld implements herald.PacedSender: Send, with the first call to
// slot's provider made on the slot the caller holds.
func (r *Router) SendHeld(ctx context.Context, slot herald.SendSlot, msg *herald.Message) (herald.SendResult, error) {
	var tried []herald.ProviderCall
	var lastErr, lastTransient *herald.SendError
	held := slot.Provider
	for i, rt := range r.routes {
		callCtx, cancel := r.shareOf(ctx, i)
		result, err := r.sendWithWaits(callCtx, rt, msg, held == rt.name, slot.Turn, &tried)
		cancel()
		held = ""
		if err == nil {
			result.Tried = tried
			return result, nil
		}
		if errors.Is(err, errCircuitOpen) {
			continue
		}
		se := rt.asSendError(err)
		switch se.Kind {
		case herald.SendPermanentRecipient, herald.SendThrottled, herald.SendUnknown:
			return herald.SendResult{}, withTried(se, tried)
		case herald.SendTransient:
			lastTransient = se
		}
		lastErr = se
		if ctx.Err() != nil {
			break
		}
	}
	switch {
	case lastTransient != nil:
		// Some provider may work later: worth a retry.
		return herald.SendResult{}, withTried(lastTransient, tried)
	case lastErr != nil:
		return herald.SendResult{}, withTried(lastErr, tried)
	}
	return herald.SendResult{}, &herald.SendError{
		Provider: Name, Kind: herald.SendTransient, Tried: tried,
		Message: "every SMS provider is paused after repeated failures",
	}
}

// shareOf returns the context of the call to the i-th provider: an equal
// share of the time ctx has left among the providers still to be tried,
// so that a provider that hangs leaves time to fail over. The last one
// gets all that is left.
func (r *Router) shareOf(ctx context.Context, i int) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return ctx, func() {}
	}
	n := 1
	for _, rt := range r.routes[i+1:] {
		if rt.breaker.State() != gobreaker.StateOpen {
			n++
		}
	}
	if n == 1 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, time.Until(deadline)/time.Duration(n))
}

// sendWithWaits calls one provider, waiting and calling again while it
// throttles, and records each call in tried.
func (r *Router) sendWithWaits(ctx context.Context, rt *route, msg *herald.Message, held bool, turn herald.SendTurn, tried *[]herald.ProviderCall) (herald.SendResult, error) {
	for waits := 0; ; waits++ {
		result, err := rt.send(ctx, msg, held && waits == 0, turn, r.cfg.ThrottleWait)
		if err == nil {
			if result.Provider == "" {
				result.Provider = rt.name
			}
			*tried = append(*tried, herald.ProviderCall{Provider: rt.name, Outcome: herald.OutcomeSent, MessageID: result.MessageID})
			return result, nil
		}
		if errors.Is(err, errCircuitOpen) {
			*tried = append(*tried, herald.ProviderCall{Provider: rt.name, Outcome: herald.OutcomeSkipped, Error: err.Error()})
			return result, err
		}
		se := rt.asSendError(err)
		*tried = append(*tried, herald.ProviderCall{Provider: rt.name, Outcome: se.Kind.Outcome(), Error: se.Error()})
		if se.Kind != herald.SendThrottled {
			return result, se
		}
		wait := se.RetryAfter
		if wait <= 0 {
			wait = r.cfg.ThrottleWait
		}
		deadline, hasDeadline := ctx.Deadline()
		if waits >= r.cfg.MaxThrottleWaits || wait > r.cfg.MaxThrottleDelay ||
			(hasDeadline && time.Until(deadline) < wait) {
			return result, throttledFor(se, wait)
		}
		if err := r.cfg.Sleep(ctx, wait); err != nil {
			return result, throttledFor(se, wait)
		}
	}
}

// throttledFor returns a copy of se that tells the caller how long to wait.
func throttledFor(se *herald.SendError, wait time.Duration) *herald.SendError {
	out := *se
	out.RetryAfter = wait
	return &out
}

// withTried returns a copy of se carrying the calls made.
func withTried(se *herald.SendError, tried []herald.ProviderCall) *herald.SendError {
	out := *se
	out.Tried = tried
	return &out
}
