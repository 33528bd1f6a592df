package e2e

import (
	"strings"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/sqlstore"
	"herald/vonage/vonagetest"
)

// TestRemindersGoOutOnTime books 200 reminders due over five seconds and
// reports how late each was handed to the provider (sent_at minus
// scheduled_at) with the real job engine polling every 50 ms (on time to the
// second). It runs before the parallel tests, with only its two databases
// side by side, so the numbers are the engine's and not the other tests'.
// The bound it asserts is loose: it catches a broken engine
// configuration, not a slow machine.
func TestRemindersGoOutOnTime(t *testing.T) {
	skipShort(t)
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		const (
			reminders = 200
			spread    = 5 * time.Second
			bound     = 5 * time.Second
		)
		fake := vonagetest.NewServer(t)
		worker := startInProcess(t, db, fake, 50*time.Millisecond, 5*time.Second)
		f := newFixture(t, db, worker.jobs)
		// At least 6 s ahead: the engine's leader promotes scheduled jobs
		// every 5 s, looking 5 s ahead, so a job booked less than 5 s
		// before its time could wait for the next round. Reminder i is
		// booked about i×(booking time)/200 after the first and due i×25 ms
		// after it, so each is booked 6 s ahead or more unless booking
		// takes over 25 ms a meeting.
		booking := time.Now()
		first := booking.Add(6 * time.Second)
		f.bookDue(t, reminders, func(i int) time.Time { return first.Add(time.Duration(i) * spread / reminders) })
		if took := time.Since(booking); took > spread {
			t.Logf("booking took %v, so the last reminders were booked less than 6 s ahead", took.Round(time.Millisecond))
		}

		counts := waitSettled(t, db, reminders, time.Until(first)+spread+30*time.Second)
		if counts[herald.ReminderSent] != reminders {
			t.Fatalf("reminders by status %v, want all %d sent", counts, reminders)
		}
		late := make([]time.Duration, 0, reminders)
		for _, r := range f.reminders(t) {
			late = append(late, r.SentAt.Sub(r.ScheduledAt))
		}
		sortDurations(late)
		p50, p99, worst := percentile(late, 50), percentile(late, 99), late[len(late)-1]
		t.Logf("%s: %d reminders over %v, lateness p50 %v, p99 %v, max %v (earliest %v)", db.Name(), reminders, spread,
			p50.Round(time.Millisecond), p99.Round(time.Millisecond), worst.Round(time.Millisecond), late[0].Round(time.Millisecond))
		if worst > time.Second {
			// Show what the engine said about its leader and its promotion
			// of scheduled jobs, which explain most lateness.
			for _, line := range strings.Split(tailOf(worker.logPath, 10000), "\n") {
				if strings.Contains(line, "leader") || strings.Contains(line, "JobScheduler") || strings.Contains(line, "level=ERROR") {
					t.Log(line)
				}
			}
		}
		if worst > bound {
			t.Errorf("a reminder went out %v late, more than %v", worst, bound)
		}
	})
}
