package main

import (
	"context"
	"fmt"
	"time"
)

// dueLead is how far ahead the dispatch phases schedule their first
// reminder: the job engine promotes scheduled jobs every 5 s, so a job due
// sooner than that after its insert may wait for the next promotion, which
// no real reminder (planned minutes to days ahead) ever does.
const dueLead = 6 * time.Second

// seedTimePerRow is a generous bound on the time to write one reminder with
// its meeting, lead and job, even on a busy machine: the first reminder
// is scheduled that much later per reminder written.
const seedTimePerRow = 200 * time.Microsecond

// dispatchResult is what one dispatch phase measured. Lateness is the
// time from a reminder's scheduled_at to the moment the fake provider
// received its message (the hand-over); Recorded is sent_at, which Herald
// writes after the provider answered, minus scheduled_at.
type dispatchResult struct {
	Name      string
	Reminders int
	// Rate is how many reminders were due per second; 0 for a burst
	// due at one instant.
	Rate float64
	// Drain is from the first reminder's due time to the last hand-over.
	Drain      time.Duration
	Lateness   spread
	Recorded   spread
	Duplicates int
	// Missing counts reminders the provider never received; NotSent those
	// whose status is not sent at the end.
	Missing, NotSent int
	// CPU is the machine CPU time herald and the database used from the
	// first due time until every outcome was recorded.
	CPU cpuUse
}

// cpuPerReminder is the machine CPU time, herald and database, per
// reminder of the phase.
func (d dispatchResult) cpuPerReminder() time.Duration { return d.CPU.perReminder(d.Reminders) }

// throughput is reminders handed over per second from the first due time
// to the last hand-over.
func (d dispatchResult) throughput() float64 {
	if d.Drain <= 0 {
		return 0
	}
	return float64(d.Reminders-d.Missing) / d.Drain.Seconds()
}

// dispatch seeds n reminders, one per meeting, due dueLead from now: all
// at once when perSecond is 0, else perSecond of them each second. It
// waits until the provider has received them all and Herald has recorded
// every outcome, then measures.
func (h *heraldRun) dispatch(ctx context.Context, name string, n int, perSecond float64) (dispatchResult, error) {
	var step, span time.Duration
	if perSecond > 0 {
		step = time.Duration(float64(time.Second) / perSecond)
		span = time.Duration(n-1) * step
	}
	// Seeding takes a moment per row; the first reminder must still be
	// dueLead away when the last row is written.
	due := time.Now().Add(dueLead + time.Duration(n)*seedTimePerRow).Truncate(time.Millisecond)
	plan := seedPlan{prefix: name, tenantID: h.tenantID, meetings: n, firstStart: due.Add(time.Hour), step: step,
		rules: oneHourRule}
	mark := h.fake.count()
	if err := seed(ctx, h.db, plan); err != nil {
		return dispatchResult{}, err
	}
	if left := time.Until(due); left < 5*time.Second {
		return dispatchResult{}, fmt.Errorf("%s: seeding %d reminders took too long (due in %v only)", name, n, left)
	}
	stopProfile := h.profile(ctx, name, due, span)
	defer stopProfile()
	cpuUsed := h.cpuFrom(ctx, due)
	// The deadline allows for as little as 50 reminders a second.
	deadline := due.Add(span + time.Minute + time.Duration(n)*20*time.Millisecond)
	if err := h.waitDelivered(ctx, plan, mark, n, deadline); err != nil {
		return dispatchResult{}, err
	}
	used := cpuUsed()
	res, err := h.measure(ctx, plan, mark)
	res.Name, res.Rate, res.CPU = name, perSecond, used
	if err == nil && res.NotSent > 0 {
		// A phase cut short leaves work behind; let Herald finish it so
		// that the next phase is measured alone.
		err = h.waitDelivered(ctx, plan, mark, n, time.Now().Add(5*time.Minute))
	}
	return res, err
}

// waitDelivered waits until the provider has received n messages since
// mark and no reminder of the plan is still pending or sending, or until
// deadline; a phase cut short is measured as it stands.
func (h *heraldRun) waitDelivered(ctx context.Context, plan seedPlan, mark, n int, deadline time.Time) error {
	for time.Now().Before(deadline) {
		if h.fake.count()-mark >= n {
			var open int
			err := h.db.QueryRowContext(ctx, `SELECT count(*) FROM reminders WHERE id LIKE $1
				AND status IN ('pending', 'sending')`, plan.reminderPattern()).Scan(&open)
			if err != nil {
				return err
			}
			if open == 0 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	h.logf("%s: deadline passed with %d of %d messages received; measuring what arrived", plan.prefix,
		h.fake.count()-mark, n)
	return nil
}

// reminderRow is what measure reads of one reminder and one attempt.
type reminderRow struct {
	scheduled time.Time
	sentAt    *time.Time
	status    string
}

// measure matches what the provider received since mark with the plan's
// reminders through the attempts' references (the client-ref of each
// message), and computes lateness, duplicates and losses.
func (h *heraldRun) measure(ctx context.Context, plan seedPlan, mark int) (dispatchResult, error) {
	rows, err := h.db.QueryContext(ctx, `SELECT r.id, r.scheduled_at, r.status, r.sent_at, a.reference
		FROM reminders r LEFT JOIN attempts a ON a.reminder_id = r.id
		WHERE r.id LIKE $1 AND r.tenant_id = $2`, plan.reminderPattern(), plan.tenantID)
	if err != nil {
		return dispatchResult{}, fmt.Errorf("measure %s: %w", plan.prefix, err)
	}
	defer rows.Close()
	reminders := map[string]*reminderRow{}
	byReference := map[string]string{}
	for rows.Next() {
		var id, status string
		var ref *string
		var scheduled, sent dbTime
		if err := rows.Scan(&id, &scheduled, &status, &sent, &ref); err != nil {
			return dispatchResult{}, fmt.Errorf("measure %s: %w", plan.prefix, err)
		}
		reminders[id] = &reminderRow{scheduled: scheduled.t, sentAt: sent.ptr(), status: status}
		if ref != nil {
			byReference[*ref] = id
		}
	}
	if err := rows.Err(); err != nil {
		return dispatchResult{}, err
	}
	res := dispatchResult{Reminders: len(reminders)}
	firstReceived := map[string]time.Time{}
	var earliestDue, lastHandOver time.Time
	for _, rc := range h.fake.since(mark) {
		id, ours := byReference[rc.ref]
		if !ours {
			continue
		}
		if _, seen := firstReceived[id]; seen {
			res.Duplicates++
			continue
		}
		firstReceived[id] = rc.at
		lastHandOver = later(lastHandOver, rc.at)
	}
	var lateness, recorded []time.Duration
	for id, r := range reminders {
		if earliestDue.IsZero() || r.scheduled.Before(earliestDue) {
			earliestDue = r.scheduled
		}
		if r.status != "sent" {
			res.NotSent++
		}
		if r.sentAt != nil {
			recorded = append(recorded, r.sentAt.Sub(r.scheduled))
		}
		at, ok := firstReceived[id]
		if !ok {
			res.Missing++
			continue
		}
		lateness = append(lateness, at.Sub(r.scheduled))
	}
	res.Lateness, res.Recorded = spreadOf(lateness), spreadOf(recorded)
	if !lastHandOver.IsZero() {
		res.Drain = lastHandOver.Sub(earliestDue)
	}
	return res, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
