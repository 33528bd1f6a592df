package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"herald/internal/sealed"
	"herald/sqlstore"
)

// Config is Herald's configuration, read from the environment (docs/RULES.md,
// "Configuration"). Provider settings are read by the providers package.
type Config struct {
	DatabaseURL string
	Addr        string
	AdminToken  string
	PublicURL   string
	LogFormat   string
	LogLevel    string

	PollInterval time.Duration
	// BatchSize is REMINDER_BATCH_SIZE, the most reminders a process
	// works at once; 0 (unset) lets the channels' paces decide, up to
	// schedule.DefaultMaxWorkers (schedule.WorkersFor).
	BatchSize        int
	MaxRetries       int
	RetryDelay       time.Duration
	RetryMultiplier  float64
	ShutdownTimeout  time.Duration
	SendTimeout      time.Duration
	RescueAfter      time.Duration
	ProviderSettings func(string) string
	// MetricsAddr is HERALD_METRICS_ADDR: where /healthz, /readyz and
	// /metrics are served on a listener of their own. Empty: `worker`
	// uses DefaultMetricsAddr and `serve` none (its API has them);
	// "off": none.
	MetricsAddr string
	// PruneInterval is how often data past its retention is deleted
	// (HERALD_PRUNE_INTERVAL); 0 ("off") never.
	PruneInterval time.Duration

	// SecretKey seals tenants' own provider credentials
	// (HERALD_SECRET_KEY, 32 bytes in base64); nil when unset.
	SecretKey *sealed.Box
	// SendOrder is how messages waiting for a provider's pace are served
	// (HERALD_SEND_ORDER): "deadline", the meeting that starts soonest
	// first (the default), or "fifo", in arrival order, kept as a
	// baseline for benchmarks.
	SendOrder string

	// DatabaseMaxConns bounds the PostgreSQL connections of the process
	// (HERALD_DATABASE_MAX_CONNS); 0 keeps the store's default of 40.
	// Several processes on one server must fit in its max_connections.
	DatabaseMaxConns int

	// APIRate and APIBurst are each API key's request budget
	// (HERALD_API_RATE per second, HERALD_API_BURST at once). Default to
	// 100 and 200; an APIRate of 0 sets no limit.
	APIRate  float64
	APIBurst int
	// WebhookAllowPrivate lets webhook endpoints lead to private,
	// loopback and link-local addresses, and use plain http there
	// (HERALD_WEBHOOK_ALLOW_PRIVATE=1).
	WebhookAllowPrivate bool
	// WebhookWorkers is how many event deliveries one process makes at
	// once (HERALD_WEBHOOK_WORKERS), apart from the reminders' workers.
	WebhookWorkers int

	// Outbox keeps every message in the outbox instead of sending it
	// (HERALD_OUTBOX=1), whatever providers are configured. Without it
	// the outbox is used only by `serve` on SQLite with no provider, the
	// first-run default; any other process without a provider refuses to
	// work reminders.
	Outbox bool
	// UnknownAfter is how long an unknown reminder waits for a delivery
	// receipt before its tenant's on_unknown setting applies
	// (HERALD_UNKNOWN_AFTER). Defaults to 5 minutes.
	UnknownAfter time.Duration

	// serving is set by `serve`: with no provider on SQLite, it is the
	// first run, and the outbox is the default.
	serving bool
	// claim, set by `serve` and `worker`, names the process in the claim of
	// an SQLite file (sqlstore.DB.ClaimSingleProcess): a second one on the
	// same file refuses to start.
	claim string
}

