package main

import (
	"fmt"
	"strings"
	"time"
)

// heraldRows are Herald's own figures.
func (rep report) heraldRows() []row {
	o := rep.opts
	return []row{
		{fmt.Sprintf("Booking: %s meetings through the API, %d at once", thousands(int64(o.bookings)), o.concurrency),
			func(r dbResult) string { return rate(r.Booking.perSecond()) }},
		{"Booking latency p50 / p99", func(r dbResult) string {
			return ms(r.Booking.Latency.P50) + " / " + ms(r.Booking.Latency.P99)
		}},
		{"Booking: machine CPU per meeting", func(r dbResult) string {
			return r.Booking.CPU.String(r.Booking.Meetings, r.Kind)
		}},
		{"Burst: " + thousands(int64(o.burst)) + " due at one instant, all handed over after",
			func(r dbResult) string { return ms(r.Burst.Drain) }},
		{"Burst throughput", func(r dbResult) string { return rate(r.Burst.throughput()) }},
		{"Burst lateness p50 / p99 / max", func(r dbResult) string { return r.Burst.Lateness.String() }},
		{"The burst again on herald's default settings (no `REMINDER_*` variables): handed over after; throughput (÷ the tuned burst's)",
			func(r dbResult) string {
				if r.Defaults.Reminders == 0 {
					return "–"
				}
				return ms(r.Defaults.Drain) + "; " + rate(r.Defaults.throughput()) + " (" +
					ratio(r.Defaults.throughput(), r.Burst.throughput()) + ")"
			}},
		{"Sustained rate: phase", func(r dbResult) string { return phaseLabel(r.Sustain) }},
		{"Sustained rate: handed over per second", func(r dbResult) string { return rate(r.Sustain.throughput()) }},
		{"Sustained rate: lateness p50 / p99 / max", func(r dbResult) string { return r.Sustain.Lateness.String() }},
		{fmt.Sprintf("Steady %s/s for %v: lateness p50 / p99 / max", thousands(int64(o.steadyRate)), o.steadyFor),
			func(r dbResult) string { return r.Steady.Lateness.String() }},
		{"Steady: sent_at − scheduled_at p50 / p99 / max", func(r dbResult) string { return r.Steady.Recorded.String() }},
		{"Machine CPU per reminder, herald + database (from `/proc`): burst / sustained / steady", func(r dbResult) string {
			return cpuCells(r, func(d dispatchResult) time.Duration { return d.cpuPerReminder() })
		}},
		{"… of which herald: burst / sustained / steady", func(r dbResult) string {
			return cpuCells(r, func(d dispatchResult) time.Duration { return d.CPU.Herald / time.Duration(max(d.Reminders, 1)) })
		}},
		{"Duplicates / never received / not `sent`, all phases", func(r dbResult) string {
			var dup, missing, notSent int
			for _, d := range []dispatchResult{r.Burst, r.Sustain, r.Steady, r.Defaults, r.Scale.Empty.Pickup, r.Scale.Full.Pickup} {
				dup, missing, notSent = dup+d.Duplicates, missing+d.Missing, notSent+d.NotSent
			}
			return fmt.Sprintf("%d / %d / %d", dup, missing, notSent)
		}},
		{"herald resident memory after the dispatch phases", func(r dbResult) string { return mib(r.RSS) }},
	}
}

// baselineRows compare Herald with the engine alone and with the original
// design.
func (rep report) baselineRows() []row {
	o := rep.opts
	od := o.original
	return []row{
		{"Engine alone: " + thousands(int64(o.burst)) + " no-op jobs due at one instant, all started after",
			func(r dbResult) string { return ms(r.Engine.Drain) }},
		{"Engine alone: throughput; lateness p50 / p99 / max", func(r dbResult) string {
			return rate(r.Engine.throughput()) + "; " + r.Engine.Lateness.String()
		}},
		{"**Herald's burst throughput ÷ the engine's**", func(r dbResult) string {
			return ratio(r.Burst.throughput(), r.Engine.throughput())
		}},
		{fmt.Sprintf("Original design (poll %v, %d per batch, one send at a time), measured for %v: scans, sent",
			od.Poll, od.Batch, o.originalWindow), func(r dbResult) string {
			return fmt.Sprintf("%d scans, %d sent", r.Original.Measured.Scans, r.Original.Measured.Sent)
		}},
		{"Original, measured: time per send; lateness p50 / p99 / max of those sent", func(r dbResult) string {
			return ms(r.Original.Measured.SendTime) + "; " + r.Original.Measured.Lateness.String()
		}},
		{"Original, worked out: most it can send", func(r dbResult) string { return rate(r.Original.Throughput) }},
		{"Original, worked out: the burst of " + thousands(int64(o.burst)) + " handed over after",
			func(r dbResult) string { return ms(r.Original.Burst.Drain) }},
		{"Original, worked out: burst lateness p50 / p99 / max", func(r dbResult) string { return r.Original.Burst.Lateness.String() }},
		{fmt.Sprintf("Original, worked out: steady %s/s for %v, lateness p50 / p99 / max", thousands(int64(o.steadyRate)), o.steadyFor),
			func(r dbResult) string { return r.Original.Steady.Lateness.String() }},
		{"**Herald ÷ original: throughput (burst)**", func(r dbResult) string {
			return ratio(r.Burst.throughput(), r.Original.Throughput)
		}},
		{"**Original ÷ Herald: p99 lateness, burst and steady**", func(r dbResult) string {
			return ratio(float64(r.Original.Burst.Lateness.P99), float64(r.Burst.Lateness.P99)) + " and " +
				ratio(float64(r.Original.Steady.Lateness.P99), float64(r.Steady.Lateness.P99))
		}},
	}
}

