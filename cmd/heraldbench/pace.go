package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"herald"
	"herald/schedule"
	"herald/sqlstore"
	"herald/vonage/vonagetest"
)

// The markers around the pace part's section of the report file.
const (
	paceBeginMarker = "<!-- heraldbench:pace:begin (written by go run ./cmd/heraldbench -parts pace) -->"
	paceEndMarker   = "<!-- heraldbench:pace:end -->"
)

// paceOptions are the pace part's settings.
type paceOptions struct {
	limit, burst, workers int
	// loadBefore is the machine's load average when the part began.
	loadBefore string
}

// paceClasses are the reminders of the mixed burst: each is the reminder
// of a meeting that starts its offset after the burst is due.
var paceClasses = []struct {
	rule   string
	offset time.Duration
}{{"10m", 10 * time.Minute}, {"1h", time.Hour}, {"24h", 24 * time.Hour}}

// paceResult is one run of the pace part.
type paceResult struct {
	order                string
	sent, expected       int
	throttled            int
	maxPerSecond         int
	meanRate             float64
	took                 time.Duration
	lateness             map[string][]time.Duration // by class, sorted
	bookTook, settleTook time.Duration
}

// runPacePart runs the rate-limited burst twice on PostgreSQL, soonest
// meeting first and in arrival order, and writes both beside each other.
func runPacePart(ctx context.Context, opts *options) error {
	opts.pace.loadBefore = loadAverage()
	var results []paceResult
	for _, order := range []string{"deadline", "fifo"} {
		res, err := runPace(ctx, opts, order)
		if err != nil {
			return fmt.Errorf("pace (%s): %w", order, err)
		}
		results = append(results, res)
	}
	text := paceMarkdown(opts, results)
	fmt.Println(text)
	return writeBetween(opts.out, text, paceBeginMarker, paceEndMarker)
}

