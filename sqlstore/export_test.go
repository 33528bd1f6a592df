package sqlstore

import (
	"database/sql"
	"errors"
	"sync/atomic"
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
