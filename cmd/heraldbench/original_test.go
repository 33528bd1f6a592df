package main

import (
	"testing"
	"time"
)

// TestSimulateFollowsTheScanSchedule works out a burst of 120 by hand:
// scans at 15 s, 46 s and 77 s (each after the previous batch's 50 sends
// of 20 ms and a 30 s sleep) take 50, 50 and 20.
func TestSimulateFollowsTheScanSchedule(t *testing.T) {
	o := originalDesign{Poll: 30 * time.Second, Batch: 50, Phase: 15 * time.Second}
	send := 20 * time.Millisecond
	got := o.simulate(evenlyDue(120, 0), send)
	wantDrain := 77*time.Second + 19*send
	if got.Drain != wantDrain || got.Lateness.N != 120 || got.Lateness.Max != wantDrain {
		t.Fatalf("burst of 120: drain %v, lateness %+v; want drain and max %v", got.Drain, got.Lateness, wantDrain)
	}
	if got.Lateness.P50 != 46*time.Second+9*send {
		t.Errorf("median lateness %v, want the 60th hand-over, 46.18 s", got.Lateness.P50)
	}
	if rate := o.throughput(send); rate < 1.61 || rate > 1.62 {
		t.Errorf("throughput %.3f/s, want 50 per 31 s", rate)
	}
}

// TestSimulateBelowCapacity keeps every reminder within one poll of its
// due time when fewer are due than a scan takes.
func TestSimulateBelowCapacity(t *testing.T) {
	o := originalDesign{Poll: 30 * time.Second, Batch: 50, Phase: 15 * time.Second}
	got := o.simulate(evenlyDue(100, 1), 20*time.Millisecond)
	if got.Lateness.N != 100 || got.Lateness.Max > 31*time.Second || got.Lateness.P50 < 10*time.Second {
		t.Fatalf("1/s for 100 s: lateness %+v, want up to about one poll, 15 s in the middle", got.Lateness)
	}
}

// TestSpreadUsesNearestRank checks the percentiles of 1 … 100 ms.
func TestSpreadUsesNearestRank(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	s := spreadOf(ds)
	if s.N != 100 || s.P50 != 50*time.Millisecond || s.P99 != 99*time.Millisecond || s.Max != 100*time.Millisecond {
		t.Fatalf("spread of 1…100 ms = %+v", s)
	}
	if (spreadOf(nil) != spread{}) || spreadOf(nil).String() != "–" {
		t.Error("an empty set is not the zero spread")
	}
}
