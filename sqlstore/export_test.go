package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"
	"time"
)

// HoldBookings keeps the store's bookings waiting, as if every flusher
// were busy, until release: the bookings queued meanwhile then go in one
// group. waiting counts them.
func HoldBookings(s *Store) (waiting func() int, release func()) {
	g := s.bookings
	g.mu.Lock()
	g.running += g.flushers
	g.mu.Unlock()
	waiting = func() int {
		g.mu.Lock()
		defer g.mu.Unlock()
		return len(g.waiting)
	}
	release = func() {
		for range g.flushers {
			go g.flush() // each stands for one of the held flushers
		}
	}
	return waiting, release
}

// FailSharedCommits makes the commit of each shared booking transaction
// fail after rolling it back, and counts those commits.
func FailSharedCommits(s *Store) (failed *atomic.Int64) {
	failed = new(atomic.Int64)
	s.bookings.commit = func(tx *sql.Tx) error {
		failed.Add(1)
		_ = tx.Rollback()
		return errors.New("commit refused by the test")
	}
	return failed
}

// LoseCommitAnswers makes the commit of each shared booking transaction
// take effect and then report an error, as a connection that breaks after
// the database committed does; it counts those commits.
func LoseCommitAnswers(s *Store) (lost *atomic.Int64) {
	lost = new(atomic.Int64)
	s.bookings.commit = func(tx *sql.Tx) error {
		lost.Add(1)
		if err := tx.Commit(); err != nil {
			return err
		}
		return errors.New("connection lost after COMMIT (the test)")
	}
	return lost
}

// BookWork books with work of the test's own, as a booking would: in a
// transaction it may share. work may panic.
func BookWork(ctx context.Context, s *Store, work func(tx *sql.Tx) error) error {
	return s.bookings.book(ctx, func(_ context.Context, tx *sql.Tx, _ time.Time) error { return work(tx) })
}
