package twilio

import (
	"strconv"
	"time"

	"herald"
)

// Twilio keeps a message in its queue for ValidityPeriod seconds, 1 to
// 36,000 (the default), and drops it when that runs out, reporting error
// ErrorValidityExpired in the status callback.
const (
	minValidity = 1
	maxValidity = 36000
)

// ErrorValidityExpired is the error code of a message Twilio dropped
// because its validity period ran out before it could be handed on.
const ErrorValidityExpired = "30036"

// validityPeriod returns the ValidityPeriod that makes Twilio drop a
// message rather than deliver it after notAfter (the meeting's start),
// and false when Twilio's default already ends sooner or there is no
// deadline. A deadline already past asks for the shortest period: the
// caller decided to send, and Twilio will not hold it.
func validityPeriod(notAfter, now time.Time) (string, bool) {
	if notAfter.IsZero() {
		return "", false
	}
	secs := int(notAfter.Sub(now) / time.Second)
	if secs >= maxValidity {
		return "", false
	}
	return strconv.Itoa(max(secs, minValidity)), true
}

// fromFor is the sender of msg: the tenant's own number when it has one,
// else the configured one.
func (c *Client) fromFor(msg *herald.Message) string {
	if msg.From != "" {
		return msg.From
	}
	return c.from
}