// LoadConfig reads the configuration with getenv and checks it, naming the
// variable at fault.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:      or(getenv("HERALD_DATABASE_URL"), sqlstore.DefaultURL),
		Addr:             or(getenv("HERALD_ADDR"), ":8080"),
		AdminToken:       getenv("HERALD_ADMIN_TOKEN"),
		PublicURL:        strings.TrimRight(getenv("HERALD_PUBLIC_URL"), "/"),
		LogFormat:        or(getenv("HERALD_LOG_FORMAT"), "text"),
		LogLevel:         or(getenv("HERALD_LOG_LEVEL"), "info"),
		ProviderSettings: getenv,
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	c.PollInterval = durationVar(getenv, "REMINDER_POLL_INTERVAL", 250*time.Millisecond, time.Millisecond, fail)
	c.RetryDelay = durationVar(getenv, "REMINDER_INITIAL_RETRY_DELAY", 60*time.Second, time.Second, fail)
	c.ShutdownTimeout = durationVar(getenv, "HERALD_SHUTDOWN_TIMEOUT", 30*time.Second, time.Second, fail)
	c.SendTimeout = durationVar(getenv, "HERALD_SEND_TIMEOUT", 10*time.Second, 100*time.Millisecond, fail)
	c.RescueAfter = durationVar(getenv, "HERALD_RESCUE_AFTER", 0, 0, fail)
	c.DatabaseMaxConns = intVar(getenv, "HERALD_DATABASE_MAX_CONNS", 0, 0, 10000, fail)
	c.WebhookWorkers = intVar(getenv, "HERALD_WEBHOOK_WORKERS", 20, 1, 1000, fail)
	switch raw := getenv("HERALD_WEBHOOK_ALLOW_PRIVATE"); raw {
	case "", "0", "false":
	case "1", "true":
		c.WebhookAllowPrivate = true
	default:
		fail("HERALD_WEBHOOK_ALLOW_PRIVATE=%q: want 1 or 0", raw)
	}
	// Unset (0): the channels' paces decide, up to schedule.DefaultMaxWorkers.
	c.BatchSize = intVar(getenv, "REMINDER_BATCH_SIZE", 0, 1, 10000, fail)
	c.MaxRetries = intVar(getenv, "REMINDER_MAX_RETRIES", 3, 0, 100, fail)
	c.APIRate = 100
	if raw := getenv("HERALD_API_RATE"); raw != "" {
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || v < 0 || v > 1e6 || math.IsNaN(v) {
			fail("HERALD_API_RATE=%q: want requests per second, from 0 (no limit) to 1000000", raw)
		}
		c.APIRate = v
	}
	c.APIBurst = intVar(getenv, "HERALD_API_BURST", 200, 1, 1000000, fail)
	switch raw := getenv("HERALD_OUTBOX"); raw {
	case "", "0":
	case "1":
		c.Outbox = true
	default:
		fail("HERALD_OUTBOX=%q: want 1 to keep every message in the outbox, or 0", raw)
	}
	c.UnknownAfter = durationVar(getenv, "HERALD_UNKNOWN_AFTER", 5*time.Minute, time.Second, fail)
	c.RetryMultiplier = 2
	if raw := getenv("REMINDER_RETRY_BACKOFF_MULTIPLIER"); raw != "" {
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || v < 1 || v > 100 {
			fail("REMINDER_RETRY_BACKOFF_MULTIPLIER=%q: want a number from 1 to 100", raw)
		}
		c.RetryMultiplier = v
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "https://") && !strings.HasPrefix(c.PublicURL, "http://") {
		fail("HERALD_PUBLIC_URL=%q: want an http(s) URL such as https://herald.example.com", c.PublicURL)
	}
	c.MetricsAddr = getenv("HERALD_METRICS_ADDR")
	if raw := getenv("HERALD_SECRET_KEY"); raw != "" {
		box, err := sealed.FromBase64(raw)
		if err != nil {
			fail("HERALD_SECRET_KEY: %v: want 32 random bytes in base64 (openssl rand -base64 32)", err)
		}
		c.SecretKey = box
	}
	if getenv("HERALD_PRUNE_INTERVAL") != "off" {
		c.PruneInterval = durationVar(getenv, "HERALD_PRUNE_INTERVAL", time.Hour, time.Minute, fail)
	}
	c.SendOrder = or(getenv("HERALD_SEND_ORDER"), "deadline")
	if c.SendOrder != "deadline" && c.SendOrder != "fifo" {
		fail("HERALD_SEND_ORDER=%q: want deadline or fifo", c.SendOrder)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		fail("HERALD_LOG_FORMAT=%q: want text or json", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		fail("HERALD_LOG_LEVEL=%q: want debug, info, warn or error", c.LogLevel)
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") &&
		!strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		fail("HERALD_DATABASE_URL=%q: want sqlite:PATH or postgres://…", redactURL(c.DatabaseURL))
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func durationVar(getenv func(string) string, name string, def, min time.Duration, fail func(string, ...any)) time.Duration {
	raw := getenv(name)
	if raw == "" {
		return def
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		// The original system took plain seconds; accept them too.
		if secs, serr := strconv.Atoi(raw); serr == nil {
			d, err = time.Duration(secs)*time.Second, nil
		}
	}
	if err != nil || d < min {
		fail("%s=%q: want a duration of at least %v, such as %v", name, raw, min, def)
		return def
	}
	return d
}

func intVar(getenv func(string) string, name string, def, min, max int, fail func(string, ...any)) int {
	raw := getenv(name)
	if raw == "" {
		return def
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < min || v > max {
		fail("%s=%q: want a whole number from %d to %d", name, raw, min, max)
		return def
	}
	return v
}