// scaleRows compare the two states of the scale phase.
func (rep report) scaleRows() []row {
	pair := func(f func(s scaleSample) string) func(r dbResult) string {
		return func(r dbResult) string { return f(r.Scale.Empty) + " → " + f(r.Scale.Full) }
	}
	return []row{
		{"Pending reminders", pair(func(s scaleSample) string { return thousands(int64(s.Pending)) })},
		{"Time to write the pending reminders (meetings, leads, reminders, jobs)", func(r dbResult) string {
			return ms(r.Scale.SeedTime)
		}},
		{"herald start to first healthy answer", pair(func(s scaleSample) string { return ms(s.Startup) })},
		{"herald resident memory, idle after start", pair(func(s scaleSample) string { return mib(s.IdleRSS) })},
		{"herald resident memory after pickup and bookings (peak)", pair(func(s scaleSample) string {
			return mib(s.BusyRSS) + " (" + mib(s.PeakRSS) + ")"
		})},
		{fmt.Sprintf("Pickup: %d due at one instant, lateness p50 / p99 / max", rep.opts.pickup),
			pair(func(s scaleSample) string { return s.Pickup.Lateness.String() })},
		{fmt.Sprintf("Booking: %s meetings, %d at once", thousands(int64(rep.opts.scaleBookings)), rep.opts.concurrency),
			pair(func(s scaleSample) string { return rate(s.Booking.perSecond()) })},
	}
}

// targetRows hold the goals against what was measured.
func (rep report) targetRows() []row {
	sustainGoal := map[string]float64{kindPostgres: 2000, kindSQLite: 1000}
	bookingGoal := map[string]float64{kindPostgres: 3000, kindSQLite: 2000}
	burstGoal := map[string]time.Duration{kindPostgres: 1500 * time.Millisecond, kindSQLite: 3 * time.Second}
	return []row{
		{"Booking through the API: ≥ 3,000/s on PostgreSQL, ≥ 2,000/s on SQLite, p99 < 50 ms", func(r dbResult) string {
			got, p99 := r.Booking.perSecond(), r.Booking.Latency.P99
			value := rate(got) + ", p99 " + ms(p99)
			switch goal := bookingGoal[r.Kind]; {
			case got < goal:
				return verdict(false, value, shortBy(got, goal))
			case p99 >= 50*time.Millisecond:
				return verdict(false, value, ms(p99-50*time.Millisecond)+" of p99")
			}
			return verdict(true, value, "")
		}},
		{"10,000 due at one instant handed over within 1.5 s on PostgreSQL, 3 s on SQLite", func(r dbResult) string {
			if r.Burst.Reminders < 10_000 {
				return "not measured (burst of " + thousands(int64(r.Burst.Reminders)) + ")"
			}
			goal := burstGoal[r.Kind]
			return verdict(r.Burst.Drain <= goal, ms(r.Burst.Drain), ms(r.Burst.Drain-goal))
		}},
		{"Herald's default settings within 20 % of the tuned burst throughput", func(r dbResult) string {
			if r.Defaults.Reminders == 0 {
				return "not measured"
			}
			q := r.Defaults.throughput() / max(r.Burst.throughput(), 1)
			return verdict(q >= 0.8, fmt.Sprintf("×%.2f", q), shortBy(q, 0.8))
		}},
		{"Dispatch sustained: ≥ 2,000/s on PostgreSQL, ≥ 1,000/s on SQLite (burst throughput, and keeping pace with the sustained phase)",
			func(r dbResult) string {
				goal := sustainGoal[r.Kind]
				got := r.Burst.throughput()
				value := fmt.Sprintf("%s burst; %s phase p99 %s", rate(got), rate(r.Sustain.Rate), ms(r.Sustain.Lateness.P99))
				switch {
				case r.Sustain.Rate < goal:
					return "not measured (sustained phase at " + rate(r.Sustain.Rate) + ")"
				case r.Sustain.Lateness.P99 >= time.Second:
					return "**missed**, fell behind the sustained phase: " + value
				}
				return verdict(got >= goal, value, shortBy(got, goal))
			}},
		{"Steady 500/s: p99 lateness < 250 ms (PostgreSQL)", func(r dbResult) string {
			p99 := r.Steady.Lateness.P99
			if r.Steady.Rate < 500 {
				return "not measured (steady " + rate(r.Steady.Rate) + ")"
			}
			return verdict(p99 < 250*time.Millisecond, ms(p99), ms(p99-250*time.Millisecond)+" over")
		}},
		{"Machine CPU per dispatched reminder ≤ 200 µs, herald + database (burst)", func(r dbResult) string {
			per := r.Burst.cpuPerReminder()
			if r.Burst.Reminders == 0 || per == 0 {
				return "not measured"
			}
			return verdict(per <= 200*time.Microsecond, us(per), us(per-200*time.Microsecond))
		}},
		{"Herald's dispatch ≥ half the engine's no-op throughput", func(r dbResult) string {
			q := r.Burst.throughput() / max(r.Engine.throughput(), 1)
			return verdict(q >= 0.5, fmt.Sprintf("%.2f", q), shortBy(q, 0.5))
		}},
		{"Memory flat in pending reminders (within 25 %)", func(r dbResult) string {
			q := float64(r.Scale.Full.BusyRSS) / float64(max(r.Scale.Empty.BusyRSS, 1))
			return verdict(q <= 1.25, fmt.Sprintf("×%.2f", q), fmt.Sprintf("%.0f %% over", 100*(q-1.25)))
		}},
		{"Pickup not slower with pending reminders (p99 within ×1.5 + 100 ms)", func(r dbResult) string {
			e, f := r.Scale.Empty.Pickup.Lateness.P99, r.Scale.Full.Pickup.Lateness.P99
			limit := e*3/2 + 100*time.Millisecond
			return verdict(f <= limit, ms(e)+" → "+ms(f), ms(f-limit)+" over")
		}},
	}
}

