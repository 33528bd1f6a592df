package main

import (
	"context"
	"time"
)

// A worker on PostgreSQL heartbeats every heartbeatInterval; one whose
// heartbeat is older than stoppedAfter is taken for stopped, and the first
// live process to notice makes the reminder jobs it had claimed runnable
// again (see sqlstore/processes.go). A SIGKILLed process's reminders are so
// taken over within stoppedAfter plus a heartbeat and a poll interval,
// under ten seconds, where the job engine's own rescue takes 30 to 75.
const (
	heartbeatInterval = time.Second
	stoppedAfter      = 6 * time.Second
)

// startHeartbeat records this process as alive before its worker fetches
// any job, then keeps it alive and takes over stopped processes' jobs
// until stop is called.
func (a *App) startHeartbeat(ctx context.Context) error {
	if _, err := a.db.Heartbeat(ctx, a.processID, true); err != nil {
		return err
	}
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	a.stopHeartbeat = func() {
		cancel()
		<-done
		forgetCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.db.ForgetProcess(forgetCtx, a.processID); err != nil {
			a.logger.Warn("Could not remove this process from the heartbeat table", "error", err)
		}
	}
	go func() {
		defer close(done)
		a.heartbeatLoop(loopCtx)
	}()
	return nil
}

func (a *App) heartbeatLoop(ctx context.Context) {
	t := time.NewTicker(heartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		callCtx, cancel := context.WithTimeout(ctx, stoppedAfter/2)
		known, err := a.db.Heartbeat(callCtx, a.processID, false)
		switch {
		case err != nil:
			a.logger.Warn("Heartbeat failed", "error", err)
		case !known:
			a.logger.Warn("This process was taken for stopped and its claimed reminders were taken over", "process", a.processID)
		}
		jobs, processes, err := a.db.TakeOverStopped(callCtx, a.processID, stoppedAfter)
		cancel()
		switch {
		case err != nil:
			a.logger.Warn("Could not take over stopped processes", "error", err)
		case processes > 0:
			a.logger.Info("Took over the reminder jobs of a stopped process", "jobs", jobs, "processes", processes)
		}
	}
}
