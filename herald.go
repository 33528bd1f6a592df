// Package herald holds Herald's domain: tenants, leads, meetings, the
// reminders planned for them, and the interfaces the adapters implement.
// It imports only the standard library.
package herald

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
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
// "mtg_" followed by 26 characters: the time in milliseconds, then 80
// random bits. The time first makes the rows written together neighbours
// in the database's indexes, so a commit writes a few index pages instead
// of one per row; the random bits keep identifiers unguessable. The
// characters are Crockford's base32 alphabet, whose order is ASCII's, so
// identifiers sort by the time they were made (within a millisecond, in
// no order).
func NewID(prefix string) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	rand.Read(b[6:])
	return prefix + idEncoding.EncodeToString(b[:])
}

// idEncoding writes identifiers: base32 in an alphabet sorted as ASCII is.
var idEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)
