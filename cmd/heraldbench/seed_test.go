package main

import (
	"context"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/schedule"
	"herald/sqlstore"
)

// TestSeedWritesWhatBookingWrites seeds meetings in bulk and checks that
// Herald's store reads them back as booked meetings with pending
// reminders, and that each reminder's job is scheduled at the reminder's
// time and names it, exactly as for a meeting booked through the store.
func TestSeedWritesWhatBookingWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		client, err := schedule.NewInsertClient(db.RiverDriver())
		if err != nil {
			t.Fatal(err)
		}
		store := sqlstore.New(db, schedule.NewJobs(client), sqlstore.Options{})
		tenant, _, err := store.CreateTenant(ctx, "Seed")
		if err != nil {
			t.Fatal(err)
		}
		lead, err := store.CreateLead(ctx, tenant.ID, herald.LeadInput{Name: "John", Phone: "+14155552671"})
		if err != nil {
			t.Fatal(err)
		}
		firstStart := time.Now().Add(48 * time.Hour).Truncate(time.Second).UTC()
		booked, _, err := store.BookMeeting(ctx, tenant.ID, herald.BookMeetingInput{LeadID: lead.ID, Title: "Demo",
			StartsAt: firstStart}, herald.Idempotency{})
		if err != nil {
			t.Fatal(err)
		}
		plan := seedPlan{prefix: "t", tenantID: tenant.ID, meetings: 3, firstStart: firstStart,
			step: 90*time.Second + 250*time.Microsecond, rules: defaultRules}
		if err := seed(ctx, db, plan); err != nil {
			t.Fatal(err)
		}

		for g, id := range []string{"mtg_t_1", "mtg_t_2", "mtg_t_3"} {
			m, err := store.Meeting(ctx, tenant.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			wantStart := firstStart.Add(time.Duration(g) * plan.step)
			if !m.StartsAt.Equal(wantStart) || m.Status != herald.MeetingScheduled || len(m.Reminders) != 3 {
				t.Fatalf("seeded %s = starts %v status %s with %d reminders, want starts %v, scheduled, 3",
					id, m.StartsAt, m.Status, len(m.Reminders), wantStart)
			}
			for i, r := range m.Reminders {
				b := booked.Reminders[i]
				if r.Rule != b.Rule || r.Template != b.Template || r.Status != herald.ReminderPending ||
					!r.ScheduledAt.Equal(wantStart.Add(-defaultRules[i].offset)) || r.MaxRetries != b.MaxRetries {
					t.Errorf("seeded reminder %+v, booked %+v", r, b)
				}
				wantJob(t, db, r, tenant.ID)
			}
		}
		for _, b := range booked.Reminders {
			wantJob(t, db, b, tenant.ID)
		}
		var jobs int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM river_job WHERE state = 'scheduled'").Scan(&jobs); err != nil {
			t.Fatal(err)
		}
		if jobs != 12 {
			t.Errorf("%d scheduled jobs, want 12 (3 booked and 9 seeded)", jobs)
		}
	})
}

// wantJob checks that the job that r's row names is the engine's
// scheduled reminder job for r, due at its time, as the engine compares it.
func wantJob(t *testing.T, db *sqlstore.DB, r herald.Reminder, tenantID string) {
	t.Helper()
	ctx := context.Background()
	var jobID int64
	if err := db.QueryRowContext(ctx, "SELECT job_id FROM reminders WHERE id = $1", r.ID).Scan(&jobID); err != nil {
		t.Fatal(err)
	}
	var kind, queue, state string
	var maxAttempts int
	err := db.QueryRowContext(ctx, `SELECT kind, queue, state, max_attempts FROM river_job WHERE id = $1
		AND scheduled_at = $2`, jobID, jobTimeSQL(db.Name(), r.ScheduledAt)).Scan(&kind, &queue, &state, &maxAttempts)
	if err != nil {
		t.Fatalf("job %d of %s due %v: %v", jobID, r.ID, r.ScheduledAt, err)
	}
	if kind != schedule.ReminderJobKind || queue != schedule.QueueReminders || state != "scheduled" || maxAttempts != 25 {
		t.Errorf("job of %s: kind %s queue %s state %s max attempts %d", r.ID, kind, queue, state, maxAttempts)
	}
	var reminderID, tenant string
	err = db.QueryRowContext(ctx, jobArgsQuery[db.Name()], jobID).Scan(&reminderID, &tenant)
	if err != nil || reminderID != r.ID || tenant != tenantID {
		t.Errorf("job %d args name %s of %s (%v), want %s of %s", jobID, reminderID, tenant, err, r.ID, tenantID)
	}
}

// jobArgsQuery reads a job's arguments on each database.
var jobArgsQuery = map[string]string{
	kindPostgres: "SELECT args->>'reminder_id', args->>'tenant_id' FROM river_job WHERE id = $1",
	kindSQLite:   "SELECT json_extract(args, '$.reminder_id'), json_extract(args, '$.tenant_id') FROM river_job WHERE id = $1",
}
