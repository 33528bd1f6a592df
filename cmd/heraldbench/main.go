// Command heraldbench measures Herald on one machine, against SQLite and
// PostgreSQL: booking through the HTTP API, dispatch of due reminders to a
// loopback fake SMS provider (a burst due at one instant, and steady
// rates), the job engine alone and the original system's design as
// baselines on the same database, and Herald with a million pending
// reminders. Herald runs as a real subprocess (`herald serve`), configured
// by its environment like any deployment. The results are printed and
// written into docs/BENCHMARKS.md with the machine and the command.
//
//	go run ./cmd/heraldbench -db both
//	go run ./cmd/heraldbench -smoke -db both -out /dev/null   # CI: small N
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	// The PostgreSQL driver registers itself with database/sql.
	_ "github.com/jackc/pgx/v5/stdlib"

	"herald/dbtest"
)

// options are the benchmark's settings, from its flags.
type options struct {
	db          string
	postgresURL string
	heraldBin   string
	out         string
	smoke       bool
	profileDir  string
	// parts names the parts to run: engine, dispatch, booking, scale, pace.
	parts map[string]bool

	providerLatency time.Duration
	batchSize       int
	pollInterval    time.Duration

	bookings, concurrency int
	burst                 int
	sustainRate           map[string]float64
	sustainFor            time.Duration
	steadyRate            float64
	steadyFor             time.Duration

	scale, scaleBookings, pickup int

	// pace is the rate-limited part's settings.
	pace paceOptions

	original       originalDesign
	originalWindow time.Duration

	// workDir holds the herald binary, SQLite files and Herald's logs.
	workDir string
	// command is the command line as run, for the report.
	command string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts, err := parseOptions(os.Args[1:])
	if err == nil {
		err = run(ctx, opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "heraldbench:", err)
		os.Exit(1)
	}
}

