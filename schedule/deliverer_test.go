package schedule_test

import (
	"testing"

	"herald/schedule"
)

// A Deliverer built with nothing set still has a send timeout, a logger,
// a clock and the original system's retry policy.
func TestNewDelivererFillsDefaults(t *testing.T) {
	t.Parallel()
	d := schedule.NewDeliverer(schedule.Deliverer{})
	if d.SendTimeout != schedule.DefaultSendTimeout || d.Logger == nil || d.Clock == nil ||
		d.Retry.InitialDelay != schedule.DefaultRetryDelay || d.Retry.Multiplier != schedule.DefaultRetryMultiplier ||
		d.OutcomeRetryFor <= 0 {
		t.Fatalf("defaults not filled: %+v", d)
	}
}
