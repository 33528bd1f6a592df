package smsroute

import (
	"container/heap"
	"context"
	"sync"
	"time"

	"herald"
)

// SlotSource hands out the send slots of provider accounts: the moments at
// which a call may go. A source shared through the database gives every
// process on it one pace per account; MemorySlots serves one process.
type SlotSource interface {
	// Reserve takes the account's next slot, at least spacing after the
	// one before, and returns how long from now until it comes.
	Reserve(ctx context.Context, account string, spacing time.Duration) (time.Duration, error)
	// Pause moves the account's next slot to at least d from now: the
	// provider throttled a call, so every process slows down.
	Pause(ctx context.Context, account string, d time.Duration) error
}

// DeadlinePacer is a Pacer that serves the most urgent message first: when
// more messages wait for an account than its pace admits, the one whose
// meeting starts soonest gets the next slot, then the one due first. Each
// account has one goroutine, while messages wait, that reserves slots from
// the SlotSource one at a time and hands each to the most urgent waiter
// when it comes, so a more urgent message that arrives during the wait
// still goes first.
type DeadlinePacer struct {
	src SlotSource
	// fifo serves waiters in arrival order instead (a baseline for
	// benchmarks).
	fifo bool
	// onWait, when set, hears how long each slot was waited for.
	onWait func(account string, waited time.Duration)

	mu       sync.Mutex
	accounts map[string]*paced
	seq      uint64
}

// paced is one account's pace and queue.
type paced struct {
	name    string
	spacing time.Duration
	waiters waitQueue
	running bool
}

// waiter is one message waiting for a slot.
type waiter struct {
	turn  herald.SendTurn
	seq   uint64
	ready chan struct{}
	index int // in the heap; -1 once served or gone
}

// DeadlinePacerConfig configures a DeadlinePacer.
type DeadlinePacerConfig struct {
	// Source hands out the slots. Defaults to MemorySlots.
	Source SlotSource
	// FIFO serves waiting messages in arrival order rather than by their
	// meeting's start.
	FIFO bool
	// OnWait, if set, hears how long each slot was waited for.
	OnWait func(account string, waited time.Duration)
}

// NewDeadlinePacer returns a pacer without accounts: SetLimit adds them.
func NewDeadlinePacer(cfg DeadlinePacerConfig) *DeadlinePacer {
	if cfg.Source == nil {
		cfg.Source = NewMemorySlots()
	}
	return &DeadlinePacer{src: cfg.Source, fifo: cfg.FIFO, onWait: cfg.OnWait, accounts: map[string]*paced{}}
}

// SetLimit sets an account's pace in sends per second; 0 means no limit.
func (p *DeadlinePacer) SetLimit(account string, perSecond float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := p.accounts[account]
	if a == nil {
		a = &paced{name: account, waiters: waitQueue{fifo: p.fifo}}
		p.accounts[account] = a
	}
	a.spacing = 0
	if perSecond > 0 {
		a.spacing = time.Duration(float64(time.Second) / (perSecond * PaceShare))
	}
}

// PaceShare is the part of an account's limit Herald uses. Slots are
// spaced evenly, but each call reaches the provider a few milliseconds
// late or early (scheduling, the network); at the full limit one such call
// lands in the provider's next second, which then counts one too many and
// throttles. At 97 % a call may drift by about 1.5 % of a second either way
// without that.
const PaceShare = 0.97

// Account returns the pacer seen by a Router whose provider names are the
// accounts' names after prefix: a tenant's own accounts ("ten_…/vonage")
// beside the operator's ("vonage").
func (p *DeadlinePacer) Account(prefix string) Pacer { return prefixed{p, prefix} }

type prefixed struct {
	p      *DeadlinePacer
	prefix string
}

func (v prefixed) TryTake(provider string) bool { return v.p.TryTake(v.prefix + provider) }
func (v prefixed) Take(ctx context.Context, provider string, turn herald.SendTurn) error {
	return v.p.Take(ctx, v.prefix+provider, turn)
}
func (v prefixed) Throttled(provider string, wait time.Duration) {
	v.p.Throttled(v.prefix+provider, wait)
}

// TryTake implements Pacer: an account without a limit always has a slot;
// a paced one never has one without a wait, since taking one may need the
// database and TryTake may run inside a transaction.
func (p *DeadlinePacer) TryTake(account string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := p.accounts[account]
	return a == nil || a.spacing == 0
}

