package main

import (
	"context"
	"time"
)

// pruneBatch is the most rows of one kind a pruning transaction deletes.
const pruneBatch = 500

// pruneLoop deletes what has outlived its retention (sqlstore.PruneOnce)
// a minute after the worker starts, then every interval, until ctx ends.
// Several processes pruning at once only share the work.
func (a *App) pruneLoop(ctx context.Context, interval time.Duration) {
	wait := time.Minute
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = interval
		began := time.Now()
		rep, err := a.store.PruneOnce(ctx, pruneBatch)
		if err != nil {
			a.logger.Warn("Pruning old data failed; next try at the next interval", "error", err)
			continue
		}
		if rep.Total() > 0 {
			a.logger.Info("Pruned data past its retention", "meetings", rep.Meetings, "reminders", rep.Reminders,
				"attempts", rep.Attempts, "audit", rep.Audit, "events", rep.Events,
				"idempotency_keys", rep.IdempotencyKeys, "webhook_records", rep.WebhookRecords,
				"took_ms", time.Since(began).Milliseconds())
		}
	}
}
