package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// dbResult is everything measured on one database.
type dbResult struct {
	Kind    string
	Booking bookingResult
	// Burst is opts.burst reminders due at one instant; Sustain and
	// Steady are constant rates.
	Burst, Sustain, Steady dispatchResult
	// Defaults is the burst again, with herald on its default settings
	// (no REMINDER_BATCH_SIZE or REMINDER_POLL_INTERVAL).
	Defaults dispatchResult
	// RSS is herald's resident memory after the dispatch phases.
	RSS      int64
	Engine   engineResult
	Original originalResult
	Scale    scaleResult
}

// originalResult is the original design measured for a window, and
// worked out from there for the whole burst and the steady rate.
type originalResult struct {
	Design        originalDesign
	Measured      originalMeasured
	Burst, Steady originalModel
	Throughput    float64
}

// run measures every database asked for and writes the report.
func run(ctx context.Context, opts *options) error {
	began, loadBefore := time.Now(), loadAverage()
	dir, err := os.MkdirTemp("", "heraldbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	opts.workDir = dir
	if opts.heraldBin == "" {
		fmt.Fprintln(os.Stderr, "heraldbench: building herald")
		if opts.heraldBin, err = buildHerald(ctx, dir); err != nil {
			return err
		}
	}
	if opts.profileDir != "" {
		if err := os.MkdirAll(opts.profileDir, 0o755); err != nil {
			return err
		}
	}
	if opts.parts["pace"] && opts.db != kindSQLite {
		if err := runPacePart(ctx, opts); err != nil {
			return err
		}
	}
	if !opts.parts["engine"] && !opts.parts["dispatch"] && !opts.parts["booking"] && !opts.parts["scale"] {
		return nil
	}
	kinds := opts.kinds()
	results := make([]dbResult, len(kinds))
	errs := make([]error, len(kinds))
	// The smoke run only checks that everything works, so it runs the
	// databases side by side; a real run measures one thing at a time.
	each(opts.smoke, len(kinds), func(i int) {
		results[i], errs[i] = benchmarkDatabase(ctx, opts, kinds[i])
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	usesPostgres := opts.db != kindSQLite
	rep := report{opts: opts, machine: describeMachine(ctx, opts.postgresURL, usesPostgres), results: results,
		started: began, took: time.Since(began), loadBefore: loadBefore, loadAfter: loadAverage()}
	text := rep.markdown()
	fmt.Println(text)
	if err := writeReport(opts.out, text); err != nil {
		return err
	}
	return rep.check()
}

// each runs fn for 0 … n-1, side by side when parallel is set.
func each(parallel bool, n int, fn func(i int)) {
	if !parallel {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { fn(i) })
	}
	wg.Wait()
}

// benchmarkDatabase runs the three parts on one database: the engine
// baseline, Herald with the original design after it, and the scale
// phase, each on a fresh database of its own.
func benchmarkDatabase(ctx context.Context, opts *options, kind string) (dbResult, error) {
	res := dbResult{Kind: kind}
	var parts []func() error
	if opts.parts["engine"] {
		parts = append(parts, func() (err error) {
			res.Engine, err = engineBaseline(ctx, opts, kind)
			return err
		})
	}
	if opts.parts["dispatch"] {
		parts = append(parts, func() error { return dispatchPart(ctx, opts, kind, &res) })
	} else if opts.parts["booking"] {
		parts = append(parts, func() error { return bookingPart(ctx, opts, kind, &res) })
	}
	if opts.parts["scale"] {
		parts = append(parts, func() (err error) {
			res.Scale, err = runScale(ctx, opts, kind)
			return err
		})
	}
	errs := make([]error, len(parts))
	each(opts.smoke, len(parts), func(i int) { errs[i] = parts[i]() })
	if err := errors.Join(errs...); err != nil {
		return res, fmt.Errorf("%s: %w", kind, err)
	}
	return res, nil
}

// burstOnDefaults restarts herald on its default settings, runs the burst
// again, and restarts it on the benchmark's settings.
func (h *heraldRun) burstOnDefaults(ctx context.Context) (dispatchResult, error) {
	h.stop()
	h.defaults = true
	if err := h.start(ctx); err != nil {
		return dispatchResult{}, err
	}
	h.logf("dispatch phase defaults: %d reminders due at once, herald on its default settings", h.opts.burst)
	res, err := h.dispatch(ctx, "defaults", h.opts.burst, 0)
	if err != nil {
		return res, err
	}
	h.logf("defaults: drained in %v, lateness %v, machine CPU per reminder %s", res.Drain.Round(time.Millisecond),
		res.Lateness, res.CPU.String(res.Reminders, h.kind))
	h.stop()
	h.defaults = false
	return res, h.start(ctx)
}

// dispatchPart books through the API, runs the dispatch phases, then stops
// Herald and runs the original design on the same database.
func dispatchPart(ctx context.Context, opts *options, kind string, res *dbResult) error {
	h, err := openHeraldRun(ctx, opts, kind, "dispatch")
	if err != nil {
		return err
	}
	defer h.close()
	if err := h.book(ctx, res); err != nil {
		return err
	}
	phases := []struct {
		name string
		n    int
		rate float64
		dst  *dispatchResult
	}{
		{"burst", opts.burst, 0, &res.Burst},
		{"sustain", int(opts.sustainRate[kind] * opts.sustainFor.Seconds()), opts.sustainRate[kind], &res.Sustain},
		{"steady", int(opts.steadyRate * opts.steadyFor.Seconds()), opts.steadyRate, &res.Steady},
	}
	for _, p := range phases {
		h.logf("dispatch phase %s: %d reminders", p.name, p.n)
		if *p.dst, err = h.dispatch(ctx, p.name, p.n, p.rate); err != nil {
			return err
		}
		h.logf("%s: drained in %v, lateness %v, machine CPU per reminder %s", p.name,
			p.dst.Drain.Round(time.Millisecond), p.dst.Lateness, p.dst.CPU.String(p.dst.Reminders, kind))
		if p.name == "burst" {
			// The burst again on default settings, right after the tuned
			// one, so that both find the database in the same state.
			if res.Defaults, err = h.burstOnDefaults(ctx); err != nil {
				return err
			}
		}
	}
	if res.RSS, _, err = h.server.memory(); err != nil {
		return err
	}
	h.stop()

	h.logf("original design: %d reminders for %v", opts.burst, opts.originalWindow)
	o := opts.original
	res.Original.Design = o
	if res.Original.Measured, err = o.run(ctx, h.db, h.fake, opts.burst, opts.originalWindow); err != nil {
		return err
	}
	send := res.Original.Measured.SendTime
	res.Original.Throughput = o.throughput(send)
	res.Original.Burst = o.simulate(evenlyDue(opts.burst, 0), send)
	res.Original.Steady = o.simulate(evenlyDue(res.Steady.Reminders, opts.steadyRate), send)
	return nil
}

// bookingPart only books through the API: the dispatch part's first phase,
// on its own, to measure a change to booking quickly.
func bookingPart(ctx context.Context, opts *options, kind string, res *dbResult) error {
	h, err := openHeraldRun(ctx, opts, kind, "booking")
	if err != nil {
		return err
	}
	defer h.close()
	return h.book(ctx, res)
}

// book books opts.bookings meetings through the API into res, profiling
// Herald meanwhile when -pprof asks.
func (h *heraldRun) book(ctx context.Context, res *dbResult) (err error) {
	h.logf("booking %d meetings", h.opts.bookings)
	// A guess of the phase's length: the profile runs at least 5 s.
	stopProfile := h.profile(ctx, "booking", time.Now(), time.Duration(h.opts.bookings)*time.Millisecond)
	defer stopProfile()
	cpuUsed := h.cpuFrom(ctx, time.Now())
	res.Booking, err = runBooking(ctx, h.api, h.leads, h.opts.bookings, h.opts.concurrency, time.Now().Add(7*24*time.Hour))
	if err != nil {
		return err
	}
	res.Booking.CPU = cpuUsed()
	h.logf("booked %.0f/s, latency %v, machine CPU per meeting %s", res.Booking.perSecond(), res.Booking.Latency,
		res.Booking.CPU.String(res.Booking.Meetings, h.kind))
	return nil
}
