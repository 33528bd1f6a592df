package schedule

import (
	"context"
	"sync"
	"time"

	"herald"
)

// BatchDeliveryStore runs many delivery updates in one transaction, each
// with its own outcome: the store of a busy worker.
type BatchDeliveryStore interface {
	herald.DeliveryStore
	// UpdateDeliveries runs updates as UpdateDelivery would, together, and
	// returns the error of each in order. One update's failure does not
	// fail the others.
	UpdateDeliveries(ctx context.Context, updates []herald.DeliveryUpdate) []error
}

// DeliveryBatcher is a herald.DeliveryStore that gathers the updates of
// jobs running at the same moment and hands them to the store together,
// so that a burst of due reminders costs one transaction per batch instead
// of one per reminder: the claims of a burst, and their outcomes, share
// their round trips and commits. An update that arrives while nothing else
// is waiting goes to the store at once, alone, so a quiet worker pays no
// delay for it.
type DeliveryBatcher struct {
	store    BatchDeliveryStore
	flushers int
	maxBatch int

	mu      sync.Mutex
	waiting []*queuedUpdate
	running int
}

// queuedUpdate is one caller's update and where its outcome goes.
type queuedUpdate struct {
	ctx    context.Context
	update herald.DeliveryUpdate
	done   chan error
}

// batchTimeout bounds one batch's transaction. Callers wait for their
// batch even when their own context ends, since decide may already have
// run for them.
const batchTimeout = 30 * time.Second

// NewDeliveryBatcher returns a batcher over store that runs at most
// flushers transactions at once, each with at most maxBatch updates.
func NewDeliveryBatcher(store BatchDeliveryStore, flushers, maxBatch int) *DeliveryBatcher {
	return &DeliveryBatcher{store: store, flushers: max(flushers, 1), maxBatch: max(maxBatch, 1)}
}

// UpdateDelivery implements herald.DeliveryStore: it queues the update
// and waits for the batch that carries it.
func (b *DeliveryBatcher) UpdateDelivery(ctx context.Context, tenantID, reminderID string, decide func(*herald.DeliveryState) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	q := &queuedUpdate{ctx: ctx, update: herald.DeliveryUpdate{TenantID: tenantID, ReminderID: reminderID, Decide: decide},
		done: make(chan error, 1)}
	b.mu.Lock()
	b.waiting = append(b.waiting, q)
	if b.running < b.flushers {
		// Flushers live only while updates wait, so the batcher needs no
		// start or stop.
		b.running++
		go b.flush()
	}
	b.mu.Unlock()
	return <-q.done
}

// flush runs batches until no update waits.
func (b *DeliveryBatcher) flush() {
	for {
		b.mu.Lock()
		n := min(len(b.waiting), b.maxBatch)
		if n == 0 {
			b.running--
			b.mu.Unlock()
			return
		}
		batch := append([]*queuedUpdate(nil), b.waiting[:n]...)
		b.waiting = append(b.waiting[:0], b.waiting[n:]...)
		b.mu.Unlock()
		b.run(batch)
	}
}

// run hands one batch to the store and tells each caller its outcome.
// Callers whose context ended while they waited are told so and left out.
func (b *DeliveryBatcher) run(batch []*queuedUpdate) {
	live := batch[:0]
	for _, q := range batch {
		if err := q.ctx.Err(); err != nil {
			q.done <- err
			continue
		}
		live = append(live, q)
	}
	switch len(live) {
	case 0:
		return
	case 1:
		q := live[0]
		q.done <- b.store.UpdateDelivery(q.ctx, q.update.TenantID, q.update.ReminderID, q.update.Decide)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	updates := make([]herald.DeliveryUpdate, len(live))
	for i, q := range live {
		updates[i] = q.update
	}
	errs := b.store.UpdateDeliveries(ctx, updates)
	for i, q := range live {
		q.done <- errs[i]
	}
}
