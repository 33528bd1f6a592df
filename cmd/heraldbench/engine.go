package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"herald/schedule"
)

// engineResult is what the job engine alone did with a burst of no-op
// jobs: the ceiling Herald's own work is measured against.
type engineResult struct {
	Jobs     int
	Drain    time.Duration
	Lateness spread
}

// throughput is jobs started per second from their due time to the last
// start.
func (e engineResult) throughput() float64 {
	if e.Drain <= 0 {
		return 0
	}
	return float64(e.Jobs) / e.Drain.Seconds()
}

// noopArgs are the arguments of the baseline's jobs.
type noopArgs struct {
	N int `json:"n"`
}

// Kind implements river.JobArgs.
func (noopArgs) Kind() string { return "heraldbench_noop" }

// engineBaseline runs the job engine in this process on a fresh database
// of kind, with the queue settings Herald runs with (poll interval, fetch
// cooldown, workers), and times a burst of n no-op jobs scheduled for one
// instant dueLead ahead, so they go through the same promotion as
// reminders.
func engineBaseline(ctx context.Context, opts *options, kind string) (engineResult, error) {
	fresh, err := newFreshDB(ctx, kind, opts.workDir, opts.postgresURL, "engine")
	if err != nil {
		return engineResult{}, err
	}
	defer fresh.drop()
	db, err := fresh.open(ctx)
	if err != nil {
		return engineResult{}, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return engineResult{}, err
	}
	n := opts.burst
	var mu sync.Mutex
	started := make([]time.Time, 0, n)
	allStarted := make(chan struct{})
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[noopArgs]) error {
		mu.Lock()
		started = append(started, time.Now())
		if len(started) == n {
			close(allStarted)
		}
		mu.Unlock()
		return nil
	}))
	const queue = "heraldbench"
	client, err := river.NewClient(db.RiverDriver(), &river.Config{
		Queues:            map[string]river.QueueConfig{queue: {MaxWorkers: opts.batchSize}},
		Workers:           workers,
		FetchPollInterval: opts.pollInterval,
		FetchCooldown:     schedule.FetchCooldown(opts.pollInterval),
		Logger:            slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return engineResult{}, fmt.Errorf("engine baseline: %w", err)
	}
	due := time.Now().Add(dueLead + time.Duration(n)*seedTimePerRow).Truncate(time.Millisecond)
	params := make([]river.InsertManyParams, n)
	for i := range params {
		params[i] = river.InsertManyParams{Args: noopArgs{N: i}, InsertOpts: &river.InsertOpts{Queue: queue, ScheduledAt: due}}
	}
	for lo := 0; lo < n; lo += 5000 {
		if _, err := client.InsertManyFast(ctx, params[lo:min(lo+5000, n)]); err != nil {
			return engineResult{}, fmt.Errorf("engine baseline: insert: %w", err)
		}
	}
	if err := client.Start(ctx); err != nil {
		return engineResult{}, fmt.Errorf("engine baseline: %w", err)
	}
	select {
	case <-allStarted:
	case <-time.After(time.Until(due) + time.Minute + time.Duration(n)*time.Millisecond):
	case <-ctx.Done():
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = client.Stop(stopCtx)

	mu.Lock()
	defer mu.Unlock()
	if len(started) < n {
		return engineResult{}, fmt.Errorf("engine baseline: only %d of %d jobs ran", len(started), n)
	}
	lateness := make([]time.Duration, len(started))
	var last time.Time
	for i, at := range started {
		lateness[i] = at.Sub(due)
		last = later(last, at)
	}
	return engineResult{Jobs: n, Drain: last.Sub(due), Lateness: spreadOf(lateness)}, nil
}
