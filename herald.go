// Package herald holds Herald's domain: tenants, leads, meetings, the
// reminders planned for them, and the interfaces the adapters implement.
// It imports only the standard library.
package herald

import (
	"crypto/rand"
	"time"
)

// Clock tells the time. Every scheduling decision reads an injected Clock so
// tests can freeze and move time instead of sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// NewID returns a new unguessable identifier with the given prefix, such as
// "mtg_" followed by 26 base32 characters (130 random bits).
func NewID(prefix string) string {
	return prefix + rand.Text()
}
