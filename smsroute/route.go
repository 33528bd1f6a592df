package smsroute

import (
	"context"
	"errors"
	"time"

	"github.com/sony/gobreaker/v2"

	"herald"
)

// route is one provider with its circuit breaker and pacer, both shared
// by every goroutine that sends through the Router.
type route struct {
	name    string
	sender  herald.Sender
	pacer   Pacer
	breaker *gobreaker.CircuitBreaker[herald.SendResult]
}

// errCircuitOpen marks a provider skipped because its circuit is open, or
// half-open with its one trial already running.
var errCircuitOpen = errors.New("circuit open after repeated failures")

// callerGaveUp wraps a failure that happened because the caller cancelled
// the context: it says nothing about the provider's health.
type callerGaveUp struct{ err error }

// Error returns the provider's error text.
func (e callerGaveUp) Error() string { return e.err.Error() }

// Unwrap returns the provider's error.
func (e callerGaveUp) Unwrap() error { return e.err }

func newRoute(p Provider, cfg Config) *route {
	r := &route{name: p.Name, sender: p.Sender, pacer: cfg.Pacer}
	r.breaker = gobreaker.NewCircuitBreaker[herald.SendResult](gobreaker.Settings{
		Name:        p.Name,
		MaxRequests: 1,
		Timeout:     cfg.BreakerPause,
		ReadyToTrip: func(counts gobreaker.Counts) bool {
			return counts.ConsecutiveFailures >= cfg.BreakerFailures
		},
		// Only transient failures and unreadable answers speak of the
		// provider's health: a refused number or a bad request come back
		// from a working one.
		IsSuccessful: func(err error) bool {
			kind := herald.SendErrorKindOf(err)
			return err == nil || (kind != herald.SendTransient && kind != herald.SendUnknown)
		},
		IsExcluded: func(err error) bool {
			var gaveUp callerGaveUp
			return errors.As(err, &gaveUp) || herald.SendErrorKindOf(err) == herald.SendThrottled
		},
		OnStateChange: func(name string, from, to gobreaker.State) {
			if cfg.OnStateChange != nil {
				cfg.OnStateChange(name, from.String(), to.String())
			}
		},
	})
	return r
}

// send makes one call through the breaker, first taking a slot of the
// pacer unless the caller holds one.
func (r *route) send(ctx context.Context, msg *herald.Message, held bool, turn herald.SendTurn, throttleWait time.Duration) (herald.SendResult, error) {
	if r.breaker.State() == gobreaker.StateOpen {
		return herald.SendResult{}, errCircuitOpen
	}
	if !held {
		if err := r.pacer.Take(ctx, r.name, turn); err != nil {
			var se *herald.SendError
			if errors.As(err, &se) {
				return herald.SendResult{}, se
			}
			return herald.SendResult{}, &herald.SendError{
				Provider: r.name, Kind: herald.SendThrottled, RetryAfter: throttleWait,
				Message: "over Herald's own rate limit for this provider: " + err.Error(),
			}
		}
	}
	result, err := r.breaker.Execute(func() (herald.SendResult, error) {
		result, err := r.sender.Send(ctx, msg)
		if err != nil && errors.Is(ctx.Err(), context.Canceled) {
			return result, callerGaveUp{err}
		}
		return result, err
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return herald.SendResult{}, errCircuitOpen
	}
	var gaveUp callerGaveUp
	if errors.As(err, &gaveUp) {
		err = gaveUp.err
	}
	if listener, ok := r.pacer.(ThrottleListener); ok && herald.SendErrorKindOf(err) == herald.SendThrottled {
		// The provider's own wait when it names one; otherwise a short
		// pause, since the throttled call already waits ThrottleWait and a
		// long pause would leave the account idle.
		wait := throttlePause
		var se *herald.SendError
		if errors.As(err, &se) && se.RetryAfter > 0 {
			wait = se.RetryAfter
		}
		listener.Throttled(r.name, wait)
	}
	return result, err
}

// throttlePause is how long a throttled answer that names no wait stops
// the account's pace.
const throttlePause = 250 * time.Millisecond

// ThrottleListener is a Pacer that hears of throttled answers, to slow
// the account's pace for every process that shares it.
type ThrottleListener interface {
	Throttled(provider string, wait time.Duration)
}

// asSendError returns err as a *herald.SendError of this provider; an
// unclassified error counts as transient, as herald.Sender says.
func (r *route) asSendError(err error) *herald.SendError {
	var se *herald.SendError
	if errors.As(err, &se) {
		return se
	}
	return &herald.SendError{Provider: r.name, Kind: herald.SendTransient, Message: err.Error()}
}

// sleepContext waits d, or less if ctx ends first.
func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
