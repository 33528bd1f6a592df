package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// bookingResult is what booking N meetings through the API measured.
type bookingResult struct {
	Meetings    int
	Concurrency int
	Elapsed     time.Duration
	Latency     spread
	// CPU is what herald and the database used while booking; the
	// client's own is not in it.
	CPU cpuUse
}

// perSecond is the booking throughput.
func (b bookingResult) perSecond() float64 {
	if b.Elapsed <= 0 {
		return 0
	}
	return float64(b.Meetings) / b.Elapsed.Seconds()
}

// bookingLeads is how many leads the bookings are spread over.
const bookingLeads = 64

// makeLeads creates n leads with distinct phone numbers, before any timing
// starts.
func makeLeads(ctx context.Context, api *apiClient, n int) ([]string, error) {
	leads := make([]string, n)
	for i := range leads {
		id, err := api.createLead(ctx, fmt.Sprintf("Lead %d", i), fmt.Sprintf("+1415555%04d", i))
		if err != nil {
			return nil, err
		}
		leads[i] = id
	}
	return leads, nil
}

// runBooking books n meetings from concurrency callers at once, each
// waiting for its answer before sending the next, and times every call.
// The meetings start firstStart and later, one second apart, so each plans
// the tenant's three reminders (24 h, 1 h, 10 min ahead) and their jobs,
// all far enough ahead that none is sent during the benchmark.
func runBooking(ctx context.Context, api *apiClient, leads []string, n, concurrency int, firstStart time.Time) (bookingResult, error) {
	var next atomic.Int64
	var failure atomic.Pointer[error]
	latencies := make([][]time.Duration, concurrency)
	var wg sync.WaitGroup
	began := time.Now()
	for c := range concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i > n || failure.Load() != nil {
					return
				}
				start := time.Now()
				err := api.bookMeeting(ctx, leads[i%len(leads)], fmt.Sprintf("Demo %d", i),
					firstStart.Add(time.Duration(i)*time.Second))
				latencies[c] = append(latencies[c], time.Since(start))
				if err != nil {
					failure.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	if err := failure.Load(); err != nil {
		return bookingResult{}, fmt.Errorf("booking: %w", *err)
	}
	var all []time.Duration
	for _, l := range latencies {
		all = append(all, l...)
	}
	return bookingResult{Meetings: n, Concurrency: concurrency, Elapsed: elapsed, Latency: spreadOf(all)}, nil
}