// runPace books the mixed burst on a fresh schema, starts the workers
// with the given send order against a fake Vonage that enforces the
// account's limit, and measures what the provider saw and when each
// reminder went.
func runPace(ctx context.Context, opts *options, order string) (paceResult, error) {
	res := paceResult{order: order, lateness: map[string][]time.Duration{}}
	fresh, err := newFreshDB(ctx, kindPostgres, opts.workDir, opts.postgresURL, "pace")
	if err != nil {
		return res, err
	}
	defer fresh.drop()
	if _, err := runHerald(ctx, opts.heraldBin, heraldEnv(map[string]string{"HERALD_DATABASE_URL": fresh.url}), "migrate"); err != nil {
		return res, err
	}
	db, err := fresh.open(ctx)
	if err != nil {
		return res, err
	}
	defer db.Close()
	fake := vonagetest.Start(vonagetest.WithThroughput(opts.pace.limit))
	defer fake.Close()

	perClass := max(opts.pace.burst/len(paceClasses), 1)
	res.expected = perClass * len(paceClasses)
	// Long enough ahead to book the burst first: about 300 bookings a
	// second here, with margin.
	due := time.Now().Add(10*time.Second + time.Duration(res.expected)*5*time.Millisecond).Truncate(time.Second)
	began := time.Now()
	if err := bookPaceBurst(ctx, db, perClass, due); err != nil {
		return res, err
	}
	res.bookTook = time.Since(began)
	if time.Until(due) < 2*time.Second {
		return res, fmt.Errorf("booking took %v, past the burst's due time", res.bookTook)
	}
	env := heraldEnv(map[string]string{
		"HERALD_DATABASE_URL": fresh.url, "HERALD_DATABASE_MAX_CONNS": "20", "HERALD_METRICS_ADDR": "off",
		"VONAGE_API_KEY": vonagetest.APIKey, "VONAGE_API_SECRET": vonagetest.APISecret, "VONAGE_FROM_NUMBER": vonagetest.From,
		"VONAGE_BASE_URL": fake.URL, "VONAGE_RATE_LIMIT": fmt.Sprint(opts.pace.limit),
		"REMINDER_BATCH_SIZE": "1000", "REMINDER_POLL_INTERVAL": opts.pollInterval.String(),
		"HERALD_SEND_ORDER": order,
	})
	var procs []*workerProc
	defer func() {
		for _, p := range procs {
			_ = p.cmd.Process.Signal(os.Interrupt)
		}
		for _, p := range procs {
			<-p.exited
		}
	}()
	for i := range opts.pace.workers {
		p, err := startWorkerProc(ctx, opts.heraldBin, env, filepath.Join(opts.workDir, fmt.Sprintf("pace-%s-%d.log", order, i+1)))
		if err != nil {
			return res, err
		}
		procs = append(procs, p)
	}
	// At the limit the burst takes expected/limit seconds; allow three
	// times that.
	deadline := due.Add(3*time.Duration(float64(res.expected)/float64(opts.pace.limit)*float64(time.Second)) + 20*time.Second)
	for {
		n, err := countSentAt(ctx, db, due)
		if err != nil {
			return res, err
		}
		if n >= res.expected {
			break
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("%d of %d reminders sent by the deadline", n, res.expected)
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	res.settleTook = time.Since(due)
	if err := latenessByClass(ctx, db, due, res.lateness); err != nil {
		return res, err
	}
	for _, c := range paceClasses {
		res.sent += len(res.lateness[c.rule])
	}
	var times []time.Time
	for _, a := range fake.Accepted() {
		times = append(times, a.At)
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	perSecond := map[int64]int{}
	for _, at := range times {
		perSecond[at.Unix()]++
	}
	for _, n := range perSecond {
		res.maxPerSecond = max(res.maxPerSecond, n)
	}
	if len(times) > 1 {
		res.took = times[len(times)-1].Sub(times[0])
		res.meanRate = float64(len(times)-1) / res.took.Seconds()
	}
	res.throttled = fake.Throttled(vonagetest.APIKey)
	return res, nil
}

// bookPaceBurst books perClass meetings of each class so that one
// reminder of each is due at due; the others are too late or far ahead.
func bookPaceBurst(ctx context.Context, db *sqlstore.DB, perClass int, due time.Time) error {
	client, err := schedule.NewInsertClient(db.RiverDriver())
	if err != nil {
		return err
	}
	store := sqlstore.New(db, schedule.NewJobs(client), sqlstore.Options{})
	tenant, _, err := store.CreateTenant(ctx, "Pace")
	if err != nil {
		return err
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	next := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range next {
				c := paceClasses[i%len(paceClasses)]
				lead, err := store.CreateLead(ctx, tenant.ID, herald.LeadInput{Name: fmt.Sprintf("Lead %05d", i),
					Phone: fmt.Sprintf("+1555%07d", i), Timezone: "UTC", Locale: "en"})
				if err == nil {
					_, _, err = store.BookMeeting(ctx, tenant.ID, herald.BookMeetingInput{LeadID: lead.ID, Title: "Demo",
						StartsAt: due.Add(c.offset), Timezone: "UTC", Source: "heraldbench"}, herald.Idempotency{})
				}
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		})
	}
	for i := range perClass * len(paceClasses) {
		next <- i
	}
	close(next)
	wg.Wait()
	return firstErr
}

// workerProc is a running `herald worker`; exited closes when it ends.
type workerProc struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// startWorkerProc starts `herald worker` and waits until its worker runs.
func startWorkerProc(ctx context.Context, bin string, env []string, logPath string) (*workerProc, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	p := &workerProc{cmd: exec.CommandContext(ctx, bin, "worker"), exited: make(chan struct{})}
	p.cmd.Env = append(env, "HERALD_LOG_LEVEL=info")
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if err := p.cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	go func() { _ = p.cmd.Wait(); logFile.Close(); close(p.exited) }()
	for start := time.Now(); time.Since(start) < 20*time.Second; time.Sleep(50 * time.Millisecond) {
		if data, _ := os.ReadFile(logPath); strings.Contains(string(data), "Reminder worker started") {
			return p, nil
		}
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
	return nil, fmt.Errorf("herald worker did not start; its log:\n%s", tailFile(logPath))
}

func tailFile(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return strings.Join(lines[max(len(lines)-20, 0):], "\n")
}

func countSentAt(ctx context.Context, db *sqlstore.DB, due time.Time) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT count(*) FROM reminders WHERE scheduled_at = $1 AND status = 'sent'",
		heraldTime(due)).Scan(&n)
	return n, err
}

// latenessByClass reads when each reminder of the burst was sent.
func latenessByClass(ctx context.Context, db *sqlstore.DB, due time.Time, out map[string][]time.Duration) error {
	rows, err := db.QueryContext(ctx, "SELECT rule, sent_at FROM reminders WHERE scheduled_at = $1 AND status = 'sent'",
		heraldTime(due))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var rule string
		var sent dbTime
		if err := rows.Scan(&rule, &sent); err != nil {
			return err
		}
		if p := sent.ptr(); p != nil {
			out[rule] = append(out[rule], p.Sub(due))
		}
	}
	for _, d := range out {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	}
	return rows.Err()
}

