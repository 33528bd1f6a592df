// Package outbound delivers events to the tenants' webhook endpoints on the
// job engine: one job per delivery, in a queue of its own, signed as the
// Standard Webhooks specification says, retried on a fixed schedule, and
// sent only to addresses the guard allows. docs/EVENTS.md describes what
// tenants see.
package outbound

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river"

	"herald"
)

// DeliveryArgs are the arguments of the job that delivers one event to one
// endpoint. The job carries ids only; the worker reads the delivery when
// it runs.
type DeliveryArgs struct {
	TenantID   string `json:"tenant_id"`
	DeliveryID string `json:"delivery_id"`
}

// DeliveryJobKind is the job kind of event deliveries.
const DeliveryJobKind = "event_delivery"

// Kind implements river.JobArgs.
func (DeliveryArgs) Kind() string { return DeliveryJobKind }

// QueueEvents is the queue event deliveries run on, apart from reminders:
// a slow endpoint holds only this queue's workers.
const QueueEvents = "events"

// InsertOpts implements river.JobArgsWithInsertOpts.
func (DeliveryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueEvents}
}

// Jobs plans delivery jobs with a River client. It implements the store's
// EventScheduler.
type Jobs struct {
	client *river.Client[*sql.Tx]
}

// NewJobs returns Jobs on client.
func NewJobs(client *river.Client[*sql.Tx]) *Jobs { return &Jobs{client: client} }

// ScheduleEventDeliveries inserts one job per delivery, available at once,
// and records each job's id on its delivery.
func (j *Jobs) ScheduleEventDeliveries(ctx context.Context, tx *sql.Tx, deliveries []*herald.EventDelivery) error {
	if len(deliveries) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(deliveries))
	for i, d := range deliveries {
		params[i] = river.InsertManyParams{
			Args: DeliveryArgs{TenantID: d.TenantID, DeliveryID: d.ID},
			// The retry schedule is the worker's; the engine's own
			// attempts only bound a job that keeps failing on storage.
			InsertOpts: &river.InsertOpts{Queue: QueueEvents, MaxAttempts: 25},
		}
	}
	results, err := j.client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return fmt.Errorf("insert event delivery jobs: %w", err)
	}
	if len(results) != len(deliveries) {
		return fmt.Errorf("insert event delivery jobs: %d results for %d jobs", len(results), len(deliveries))
	}
	for i, res := range results {
		deliveries[i].JobID = res.Job.ID
	}
	return nil
}
