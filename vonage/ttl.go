package vonage

import (
	"strconv"
	"time"
)

// Vonage keeps trying to deliver a message for its ttl, in milliseconds
// from 20,000 to 604,800,000, 72 hours when none is given, and reports
// status "expired" in the delivery receipt when that runs out.
const (
	minTTL     = 20 * time.Second
	defaultTTL = 72 * time.Hour
)

// ttlFor returns the ttl that makes Vonage give up on a message rather
// than deliver it after notAfter (the meeting's start), and false when
// Vonage's default already ends sooner or there is no deadline. A
// deadline closer than the least ttl asks for that least: the caller
// decided to send.
func ttlFor(notAfter, now time.Time) (string, bool) {
	if notAfter.IsZero() {
		return "", false
	}
	left := notAfter.Sub(now)
	if left >= defaultTTL {
		return "", false
	}
	return strconv.FormatInt(max(left, minTTL).Milliseconds(), 10), true
}
