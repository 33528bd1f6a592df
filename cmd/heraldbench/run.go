package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"herald/sqlstore"
)

// heraldRun is Herald running as a subprocess on a fresh database, with
// its own fake SMS provider, a tenant and leads to book for.
type heraldRun struct {
	opts  *options
	kind  string
	label string
	dir   string
	bin   string
	fresh *freshDB
	// db is the benchmark's own connection, for seeding and measuring.
	db     *sqlstore.DB
	fake   *fakeSMS
	server *heraldServer
	// startup is how long the last start took, to the first healthy
	// answer.
	startup time.Duration
	// defaults runs herald without the benchmark's REMINDER_* settings.
	defaults bool
	api      *apiClient
	tenantID string
	leads    []string
}

// openHeraldRun makes a fresh database of kind, migrates it with `herald
// migrate`, starts the fake provider and `herald serve`, and creates a
// tenant with leads.
func openHeraldRun(ctx context.Context, opts *options, kind, label string) (h *heraldRun, err error) {
	h = &heraldRun{opts: opts, kind: kind, label: label, dir: opts.workDir, bin: opts.heraldBin}
	defer func() {
		if err != nil {
			h.close()
		}
	}()
	if h.fresh, err = newFreshDB(ctx, kind, opts.workDir, opts.postgresURL, label); err != nil {
		return h, err
	}
	if h.db, err = h.fresh.open(ctx); err != nil {
		return h, err
	}
	h.fake = startFakeSMS(opts.providerLatency)
	if _, err = runHerald(ctx, h.bin, h.env(), "migrate"); err != nil {
		return h, err
	}
	if err = h.start(ctx); err != nil {
		return h, err
	}
	if h.tenantID, err = h.api.createTenant(ctx, "heraldbench "+label); err != nil {
		return h, err
	}
	h.leads, err = makeLeads(ctx, h.api, bookingLeads)
	return h, err
}

// env is Herald's whole environment in this run.
func (h *heraldRun) env() []string {
	vars := map[string]string{
		"HERALD_DATABASE_URL":    h.fresh.url,
		"HERALD_ADDR":            "127.0.0.1:0",
		"HERALD_ADMIN_TOKEN":     adminToken,
		"HERALD_LOG_FORMAT":      "json",
		"REMINDER_POLL_INTERVAL": h.opts.pollInterval.String(),
		"REMINDER_BATCH_SIZE":    strconv.Itoa(h.opts.batchSize),
		// The benchmark books as fast as Herald takes bookings: the API
		// key's request budget would measure itself instead.
		"HERALD_API_RATE": "0",
	}
	if h.defaults {
		delete(vars, "REMINDER_POLL_INTERVAL")
		delete(vars, "REMINDER_BATCH_SIZE")
	}
	if h.opts.profileDir != "" {
		vars["HERALD_PPROF"] = "1"
	}
	for k, v := range h.fake.env() {
		vars[k] = v
	}
	return heraldEnv(vars)
}

// start starts `herald serve` and points the API client at it, keeping
// the tenant's key across restarts.
func (h *heraldRun) start(ctx context.Context) error {
	logPath := filepath.Join(h.dir, "herald-"+h.kind+"-"+h.label+".log")
	began := time.Now()
	srv, err := startHerald(ctx, h.bin, h.env(), logPath)
	if err != nil {
		return err
	}
	h.server, h.startup = srv, time.Since(began)
	key := ""
	if h.api != nil {
		key = h.api.key
	}
	h.api = newAPIClient(srv.baseURL, max(h.opts.concurrency, 1))
	h.api.key = key
	return nil
}

// stop stops `herald serve` gracefully.
func (h *heraldRun) stop() {
	if h.server != nil {
		h.server.Stop()
		h.server = nil
	}
}

// close stops everything and drops the database.
func (h *heraldRun) close() {
	h.stop()
	if h.fake != nil {
		h.fake.Close()
	}
	if h.db != nil {
		h.db.Close()
	}
	if h.fresh != nil {
		h.fresh.drop()
	}
}

// logf reports progress on standard error.
func (h *heraldRun) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "heraldbench %s %s: %s\n", h.kind, h.label, fmt.Sprintf(format, args...))
}

// profile records a CPU profile of Herald from due for the expected length
// of a phase into the -pprof directory, when one is given. The returned
// function waits for the profile to be written.
func (h *heraldRun) profile(ctx context.Context, name string, due time.Time, span time.Duration) func() {
	if h.opts.profileDir == "" {
		return func() {}
	}
	seconds := int(min(max(span+5*time.Second, 5*time.Second), 25*time.Second).Seconds())
	path := filepath.Join(h.opts.profileDir, h.kind+"-"+name+".cpu.pprof")
	url := h.server.baseURL + "/debug/pprof/profile?seconds=" + strconv.Itoa(seconds)
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(due)):
		}
		if err := download(ctx, url, path); err != nil {
			h.logf("profile %s: %v", name, err)
		}
	}()
	return func() { <-done }
}

// download saves what url answers into path.
func download(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d (is HERALD_PPROF supported by this herald?)", url, resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
