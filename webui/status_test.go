package webui

import (
	"fmt"
	"net"
	"net/http"
	"testing"

	"herald"
)

// A page whose database does not answer is a 503 the operator may retry,
// not a 500.
func TestStatusOfUnavailableDatabase(t *testing.T) {
	t.Parallel()
	away := fmt.Errorf("list leads: %w", &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("connection refused")})
	for err, want := range map[error]int{
		away:                                     http.StatusServiceUnavailable,
		fmt.Errorf("bug"):                        http.StatusInternalServerError,
		herald.Errorf(herald.ECodeNotFound, "x"): http.StatusNotFound,
	} {
		if got := statusOf(err); got != want {
			t.Errorf("statusOf(%v) = %d, want %d", err, got, want)
		}
	}
}

// Every status a page shows gets the colour of what it means, typed or
// not; one nobody listed is muted.
func TestStatusClasses(t *testing.T) {
	t.Parallel()
	class := funcs["statusClass"].(func(any) string)
	for v, want := range map[any]string{
		herald.ReminderSent: "good", herald.ReminderFailed: "bad", herald.ReminderUnknown: "bad",
		herald.ReminderPending: "wait", herald.ReminderSending: "wait", herald.ReminderCancelled: "muted",
		herald.ReminderSkipped: "muted", herald.ReminderExpired: "muted",
		herald.DeliveryDelivered: "good", herald.DeliveryUndelivered: "bad", herald.DeliveryAccepted: "wait",
		herald.DeliveryHeld:     "wait",
		herald.OutcomeTransient: "bad", herald.OutcomePermanentRecipient: "bad", herald.OutcomeThrottled: "wait",
		herald.OutcomeSkipped: "muted",
		"confirmed":           "good", "scheduled": "wait", "ok": "good",
		"closed": "good", "open": "bad", "half-open": "wait",
		"": "muted", "whatever": "muted",
	} {
		if got := class(v); got != want {
			t.Errorf("statusClass(%q) = %q, want %q", v, got, want)
		}
	}
}
