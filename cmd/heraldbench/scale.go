package main

import (
	"context"
	"time"
)

// scaleSample is Herald measured on one database state: its memory after
// starting and after work, how late it picks up a small burst, and how
// fast it books.
type scaleSample struct {
	// Pending counts the pending reminders when the sample starts.
	Pending int
	// Startup is from starting the process to its first healthy answer.
	Startup          time.Duration
	IdleRSS, BusyRSS int64
	PeakRSS          int64
	Pickup           dispatchResult
	Booking          bookingResult
}

// scaleResult compares Herald on an empty database with Herald on the same
// database holding many pending reminders.
type scaleResult struct {
	Empty, Full scaleSample
	// Seeded is how many pending reminders were written, and SeedTime how
	// long writing them took.
	Seeded   int
	SeedTime time.Duration
}

// runScale measures Herald on a fresh database, stops it, writes
// opts.scale pending reminders (a third as many meetings, each with the
// three default rules, spread over the next 30 days, with their leads and
// jobs), restarts it and measures again.
func runScale(ctx context.Context, opts *options, kind string) (scaleResult, error) {
	h, err := openHeraldRun(ctx, opts, kind, "scale")
	if err != nil {
		return scaleResult{}, err
	}
	defer h.close()
	var res scaleResult
	if res.Empty, err = h.sample(ctx, "pickup_empty"); err != nil {
		return res, err
	}
	h.stop()

	meetings := (opts.scale + len(defaultRules) - 1) / len(defaultRules)
	h.logf("writing %s pending reminders", thousands(int64(meetings*len(defaultRules))))
	seedStart := time.Now()
	plan := seedPlan{prefix: "scale", tenantID: h.tenantID, meetings: meetings,
		firstStart: time.Now().Add(49 * time.Hour), step: 30 * 24 * time.Hour / time.Duration(meetings), rules: defaultRules}
	if err := seed(ctx, h.db, plan); err != nil {
		return res, err
	}
	res.Seeded, res.SeedTime = meetings*len(defaultRules), time.Since(seedStart)
	h.logf("wrote them in %v", res.SeedTime.Round(time.Second))

	if err := h.start(ctx); err != nil {
		return res, err
	}
	res.Full, err = h.sample(ctx, "pickup_full")
	return res, err
}

// sample measures the running Herald: memory once started, a pickup burst,
// bookings, memory again.
func (h *heraldRun) sample(ctx context.Context, pickup string) (scaleSample, error) {
	var s scaleSample
	if err := h.db.QueryRowContext(ctx, "SELECT count(*) FROM reminders WHERE status = 'pending'").Scan(&s.Pending); err != nil {
		return s, err
	}
	s.Startup = h.startup
	// Let the process settle (leader election, first fetches) first.
	time.Sleep(time.Second)
	var err error
	if s.IdleRSS, _, err = h.server.memory(); err != nil {
		return s, err
	}
	if s.Pickup, err = h.dispatch(ctx, pickup, h.opts.pickup, 0); err != nil {
		return s, err
	}
	if s.Booking, err = runBooking(ctx, h.api, h.leads, h.opts.scaleBookings, h.opts.concurrency,
		time.Now().Add(72*time.Hour)); err != nil {
		return s, err
	}
	s.BusyRSS, s.PeakRSS, err = h.server.memory()
	return s, err
}
