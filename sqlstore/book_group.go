package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"herald"
)

// bookingGatherer gathers the bookings of callers that arrive at the same
// moment into one transaction, each booking in a savepoint of its own, so
// that a burst of bookings pays one commit per group instead of one per
// booking. A booking that arrives while nothing else waits runs at once,
// alone, so a quiet server pays no delay. Each caller is answered only
// after the transaction that holds its booking committed; when a shared
// transaction fails as a whole, each of its bookings runs again alone, so
// one booking never fails another.
type bookingGatherer struct {
	store *Store
	db    *DB
	// now is the time of each transaction's bookings.
	now func() time.Time
	// flushers bounds the transactions at once: 1 on SQLite, which has one
	// writer; a few on PostgreSQL.
	flushers int
	// maxGroup bounds the bookings of one transaction.
	maxGroup int
	// commit commits a shared transaction; tests replace it to make one
	// fail.
	commit func(tx *sql.Tx) error

	mu      sync.Mutex
	waiting []*queuedBooking
	running int
}

// bookingWork writes one booking in tx, at now. It may run twice (shared,
// then alone) and must set its results afresh each time. Its error rolls
// back its own changes only.
type bookingWork func(ctx context.Context, tx *sql.Tx, now time.Time) error

// queuedBooking is one caller's booking and where its outcome goes.
type queuedBooking struct {
	ctx  context.Context
	work bookingWork
	// plain, when set, is a booking with nothing but the meeting to write:
	// a shared transaction books all of those with a few statements
	// instead of running their work one by one.
	plain *plainBooking
	err   error
	done  chan struct{}
}

// plainBooking is a booking without an Idempotency-Key, and where its
// meeting goes.
type plainBooking struct {
	tenantID string
	in       herald.BookMeetingInput
	out      *herald.Meeting
}

// groupTimeout bounds one group's transaction. Callers wait for their
// group even when their own context ends meanwhile: once its transaction
// began, their booking may already be written.
const groupTimeout = 30 * time.Second

// Flushers and group sizes: PostgreSQL may run a few groups at once when
// bookings come faster than one transaction after another takes them;
// SQLite has one writer. A group stays well under PostgreSQL's 64 cached
// subtransactions per transaction.
const (
	postgresBookingFlushers = 4
	maxBookingGroup         = 32
)

func newBookingGatherer(store *Store) *bookingGatherer {
	flushers := 1
	if store.db.dialect.name == "postgres" {
		flushers = postgresBookingFlushers
	}
	return &bookingGatherer{store: store, db: store.db, now: store.now, flushers: flushers, maxGroup: maxBookingGroup,
		commit: func(tx *sql.Tx) error { return tx.Commit() }}
}

// bookPlain books in for tenantID into *out, as bookMeetingTx would, in a
// transaction it may share.
func (g *bookingGatherer) bookPlain(ctx context.Context, tenantID string, in herald.BookMeetingInput, out *herald.Meeting) error {
	return g.queue(ctx, &queuedBooking{plain: &plainBooking{tenantID: tenantID, in: in, out: out},
		work: func(ctx context.Context, tx *sql.Tx, now time.Time) (err error) {
			*out, err = g.store.bookMeetingTx(ctx, tx, tenantID, herald.NewID("mtg_"), in, now)
			return err
		}})
}

// book queues work and waits until the transaction that carries it has
// committed, or work has failed.
func (g *bookingGatherer) book(ctx context.Context, work bookingWork) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return g.queue(ctx, &queuedBooking{work: work})
}

// queue queues q and waits for its outcome.
func (g *bookingGatherer) queue(ctx context.Context, q *queuedBooking) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	q.ctx, q.done = ctx, make(chan struct{})
	g.mu.Lock()
	g.waiting = append(g.waiting, q)
	// One flusher runs while bookings wait; another starts only when a
	// whole group waits, so that groups grow as large as the load makes
	// them before transactions run side by side. Flushers live only while
	// bookings wait, so the gatherer needs no start or stop.
	if g.running == 0 || (g.running < g.flushers && len(g.waiting) >= g.maxGroup) {
		g.running++
		go g.flush()
	}
	g.mu.Unlock()
	<-q.done
	return q.err
}

// flush runs groups until no booking waits.
func (g *bookingGatherer) flush() {
	for {
		g.mu.Lock()
		n := min(len(g.waiting), g.maxGroup)
		if n == 0 {
			g.running--
			g.mu.Unlock()
			return
		}
		group := append([]*queuedBooking(nil), g.waiting[:n]...)
		g.waiting = append(g.waiting[:0], g.waiting[n:]...)
		g.mu.Unlock()
		g.run(group)
	}
}

