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
