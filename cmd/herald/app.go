package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"

	"herald"
	"herald/catalog"
	"herald/httpapi"
	"herald/outbound"
	"herald/providers"
	"herald/render"
	"herald/schedule"
	"herald/smsroute"
	"herald/sqlstore"
	"herald/tenantsms"
	"herald/webhook"
)

// App is Herald wired together: database, job engine, senders, store and
// HTTP server. Tests run it on port 0.
type App struct {
	cfg      Config
	logger   *slog.Logger
	db       *sqlstore.DB
	engine   *schedule.Engine
	store    *sqlstore.Store
	registry *prometheus.Registry
	ops      opsMetrics
	// stopBy is the shutdown deadline, set once (stopDeadline).
	stopOnce sync.Once
	stopBy   time.Time
	worker   *schedule.ReminderWorker
	// templates serves the API and the worker alike, so a tenant's
	// template is what its reminders are rendered with.
	templates *catalog.Catalog
	webhooks  *webhook.Handler
	// providers and smsRouter feed the dashboard's provider health.
	providers providers.Config
	smsRouter *smsroute.Router
	// pacer holds every provider account's pace, the operator's and the
	// tenants' own.
	pacer *smsroute.DeadlinePacer
	// events delivers events to the tenants' webhook endpoints.
	events *outbound.Deliverer
	guard  *outbound.Guard
	// noSender, when set, is why this process may not work reminders.
	noSender error
	// processID names this process in the job engine and the heartbeat
	// table; stopHeartbeat ends its heartbeat once the worker stopped.
	processID     string
	stopHeartbeat func()
	// workers is how many reminders this process works at once
	// (schedule.WorkersFor).
	workers int
	// accounts are the tenants' own provider accounts.
	accounts *tenantsms.Accounts
}

// openApp opens the database (migrating an embedded SQLite file, and
// checking that PostgreSQL has been migrated), builds the senders and the
// job engine's client, and the store on top.
func openApp(ctx context.Context, cfg Config, logger *slog.Logger) (*App, error) {
	provCfg, err := providers.FromEnv(cfg.ProviderSettings)
	if err != nil {
		return nil, err
	}
	db, err := sqlstore.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.claim != "" {
		// Before migrating: a second process must not touch the file.
		if err := db.ClaimSingleProcess(cfg.claim); err != nil {
			db.Close()
			return nil, err
		}
	}
	if n := cfg.DatabaseMaxConns; n > 0 && db.MaxConns() == 0 {
		db.SetMaxOpenConns(n)
		db.SetMaxIdleConns(n)
	}
	app := &App{cfg: cfg, logger: logger, db: db, registry: prometheus.NewRegistry()}
	if err := app.init(ctx, provCfg); err != nil {
		db.Close()
		return nil, err
	}
	return app, nil
}

