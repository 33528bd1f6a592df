package schedule

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// pickups counts the reminder jobs this process has started since the last
// report.
type pickups struct{ n atomic.Int64 }

// ReportPickups logs once per interval how many due reminders the worker
// picked up in it, in the original worker's words ("Found due reminders",
// with the count as an attribute); quiet intervals log nothing. It returns when ctx ends.
func (w *ReminderWorker) ReportPickups(ctx context.Context, logger *slog.Logger, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if n := w.pickups.n.Swap(0); n > 0 {
				logger.InfoContext(ctx, "Found due reminders", "count", n, "window", interval.String())
			}
		}
	}
}
