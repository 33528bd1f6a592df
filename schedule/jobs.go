// Package schedule runs reminders on the River job engine: it plans one job
// per reminder, due at the reminder's time, inside the transaction that
// books or moves the meeting, and removes jobs that must no longer run.
package schedule

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"herald"
)

// ReminderArgs are the arguments of the job that sends one reminder. The
// job carries ids only: the worker reads the reminder's current state when
// it runs, so a changed meeting or lead is always seen.
type ReminderArgs struct {
	ReminderID string `json:"reminder_id"`
	TenantID   string `json:"tenant_id"`
}

// ReminderJobKind is the job kind of reminders.
const ReminderJobKind = "reminder"

// Kind implements river.JobArgs.
func (ReminderArgs) Kind() string { return ReminderJobKind }

// QueueReminders is the queue reminder jobs run on.
const QueueReminders = "reminders"

// InsertOpts implements river.JobArgsWithInsertOpts.
func (ReminderArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueReminders}
}

// Jobs plans and removes reminder jobs with a River client. It implements
// the store's JobScheduler.
type Jobs struct {
	client *river.Client[*sql.Tx]
}

// NewJobs returns Jobs on client.
func NewJobs(client *river.Client[*sql.Tx]) *Jobs {
	return &Jobs{client: client}
}

// ScheduleReminders inserts one job per reminder, scheduled at its time,
// and records each job's id on its reminder.
func (j *Jobs) ScheduleReminders(ctx context.Context, tx *sql.Tx, reminders []*herald.Reminder) error {
	if len(reminders) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(reminders))
	for i, r := range reminders {
		params[i] = river.InsertManyParams{
			Args: ReminderArgs{ReminderID: r.ID, TenantID: r.TenantID},
			InsertOpts: &river.InsertOpts{
				Queue:       QueueReminders,
				ScheduledAt: r.ScheduledAt,
				// Herald's own retry policy decides; the engine's attempts
				// only bound a job that keeps crashing.
				MaxAttempts: 25,
			},
		}
	}
	results, err := j.client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return fmt.Errorf("insert reminder jobs: %w", err)
	}
	if len(results) != len(reminders) {
		return fmt.Errorf("insert reminder jobs: %d results for %d jobs", len(results), len(reminders))
	}
	for i, res := range results {
		reminders[i].JobID = res.Job.ID
	}
	return nil
}

// UnscheduleReminder deletes a reminder's job. A job already gone needs
// nothing; a job already running finds its reminder no longer pending when
// it locks it, and does nothing.
func (j *Jobs) UnscheduleReminder(ctx context.Context, tx *sql.Tx, jobID int64) error {
	_, err := j.client.JobDeleteTx(ctx, tx, jobID)
	if err == nil || errors.Is(err, river.ErrNotFound) || errors.Is(err, rivertype.ErrJobRunning) {
		return nil
	}
	return fmt.Errorf("delete reminder job %d: %w", jobID, err)
}