func (a *App) init(ctx context.Context, provCfg providers.Config) error {
	var err error
	if a.db.SingleProcess() {
		err = a.db.Migrate(ctx)
	} else {
		err = a.db.CheckMigrated(ctx)
	}
	if err != nil {
		return err
	}
	a.registerOpsMetrics()
	a.pacer = a.newPacer(provCfg)
	senders, err := providers.Build(provCfg, smsroute.Config{Pacer: a.pacer})
	if err != nil {
		return err
	}
	a.providers, a.smsRouter = provCfg, senders.SMSRouter
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "herald_jobs_waiting",
			Help: "Reminder jobs that are due and not yet running."}, a.dueJobs))
	deliverer := schedule.NewDeliverer(schedule.Deliverer{
		SMS: senders.SMS, Email: senders.Email, SMSFrom: provCfg.SMSFrom(),
		Clock:        herald.SystemClock{},
		Logger:       a.logger,
		Metrics:      schedule.NewMetrics(a.registry),
		SendTimeout:  a.cfg.SendTimeout,
		UnknownAfter: a.cfg.UnknownAfter,
		Retry:        schedule.RetryPolicy{InitialDelay: a.cfg.RetryDelay, Multiplier: a.cfg.RetryMultiplier},
	})
	if provCfg.SMTP != nil {
		deliverer.SenderEmail = provCfg.SMTP.From
	}
	a.worker = &schedule.ReminderWorker{Deliverer: deliverer}
	a.guard = &outbound.Guard{AllowPrivate: a.cfg.WebhookAllowPrivate}
	a.events = &outbound.Deliverer{Guard: a.guard, Clock: herald.SystemClock{}, Logger: a.logger.With("component", "events"),
		Metrics: outbound.NewMetrics(a.registry),
		// A tenant's endpoints use at most a quarter of the workers, so a
		// tenant whose endpoints hang leaves the rest to the others.
		PerTenant: max(1, a.cfg.WebhookWorkers/4)}
	a.processID = herald.NewID("proc_")
	noProvider := senders.SMS == nil && senders.Email == nil
	outbox := a.cfg.Outbox || (noProvider && a.cfg.serving && a.db.SingleProcess())
	a.workers = schedule.WorkersFor(channelCapacity(provCfg, outbox, a.cfg.SecretKey != nil), a.cfg.SendTimeout, a.cfg.BatchSize)
	a.engine, err = schedule.NewEngine(a.db.RiverDriver(), a.worker, schedule.EngineConfig{
		ClientID:     a.processID,
		PollInterval: a.cfg.PollInterval,
		MaxWorkers:   a.workers,
		JobTimeout:   a.cfg.SendTimeout*2 + 5*time.Second,
		RescueAfter:  a.cfg.RescueAfter,
		Logger:       a.logger.With("component", "jobs"),
		// Event deliveries have their own queue and workers: a slow
		// endpoint never holds a reminder's worker.
		Queues: map[string]river.QueueConfig{outbound.QueueEvents: {MaxWorkers: a.cfg.WebhookWorkers}},
		AddWorkers: func(w *river.Workers) error {
			return river.AddWorkerSafely(w, &outbound.Worker{Deliverer: a.events})
		},
	}, a.recoverJobs)
	if err != nil {
		return err
	}
	a.store = sqlstore.New(a.db, schedule.NewJobs(a.engine.Client()), sqlstore.Options{MaxRetries: a.cfg.MaxRetries,
		Events: outbound.NewJobs(a.engine.Client()), Senders: provCfg.SMSFrom()})
	a.events.Store = a.store
	// Reminders due together share their transactions: a burst costs one
	// per batch instead of one per reminder. A database of one connection
	// (SQLite) runs one batch at a time.
	flushers := 4
	if n := a.db.MaxConns(); n > 0 && n < flushers {
		flushers = n
	}
	deliverer.Store = schedule.NewDeliveryBatcher(a.store, flushers, deliveryBatchMax)
	a.templates = catalog.New(a.store, render.NewRegistry())
	deliverer.Templates = a.templates
	a.accounts = tenantsms.NewAccounts(a.store, a.cfg.SecretKey)
	if err := a.accounts.RecordNumbers(ctx); err != nil {
		return fmt.Errorf("tenants' own provider accounts: %w", err)
	}
	var tenants *tenantsms.Sender
	if senders.SMSRouter != nil || a.cfg.SecretKey != nil {
		// A tenant with accounts of its own sends through them, even when
		// the operator has no SMS provider: then the other tenants have
		// no SMS, and their reminders go by email.
		var operator herald.PacedSender
		if senders.SMSRouter != nil {
			operator = senders.SMSRouter
		}
		tenants = tenantsms.NewSender(operator, a.accounts, a.pacer, provCfg, smsroute.Config{})
		deliverer.SMS = tenants
	}
	switch {
	case a.cfg.Outbox:
		deliverer.SMS, deliverer.Email = a.store.Outbox(), a.store.Outbox()
		msg := "HERALD_OUTBOX=1: messages are held in the outbox (GET /v1/outbox), not sent"
		if !noProvider {
			msg += "; the configured providers are not used"
		}
		a.logger.Info(msg)
	case outbox:
		deliverer.SMS, deliverer.Email = a.store.Outbox(), a.store.Outbox()
		a.logger.Info("No SMS or email provider configured: messages are held in the outbox (GET /v1/outbox), not sent")
	case noProvider:
		a.noSender = errNoProvider
	default:
		a.logger.Info("Providers configured", "providers", provCfg.Summary())
	}
	// Answers to inbound texts go from the number the lead texted, through
	// the account that owns it: a tenant's own, else the operator's; into
	// the outbox when messages are held there.
	var replies webhook.ReplySenders = tenantsms.NewReplies(senders.Replies, tenants).Paced(a.pacer)
	if a.cfg.Outbox || outbox {
		replies = heldReplies{outbox: a.store.Outbox()}
	}
	return a.newWebhooks(provCfg, replies, deliverer.Email != nil)
}

