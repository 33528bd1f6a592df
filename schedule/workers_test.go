package schedule_test

import (
	"testing"
	"time"

	"herald/schedule"
)

func TestWorkersFollowThePaceAndStayWithinTheBound(t *testing.T) {
	cases := []struct {
		name  string
		c     schedule.Capacity
		upper int
		want  int
	}{
		{"a channel without pace takes the default bound", schedule.Capacity{PerSecond: 30, Unpaced: true}, 0, schedule.DefaultMaxWorkers},
		{"a channel without pace takes the operator's bound", schedule.Capacity{Unpaced: true}, 2000, 2000},
		{"Vonage's default pace alone: 30/s for 11 s", schedule.Capacity{PerSecond: 30}, 0, 330},
		{"two paced accounts add up", schedule.Capacity{PerSecond: 30 + 10}, 0, 440},
		{"a slow pace still gets the floor", schedule.Capacity{PerSecond: 1}, 0, 50},
		{"the operator's bound caps a fast pace", schedule.Capacity{PerSecond: 500}, 400, 400},
		{"the operator's bound caps the floor too", schedule.Capacity{PerSecond: 1}, 10, 10},
		{"a pace beyond the default bound", schedule.Capacity{PerSecond: 1e6}, 0, schedule.DefaultMaxWorkers},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := schedule.WorkersFor(tc.c, 10*time.Second, tc.upper); got != tc.want {
				t.Errorf("WorkersFor(%+v, 10s, %d) = %d, want %d", tc.c, tc.upper, got, tc.want)
			}
		})
	}
}