// cpuCells shows a CPU figure of the three dispatch phases, "–" for a
// phase not measured.
func cpuCells(r dbResult, per func(dispatchResult) time.Duration) string {
	cells := make([]string, 0, 3)
	for _, d := range []dispatchResult{r.Burst, r.Sustain, r.Steady} {
		if d.Reminders == 0 || d.CPU == (cpuUse{}) {
			cells = append(cells, "–")
			continue
		}
		cells = append(cells, us(per(d)))
	}
	return strings.Join(cells, " / ")
}

// verdict shows a value with whether it meets its goal and, when it does
// not, by how much it misses.
func verdict(met bool, value, miss string) string {
	if met {
		return "met: " + value
	}
	return "**missed** by " + miss + ": " + value
}

// shortBy says how far got falls below goal, in percent of the goal.
func shortBy(got, goal float64) string {
	return fmt.Sprintf("%.0f %%", 100*(goal-got)/goal)
}

// methodNotes explains what the figures mean.
const methodNotes = `How to read it:
- *Lateness* is the time from a reminder's ` + "`scheduled_at`" + ` to the moment the fake provider received its
  message (the hand-over), both on this machine's clock. ` + "`sent_at`" + ` is written by Herald after the provider
  answered, so it adds the provider's answer time.
- Dispatch reminders are written in bulk straight into the database (meetings, leads, pending reminders and
  their jobs in state ` + "`scheduled`" + `, as a booking writes them, without the booking's audit rows), due at least
  6 s later: the job engine promotes scheduled jobs every 5 s, which no real reminder (planned minutes to days
  ahead) ever waits for. Bookings go through the HTTP API.
- Duplicates are messages the provider received beyond the first for one reminder, matched through the
  reference (` + "`client-ref`" + `) each attempt carries.
- The engine baseline runs River in the benchmark's process on a fresh database with Herald's queue settings
  (poll interval, fetch cooldown, workers) and jobs that do nothing.
- The original design runs in the benchmark's process over a table of its own on the same database: it scans
  every poll interval, takes up to 50 due reminders, sends them one at a time to the same fake provider and
  records each. Its first scan runs half a poll after the burst is due (the mean wait). It runs only for its
  window; the whole burst and the steady rate are worked out from its scan schedule with the send time
  measured here ("worked out" rows).
- *Machine CPU per reminder* is the user and system CPU time, read from ` + "`/proc/<pid>/stat`" + `, that the
  herald process and every PostgreSQL server process on the machine (` + "`postgres`" + `, backends and background
  workers; exited backends through the server's children's times) used from a phase's first due time until
  Herald had recorded every outcome, divided by the phase's reminders. It counts herald's idle polling in that
  window, and everything else the PostgreSQL server did meanwhile: on a shared server, other clients' work too.
  On SQLite it is herald's alone (the database runs inside it). Unlike rates, it hardly changes when other
  programs compete for the cores.
- The burst on default settings runs right after the first burst: it restarts herald on the same database without ` + "`REMINDER_BATCH_SIZE`" + ` and
  ` + "`REMINDER_POLL_INTERVAL`" + `, so herald chooses its workers itself (` + "`schedule.WorkersFor`" + `) and polls every 250 ms, then
  restarts it on the benchmark's settings for the other phases.
- The scale phase stops herald, writes the pending reminders in bulk (spread over the next 30 days, three per
  meeting), and starts herald again on the same database.
`