// errNoProvider stops a process that would work reminders with nowhere to
// send them: holding real reminders in the outbox must be chosen.
var errNoProvider = errors.New("no SMS or email provider is configured: set VONAGE_*, TWILIO_* or SMTP_* " +
	"to send reminders, or HERALD_OUTBOX=1 to keep them in the outbox (GET /v1/outbox) without sending them")

// dueJobs reads the queue depth for the metrics; a failed read shows as -1.
func (a *App) dueJobs() float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := a.db.DueJobs(ctx, time.Now())
	if err != nil {
		return -1
	}
	return float64(n)
}

// Close releases the database.
func (a *App) Close() error { return a.db.Close() }

// Handler returns the HTTP handler of the API.
func (a *App) Handler() http.Handler {
	api := &httpapi.Server{Store: a.store, Templates: a.templates, AdminToken: a.cfg.AdminToken, Logger: a.logger,
		Providers: a.accounts, SMSNumbers: a.store,
		RateLimit: httpapi.RateLimit{Rate: a.cfg.APIRate, Burst: a.cfg.APIBurst},
		URLGuard:  a.guard, Extra: a.extraRoutes(), Metrics: a.ops.http}
	return withProfiling(api.Handler())
}

// StartWorker starts working reminder jobs; StopWorker stops them. The end
// of ctx does not stop them: the job engine would cancel the sends in
// flight with it (a SIGTERM would cut provider calls, record them as
// failures and send them again later), where StopWorker lets them finish.
func (a *App) StartWorker(ctx context.Context) error {
	if a.noSender != nil {
		return a.noSender
	}
	if err := a.engine.Start(ctx); err != nil {
		if a.stopHeartbeat != nil {
			a.stopHeartbeat()
		}
		return fmt.Errorf("start worker: %w", err)
	}
	go a.worker.ReportPickups(ctx, a.logger, time.Second)
	go a.beat(ctx, 10*time.Second)
	if a.cfg.PruneInterval > 0 {
		go a.pruneLoop(ctx, a.cfg.PruneInterval)
	}
	a.logger.Info("Reminder worker started", "process", a.processID, "poll_interval", a.cfg.PollInterval.String(), "workers", a.workers)
	return nil
}

// recoverJobs runs before the job engine starts: on a database one process
// owns, what a killed process left (its leader record, its running jobs)
// is cleared, so nothing waits for it to expire; then this process's
// heartbeat starts, so that no other takes over its jobs.
func (a *App) recoverJobs(ctx context.Context) error {
	if err := a.db.ForgetLeader(ctx); err != nil {
		return err
	}
	n, err := a.db.RequeueOrphanedJobs(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		a.logger.Info("Requeued reminder jobs left running by a stopped process", "jobs", n)
	}
	return a.startHeartbeat(ctx)
}

// StopWorker lets sends in flight finish within the shutdown timeout,
// then cancels what is left. A provider call cut short is treated as a
// crash would leave it: its reminder ends unknown, never sent again;
// reminders still waiting for their provider slot have no attempt and go
// back to the queue.
func (a *App) StopWorker() { a.stopWorkerBy(a.stopDeadline()) }

// stopDeadline is when a stopping process must be done: the shutdown
// timeout after the first call asks, the same for HTTP and the worker.
func (a *App) stopDeadline() time.Time {
	a.stopOnce.Do(func() { a.stopBy = time.Now().Add(a.cfg.ShutdownTimeout) })
	return a.stopBy
}

// stopWorkerBy stops the worker, letting sends in flight finish until the
// deadline and cancelling what is left then (within 5 s more).
func (a *App) stopWorkerBy(deadline time.Time) {
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	a.engine.Stop(ctx)
	// The heartbeat lasts as long as jobs run: another process must not
	// take over those of a process that is only finishing them.
	if a.stopHeartbeat != nil {
		a.stopHeartbeat()
	}
	a.logger.Info("Reminder worker stopped")
}

// Serve answers HTTP on ln until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithDeadline(context.Background(), a.stopDeadline())
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// deliveryBatchMax is the most claims or outcomes one transaction saves.
// A burst fills its batches: at 256 rather than 64, a burst's commits and
// statements are a quarter as many, for a transaction of a few
// milliseconds more.
const deliveryBatchMax = 256