// Take implements Pacer: it queues the message by urgency and waits for
// the slot handed to it. When ctx ends first the message leaves the queue
// and Take returns a SendThrottled error saying when to come back.
func (p *DeadlinePacer) Take(ctx context.Context, account string, turn herald.SendTurn) error {
	p.mu.Lock()
	a := p.accounts[account]
	if a == nil || a.spacing == 0 {
		p.mu.Unlock()
		return ctx.Err()
	}
	p.seq++
	w := &waiter{turn: turn, seq: p.seq, ready: make(chan struct{})}
	heap.Push(&a.waiters, w)
	if !a.running {
		a.running = true
		go p.dispatch(a)
	}
	p.mu.Unlock()
	start := time.Now()
	select {
	case <-w.ready:
		if p.onWait != nil {
			p.onWait(account, time.Since(start))
		}
		return nil
	case <-ctx.Done():
	}
	p.mu.Lock()
	served := w.index < 0
	if !served {
		heap.Remove(&a.waiters, w.index)
	}
	spacing := a.spacing // SetLimit may change it meanwhile
	p.mu.Unlock()
	if served {
		return nil // the slot came as the wait ended: use it
	}
	// Come back soon: the queue keeps its order by urgency, so a message
	// that had to leave it is served in its turn when it is back, and a
	// long wait would only make an urgent one later.
	return &herald.SendError{Provider: account, Kind: herald.SendThrottled,
		Message:    "waiting for a send slot of this account",
		RetryAfter: max(spacing, time.Second)}
}

// Throttled tells every process that the provider throttled a call on the
// account: its next slot moves wait ahead.
func (p *DeadlinePacer) Throttled(account string, wait time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = p.src.Pause(ctx, account, wait)
}

// dispatch reserves the account's slots while messages wait and hands
// each to the most urgent one when it comes.
func (p *DeadlinePacer) dispatch(a *paced) {
	backoff := 50 * time.Millisecond
	for {
		p.mu.Lock()
		if len(a.waiters.items) == 0 || a.spacing == 0 {
			a.running = false
			// Waiters left when the limit was lifted go at once.
			for len(a.waiters.items) > 0 {
				w := heap.Pop(&a.waiters).(*waiter)
				close(w.ready)
			}
			p.mu.Unlock()
			return
		}
		spacing := a.spacing
		p.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		wait, err := p.src.Reserve(ctx, a.name, spacing)
		cancel()
		if err != nil {
			// The database is away: the waiters keep waiting, within their
			// own deadlines.
			time.Sleep(backoff)
			backoff = min(backoff*2, 2*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
		if wait > 0 {
			time.Sleep(wait)
		}
		p.mu.Lock()
		if len(a.waiters.items) > 0 {
			w := heap.Pop(&a.waiters).(*waiter)
			close(w.ready)
		}
		p.mu.Unlock()
	}
}

// waitQueue orders waiters by urgency: the meeting that starts soonest,
// then the message due first, then arrival; or by arrival alone (fifo).
type waitQueue struct {
	items []*waiter
	fifo  bool
}

func (q waitQueue) Len() int { return len(q.items) }
func (q waitQueue) Less(i, j int) bool {
	a, b := q.items[i], q.items[j]
	if !q.fifo {
		if c := compareTimes(a.turn.MeetingStartsAt, b.turn.MeetingStartsAt); c != 0 {
			return c < 0
		}
		if c := compareTimes(a.turn.DueAt, b.turn.DueAt); c != 0 {
			return c < 0
		}
	}
	return a.seq < b.seq
}
func (q waitQueue) Swap(i, j int) {
	q.items[i], q.items[j] = q.items[j], q.items[i]
	q.items[i].index, q.items[j].index = i, j
}
func (q *waitQueue) Push(x any) {
	w := x.(*waiter)
	w.index = len(q.items)
	q.items = append(q.items, w)
}
func (q *waitQueue) Pop() any {
	n := len(q.items)
	w := q.items[n-1]
	q.items[n-1] = nil
	q.items = q.items[:n-1]
	w.index = -1
	return w
}

// compareTimes orders times with the zero time (unknown) last.
func compareTimes(a, b time.Time) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}

// MemorySlots is a SlotSource for one process: each account's next slot
// is kept in memory.
type MemorySlots struct {
	mu   sync.Mutex
	next map[string]time.Time
}

// NewMemorySlots returns an empty MemorySlots.
func NewMemorySlots() *MemorySlots { return &MemorySlots{next: map[string]time.Time{}} }

// Reserve implements SlotSource.
func (m *MemorySlots) Reserve(_ context.Context, account string, spacing time.Duration) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	slot := m.next[account]
	if slot.Before(now) {
		slot = now
	}
	m.next[account] = slot.Add(spacing)
	return slot.Sub(now), nil
}

// Pause implements SlotSource.
func (m *MemorySlots) Pause(_ context.Context, account string, d time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if until := time.Now().Add(d); m.next[account].Before(until) {
		m.next[account] = until
	}
	return nil
}
