// Package clocktest provides a clock that tests set and move by hand.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a herald.Clock frozen at a time until moved.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock frozen at t.
func New(t time.Time) *Clock { return &Clock{now: t.UTC()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