// parseOptions reads the flags; -smoke makes every size small unless its
// flag is given too.
func parseOptions(args []string) (*options, error) {
	o := &options{sustainRate: map[string]float64{}, original: originalDesign{Poll: 30 * time.Second, Batch: 50}}
	fs := flag.NewFlagSet("heraldbench", flag.ContinueOnError)
	fs.StringVar(&o.db, "db", "both", "databases to measure: sqlite, postgres or both")
	fs.StringVar(&o.postgresURL, "postgres-url", dbtest.PostgresURL(),
		"PostgreSQL server; each part of the run uses a fresh schema that it drops (default: HERALD_TEST_POSTGRES_URL or the local test server)")
	fs.StringVar(&o.heraldBin, "herald", "", "herald binary to run (default: go build ./cmd/herald into a temporary directory)")
	fs.StringVar(&o.out, "out", "docs/BENCHMARKS.md", "Markdown file to write the results into (between its heraldbench markers)")
	fs.BoolVar(&o.smoke, "smoke", false, "run everything with small numbers, in parallel, to check that it works (CI)")
	parts := fs.String("parts", "engine,dispatch,scale,pace",
		"parts to run: engine (baseline), dispatch (booking, dispatch, original design), booking (the booking of dispatch alone), scale, pace (three workers under a provider's rate limit, PostgreSQL)")
	fs.StringVar(&o.profileDir, "pprof", "", "directory for CPU profiles of herald during each dispatch phase (sets HERALD_PPROF=1)")
	fs.DurationVar(&o.providerLatency, "provider-latency", 20*time.Millisecond, "how long the fake SMS provider takes to answer")
	fs.IntVar(&o.batchSize, "batch-size", 2000,
		"REMINDER_BATCH_SIZE given to herald: reminders worked at once per process (a job holds its slot for its two transactions and the provider call, so 2,000/s needs several hundred)")
	fs.DurationVar(&o.pollInterval, "poll-interval", 100*time.Millisecond, "REMINDER_POLL_INTERVAL given to herald")
	fs.IntVar(&o.bookings, "bookings", 5000, "meetings to book through the API")
	fs.IntVar(&o.concurrency, "concurrency", 16, "booking requests in flight at once")
	fs.IntVar(&o.burst, "burst", 10_000, "reminders due at the same instant (and no-op jobs for the engine baseline)")
	sustainPG := fs.Float64("sustain-rate", 2000, "reminders per second of the sustained phase on PostgreSQL")
	sustainSQLite := fs.Float64("sustain-rate-sqlite", 1000, "reminders per second of the sustained phase on SQLite")
	fs.DurationVar(&o.sustainFor, "sustain-for", 30*time.Second, "length of the sustained phase")
	fs.Float64Var(&o.steadyRate, "steady-rate", 500, "reminders per second of the steady phase")
	fs.DurationVar(&o.steadyFor, "steady-for", 60*time.Second, "length of the steady phase")
	fs.IntVar(&o.scale, "scale", 1_000_000, "pending reminders written for the scale phase")
	fs.IntVar(&o.scaleBookings, "scale-bookings", 2000, "meetings booked in each state of the scale phase")
	fs.IntVar(&o.pickup, "pickup", 200, "reminders due at once in each state of the scale phase")
	fs.DurationVar(&o.originalWindow, "original-for", 65*time.Second, "how long the original design's poller runs")
	fs.IntVar(&o.pace.limit, "pace-limit", 100, "the fake Vonage account's limit in requests per second, and VONAGE_RATE_LIMIT, in the pace part")
	fs.IntVar(&o.pace.burst, "pace-burst", 3000, "reminders due at once in the pace part, a third each of 10-minute, 1-hour and 24-hour meetings")
	fs.IntVar(&o.pace.workers, "pace-workers", 3, "herald worker processes in the pace part")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.smoke {
		smallSizes(o, set, sustainPG, sustainSQLite)
	}
	o.sustainRate[kindPostgres], o.sustainRate[kindSQLite] = *sustainPG, *sustainSQLite
	o.original.Phase = o.original.Poll / 2
	switch o.db {
	case kindSQLite, kindPostgres, "both":
	default:
		return nil, fmt.Errorf("-db %q: want sqlite, postgres or both", o.db)
	}
	o.parts = map[string]bool{}
	for _, p := range strings.Split(*parts, ",") {
		switch p = strings.TrimSpace(p); p {
		case "engine", "dispatch", "booking", "scale", "pace":
			o.parts[p] = true
		default:
			return nil, fmt.Errorf("-parts: unknown part %q; want engine, dispatch, booking, scale or pace", p)
		}
	}
	o.command = "go run ./cmd/heraldbench " + strings.Join(args, " ")
	return o, nil
}

// smallSizes is -smoke: sizes that finish in seconds, for the flags not
// given. The original design's poll shrinks to 1 s so that it scans at
// all within its short window.
func smallSizes(o *options, set map[string]bool, sustainPG, sustainSQLite *float64) {
	small := func(name string, apply func()) {
		if !set[name] {
			apply()
		}
	}
	small("bookings", func() { o.bookings = 100 })
	small("concurrency", func() { o.concurrency = 4 })
	small("burst", func() { o.burst = 300 })
	small("sustain-rate", func() { *sustainPG = 200 })
	small("sustain-rate-sqlite", func() { *sustainSQLite = 200 })
	small("sustain-for", func() { o.sustainFor = 2 * time.Second })
	small("steady-rate", func() { o.steadyRate = 50 })
	small("steady-for", func() { o.steadyFor = 2 * time.Second })
	small("scale", func() { o.scale = 3000 })
	small("scale-bookings", func() { o.scaleBookings = 50 })
	small("pickup", func() { o.pickup = 20 })
	small("pace-burst", func() { o.pace.burst = 300 })
	small("original-for", func() { o.originalWindow = 2500 * time.Millisecond })
	o.original.Poll = time.Second
}

// kinds are the databases the run measures, in report order.
func (o *options) kinds() []string {
	switch o.db {
	case kindSQLite:
		return []string{kindSQLite}
	case kindPostgres:
		return []string{kindPostgres}
	}
	return []string{kindSQLite, kindPostgres}
}