// paceMarkdown writes the two runs beside each other, with the gain of
// serving the soonest meeting first as a ratio.
func paceMarkdown(opts *options, rs []paceResult) string {
	var b strings.Builder
	b.WriteString(paceBeginMarker + "\n")
	fmt.Fprintf(&b, "Measured %s with `%s` (PostgreSQL, %d `herald worker` processes, `VONAGE_RATE_LIMIT=%d`, a fake Vonage that answers status 1 beyond %d requests in a second, %s reminders due at one instant: a third each for meetings 10 minutes, 1 hour and 24 hours ahead).\n\n",
		time.Now().UTC().Format("2006-01-02"), opts.command, opts.pace.workers, opts.pace.limit, opts.pace.limit, thousands(int64(rs[0].expected)))
	b.WriteString("| figure | soonest meeting first (default) | arrival order (`HERALD_SEND_ORDER=fifo`) |\n|---|---|---|\n")
	row := func(label string, cell func(r paceResult) string) {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", label, cell(rs[0]), cell(rs[1]))
	}
	row("reminders sent (of the burst)", func(r paceResult) string { return fmt.Sprintf("%d of %d", r.sent, r.expected) })
	row("accepted per second: max / mean (limit)", func(r paceResult) string {
		return fmt.Sprintf("%d / %.1f (%d)", r.maxPerSecond, r.meanRate, opts.pace.limit)
	})
	row("throttled answers (status 1)", func(r paceResult) string { return fmt.Sprint(r.throttled) })
	row("burst handed over in", func(r paceResult) string { return r.took.Round(100 * time.Millisecond).String() })
	for _, c := range paceClasses {
		row("lateness of "+c.rule+" reminders: p50 / p90 / max", func(r paceResult) string {
			d := r.lateness[c.rule]
			if len(d) == 0 {
				return "–"
			}
			return fmt.Sprintf("%v / %v / %v", percentile(d, 50).Round(10*time.Millisecond),
				percentile(d, 90).Round(10*time.Millisecond), d[len(d)-1].Round(10*time.Millisecond))
		})
	}
	if d, f := rs[0].lateness["10m"], rs[1].lateness["10m"]; len(d) > 0 && len(f) > 0 && percentile(d, 90) > 0 {
		fmt.Fprintf(&b, "\nRatio: the 10-minute reminders' p90 lateness is **%.1f×** lower when the soonest meeting goes first (%v against %v in arrival order), with the account used at a mean %.1f/s against %.1f/s.\n",
			float64(percentile(f, 90))/float64(percentile(d, 90)), percentile(d, 90).Round(10*time.Millisecond),
			percentile(f, 90).Round(10*time.Millisecond), rs[0].meanRate, rs[1].meanRate)
	}
	fmt.Fprintf(&b, "\nOne-minute load average of the machine before and after: %s, %s.\n", opts.pace.loadBefore, loadAverage())
	b.WriteString(paceEndMarker + "\n")
	return b.String()
}
