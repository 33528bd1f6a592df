package schedule

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
)

// EngineConfig tunes the job engine for reminders.
type EngineConfig struct {
	// ClientID names this process to the job engine, which records it on
	// the jobs the process fetches, so that another process can take them
	// over if this one stops heartbeating. Defaults to one the engine
	// makes up.
	ClientID string
	// PollInterval is the longest a due reminder waits to be noticed
	// (REMINDER_POLL_INTERVAL). Defaults to 250 ms.
	PollInterval time.Duration
	// MaxWorkers is how many reminders one process works at once
	// (WorkersFor, bounded by REMINDER_BATCH_SIZE). Defaults to 50.
	MaxWorkers int
	// JobTimeout bounds one job; it must exceed the send timeout. Defaults
	// to 30 s.
	JobTimeout time.Duration
	// RescueAfter is when a job left running by a dead process is taken up
	// again. Defaults to JobTimeout plus 5 s. The engine looks for such
	// jobs every 30 s, so a reminder claimed by a killed process is taken
	// up RescueAfter to RescueAfter + 30 s after the kill.
	RescueAfter time.Duration
	Logger      *slog.Logger
	// Queues are further queues the client works beside reminders', each
	// with its own workers, and AddWorkers registers their workers.
	Queues     map[string]river.QueueConfig
	AddWorkers func(*river.Workers) error
}

// NewWorkerClient returns a River client that plans reminder jobs and
// works them with w.
func NewWorkerClient(driver riverdriver.Driver[*sql.Tx], w *ReminderWorker, cfg EngineConfig) (*river.Client[*sql.Tx], error) {
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 250 * time.Millisecond
	}
	if cfg.MaxWorkers <= 0 {
		cfg.MaxWorkers = 50
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = 30 * time.Second
	}
	if cfg.RescueAfter <= cfg.JobTimeout {
		cfg.RescueAfter = cfg.JobTimeout + 5*time.Second
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, w); err != nil {
		return nil, fmt.Errorf("job engine: %w", err)
	}
	queues := map[string]river.QueueConfig{QueueReminders: {MaxWorkers: cfg.MaxWorkers}}
	for name, q := range cfg.Queues {
		queues[name] = q
	}
	if cfg.AddWorkers != nil {
		if err := cfg.AddWorkers(workers); err != nil {
			return nil, fmt.Errorf("job engine: %w", err)
		}
	}
	client, err := river.NewClient(driver, &river.Config{
		ID:                   cfg.ClientID,
		Queues:               queues,
		Workers:              workers,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        FetchCooldown(cfg.PollInterval),
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		// Herald's reminders and audit tables are the record; finished
		// jobs need not be kept long.
		CompletedJobRetentionPeriod: time.Hour,
		CancelledJobRetentionPeriod: time.Hour,
		DiscardedJobRetentionPeriod: 7 * 24 * time.Hour,
		Logger:                      cfg.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("job engine: %w", err)
	}
	return client, nil
}

// FetchCooldown is the least time between two fetches of a busy queue:
// a tenth of the poll interval, from 1 ms to 100 ms, which lets a burst
// drain quickly without hammering the database when idle. (A fixed 10 ms
// at the default poll of 250 ms drained a burst of 10,000 no faster.)
func FetchCooldown(poll time.Duration) time.Duration {
	return min(max(poll/10, time.Millisecond), 100*time.Millisecond)
}

// Engine is the job engine that works reminder jobs (and the further
// queues of its config), with what starting and stopping it takes.
type Engine struct {
	client  *river.Client[*sql.Tx]
	prepare func(context.Context) error
	logger  *slog.Logger
}

// NewEngine returns the engine on driver that works reminder jobs with w,
// its config's defaults filled in and checked. prepare, when not nil, runs
// at each Start before any job (a database one process owns clears what a
// killed process left).
func NewEngine(driver riverdriver.Driver[*sql.Tx], w *ReminderWorker, cfg EngineConfig, prepare func(context.Context) error) (*Engine, error) {
	if w == nil || w.Deliverer == nil {
		return nil, errors.New("job engine: a reminder worker with its deliverer is required")
	}
	client, err := NewWorkerClient(driver, w, cfg)
	if err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Engine{client: client, prepare: prepare, logger: logger}, nil
}

// Client is the engine's client, for inserting jobs in Herald's own
// transactions.
func (e *Engine) Client() *river.Client[*sql.Tx] { return e.client }

// Start starts working jobs. The end of ctx does not stop them: the
// engine would cancel the sends in flight with it (a SIGTERM would cut
// provider calls short), where Stop lets them finish.
func (e *Engine) Start(ctx context.Context) error {
	if e.prepare != nil {
		if err := e.prepare(ctx); err != nil {
			return err
		}
	}
	if err := e.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start job engine: %w", err)
	}
	return nil
}

// Stop lets the jobs in flight finish until ctx ends, then cancels what is
// left (within 5 s more). A provider call cut short is left as a crash
// would leave it: its reminder ends unknown, never sent again.
func (e *Engine) Stop(ctx context.Context) {
	if err := e.client.Stop(ctx); err != nil {
		e.logger.Warn("Job engine did not stop in time; cancelling jobs in flight", "error", err)
		cancelCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = e.client.StopAndCancel(cancelCtx)
	}
}