// run books one group and answers each of its callers. Callers whose
// context ended while they waited are told so and left out.
func (g *bookingGatherer) run(group []*queuedBooking) {
	live := group[:0]
	for _, q := range group {
		if err := q.ctx.Err(); err != nil {
			q.err = err
			close(q.done)
			continue
		}
		live = append(live, q)
	}
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	if len(live) > 1 {
		err := g.runShared(ctx, live)
		if err == nil || errors.Is(err, errCommitUnknown) {
			for _, q := range live {
				if err != nil && q.err == nil {
					q.err = err
				}
				close(q.done)
			}
			return
		}
	}
	// One booking, or a shared transaction that failed as a whole: each
	// runs in a transaction of its own, under its caller's context as an
	// ungrouped booking would.
	for _, q := range live {
		q.err = g.db.inTxRaw(q.ctx, func(tx *sql.Tx) error {
			return unpanicked(func() error { return q.work(q.ctx, tx, g.now()) })
		})
		close(q.done)
	}
}

// runShared books group in one transaction, each booking in its own
// savepoint, and sets each one's error. An error of its own is the
// transaction's: then nothing of it was kept.
func (g *bookingGatherer) runShared(ctx context.Context, group []*queuedBooking) error {
	tx, err := g.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	now := g.now()
	var plain []*queuedBooking
	for i, q := range group {
		if q.plain != nil {
			plain = append(plain, q)
			continue
		}
		// Savepoints nest and are never released: a failed booking rolls
		// back to its own, which undoes nothing of the bookings before it.
		name := fmt.Sprintf("booking_%d", i)
		if _, err := tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
			_ = tx.Rollback()
			return err
		}
		if q.err = unpanicked(func() error { return q.work(ctx, tx, now) }); q.err != nil {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); err != nil {
				_ = tx.Rollback()
				return err
			}
		}
	}
	if err := unpanicked(func() error { return g.store.bookPlain(ctx, tx, plain, now) }); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := g.commit(tx); err != nil {
		return g.committedAfterAll(plain, fmt.Errorf("commit: %w", err))
	}
	return nil
}

// errCommitUnknown says a shared transaction's commit failed and whether
// it took effect could not be read: booking its bookings again could book
// them twice, so each caller gets the error instead.
var errCommitUnknown = errors.New("the bookings' commit failed and whether it took effect is not known; nothing is booked again")

// committedAfterAll tells, when a shared transaction's commit returned
// commitErr, whether it took effect all the same (the connection broke
// after the database committed, before it said so). Its keyed bookings are
// safe to book again, since their keys answer the first booking; plain
// ones are not, so one of their meetings is looked up: found, the group is
// booked (nil); missing, commitErr (each books again alone); unreadable,
// errCommitUnknown wrapping both.
func (g *bookingGatherer) committedAfterAll(plain []*queuedBooking, commitErr error) error {
	var id string
	for _, q := range plain {
		if q.err == nil && q.plain.out.ID != "" {
			id = q.plain.out.ID
			break
		}
	}
	if id == "" {
		return commitErr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var one int
	err := g.db.QueryRowContext(ctx, "SELECT 1 FROM meetings WHERE id = $1", id).Scan(&one)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return commitErr
	}
	return fmt.Errorf("%w (%v; looking it up: %v)", errCommitUnknown, commitErr, err)
}

// unpanicked runs fn and turns a panic of it into an error: a booking
// runs on a flusher's goroutine, where a panic would stop the process
// instead of failing one request, and would leave its transaction open.
func unpanicked(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("booking panicked: %v\n%s", v, debug.Stack())
		}
	}()
	return fn()
}

// bookPlain books the plain bookings of a group in tx: one query reads
// all their leads, a booking whose lead does not exist gets its own error,
// and the others are written together. An error is the transaction's.
func (s *Store) bookPlain(ctx context.Context, tx *sql.Tx, group []*queuedBooking, now time.Time) error {
	if len(group) == 0 {
		return nil
	}
	leads := make([]bookingLead, len(group))
	for i, q := range group {
		leads[i] = bookingLead{tenantID: q.plain.tenantID, leadID: q.plain.in.LeadID}
	}
	found, err := readLeadRules(ctx, tx, leads)
	if err != nil {
		return err
	}
	var (
		meetings []*herald.Meeting
		rules    []leadRules
	)
	for i, q := range group {
		r, ok := found[leads[i]]
		if !ok {
			q.err = unknownLead(q.plain.in.LeadID)
			continue
		}
		*q.plain.out = newBooking(q.plain.tenantID, herald.NewID("mtg_"), q.plain.in, now)
		meetings = append(meetings, q.plain.out)
		rules = append(rules, r)
	}
	return s.writeBookings(ctx, tx, meetings, rules, now)
}
