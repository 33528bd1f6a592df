package smsroute

import (
	"context"
	"errors"
	"testing"
	"time"

	"herald"
)

// grantedSlots is a SlotSource whose slots come when the test grants them.
type grantedSlots struct {
	grant  chan struct{}
	paused chan time.Duration
}

func (g *grantedSlots) Reserve(ctx context.Context, _ string, _ time.Duration) (time.Duration, error) {
	select {
	case <-g.grant:
		return 0, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (g *grantedSlots) Pause(_ context.Context, _ string, d time.Duration) error {
	g.paused <- d
	return nil
}

// queued waits until n messages wait for the account.
func queued(t *testing.T, p *DeadlinePacer, account string, n int) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(time.Millisecond) {
		p.mu.Lock()
		got := len(p.accounts[account].waiters.items)
		p.mu.Unlock()
		if got == n {
			return
		}
	}
	t.Fatalf("%d messages never waited", n)
}

// servedOrder queues turns one after another, then grants one slot at a
// time and returns the order in which they were served.
func servedOrder(t *testing.T, fifo bool, turns []herald.SendTurn) []int {
	t.Helper()
	src := &grantedSlots{grant: make(chan struct{}), paused: make(chan time.Duration, 1)}
	p := NewDeadlinePacer(DeadlinePacerConfig{Source: src, FIFO: fifo})
	p.SetLimit("vonage", 10)
	served := make(chan int, len(turns))
	for i, turn := range turns {
		go func() {
			if err := p.Take(context.Background(), "vonage", turn); err != nil {
				t.Error(err)
			}
			served <- i
		}()
		queued(t, p, "vonage", i+1)
	}
	var order []int
	for range turns {
		src.grant <- struct{}{}
		order = append(order, <-served)
	}
	return order
}

// TestSoonestMeetingGetsTheNextSlot: the waiting message whose meeting
// starts soonest gets each slot, then the one due first; in FIFO order
// they go as they came.
func TestSoonestMeetingGetsTheNextSlot(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	turns := []herald.SendTurn{
		{ReminderID: "24h", MeetingStartsAt: now.Add(24 * time.Hour), DueAt: now},
		{ReminderID: "10m late", MeetingStartsAt: now.Add(10 * time.Minute), DueAt: now.Add(time.Second)},
		{ReminderID: "1h", MeetingStartsAt: now.Add(time.Hour), DueAt: now},
		{ReminderID: "10m", MeetingStartsAt: now.Add(10 * time.Minute), DueAt: now},
	}
	if got, want := servedOrder(t, false, turns), []int{3, 1, 2, 0}; !equal(got, want) {
		t.Errorf("deadline order served %v, want %v", got, want)
	}
	if got, want := servedOrder(t, true, turns), []int{0, 1, 2, 3}; !equal(got, want) {
		t.Errorf("FIFO served %v, want %v", got, want)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestWaitThatEndsLeavesTheQueue: a message whose wait ends before its
// slot leaves the queue and is told to come back later; the next slot goes
// to the next message. A throttled answer pauses the account.
func TestWaitThatEndsLeavesTheQueue(t *testing.T) {
	t.Parallel()
	src := &grantedSlots{grant: make(chan struct{}), paused: make(chan time.Duration, 1)}
	p := NewDeadlinePacer(DeadlinePacerConfig{Source: src})
	p.SetLimit("vonage", 10)
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- p.Take(ctx, "vonage", herald.SendTurn{}) }()
	queued(t, p, "vonage", 1)
	cancel()
	var se *herald.SendError
	if err := <-gaveUp; !errors.As(err, &se) || se.Kind != herald.SendThrottled || se.RetryAfter <= 0 {
		t.Fatalf("Take after its wait ended = %v, want throttled with a time to come back", err)
	}
	queued(t, p, "vonage", 0)
	p.Throttled("vonage", 2*time.Second)
	if d := <-src.paused; d != 2*time.Second {
		t.Errorf("paused %v, want 2s", d)
	}
	if !p.TryTake("twilio") || p.TryTake("vonage") {
		t.Error("TryTake: an unpaced account has a slot, a paced one never without a wait")
	}
}

// TestWaitThatEndsWhileTheLimitChanges: a tenant's router rebuilt with a
// new limit (SetLimit) while a message gives up its wait is no data race
// (go test -race).
func TestWaitThatEndsWhileTheLimitChanges(t *testing.T) {
	t.Parallel()
	p := NewDeadlinePacer(DeadlinePacerConfig{Source: &grantedSlots{grant: make(chan struct{})}})
	p.SetLimit("vonage", 10)
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- p.Take(ctx, "vonage", herald.SendTurn{}) }()
	queued(t, p, "vonage", 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 100 {
			p.SetLimit("vonage", float64(10+i))
		}
	}()
	cancel()
	if err := <-gaveUp; herald.SendErrorKindOf(err) != herald.SendThrottled {
		t.Fatalf("Take after its wait ended = %v, want throttled", err)
	}
	<-done
}
