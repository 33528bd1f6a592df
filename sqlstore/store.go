package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"herald"
)

// JobScheduler plans and removes the jobs that send reminders, inside
// Herald's own transactions, so a reminder and its job commit or roll back
// together.
type JobScheduler interface {
	// ScheduleReminders inserts one job per reminder, due at its
	// ScheduledAt, and sets each reminder's JobID.
	ScheduleReminders(ctx context.Context, tx *sql.Tx, reminders []*herald.Reminder) error
	// UnscheduleReminder removes a planned job, so it never runs.
	UnscheduleReminder(ctx context.Context, tx *sql.Tx, jobID int64) error
}

// Store implements herald.Store on a DB.
type Store struct {
	db   *DB
	jobs JobScheduler
	// events plans the deliveries of events; nil keeps events without
	// delivering them.
	events EventScheduler
	clock  herald.Clock
	// maxRetries is given to each planned reminder.
	maxRetries int
	// senders are the numbers every tenant sends SMS from.
	senders []string
	auth    authCache
	// bookings gathers concurrent bookings into shared transactions.
	bookings *bookingGatherer
	// phoneKey caches the installation's opt-out key (see optOutKey).
	phoneKey atomic.Pointer[[]byte]
}

var _ herald.Store = (*Store)(nil)

// Options configure a Store.
type Options struct {
	// Clock defaults to the system clock.
	Clock herald.Clock
	// MaxRetries of each planned reminder. Defaults to 3.
	MaxRetries int
	// Events plans the delivery of events to webhook endpoints. Without
	// it, events are kept and listed but not delivered.
	Events EventScheduler
	// Senders are the operator's numbers, those its SMS providers send from
	// (VONAGE_FROM_NUMBER, TWILIO_FROM_NUMBER), as NormalizeNumber writes
	// them: a tenant with neither sms_from nor accounts of its own sends
	// from them (and every tenant from the numbers its attempts went
	// from). Defaults to none.
	Senders []string
}

// New returns a Store on db that plans reminder jobs with jobs.
func New(db *DB, jobs JobScheduler, opts Options) *Store {
	if opts.Clock == nil {
		opts.Clock = herald.SystemClock{}
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = 3
	}
	s := &Store{db: db, jobs: jobs, events: opts.Events, clock: opts.Clock, maxRetries: opts.MaxRetries,
		senders: opts.Senders}
	s.bookings = newBookingGatherer(s)
	return s
}

// DB returns the store's database.
func (s *Store) DB() *DB { return s.db }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.checkFile(); err != nil {
		return err
	}
	var one int
	return s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// now is truncated to what the databases store, so a value returned by a
// write equals the value read back later.
func (s *Store) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// placeholders returns "$first, $first+1, …" for n arguments.
func placeholders(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", first+i)
	}
	return b.String()
}

// cursor is a position in a list ordered by (created_at, id).
type cursor struct {
	at time.Time
	id string
}

func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(ts(at) + "|" + id))
}

func decodeCursor(s string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := herald.FieldErrorf(herald.ECodeInvalidCursor, "cursor", "cursor is not one this server returned")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	at, id, ok := strings.Cut(string(raw), "|")
	if !ok || id == "" {
		return nil, bad
	}
	t, err := time.Parse(timeLayout, at)
	if err != nil {
		return nil, bad
	}
	return &cursor{at: t, id: id}, nil
}

func pageLimit(p herald.PageRequest) int {
	switch {
	case p.Limit <= 0:
		return herald.DefaultPageLimit
	case p.Limit > herald.MaxPageLimit:
		return herald.MaxPageLimit
	}
	return p.Limit
}

// listQuery builds the tail of a paged query over a table ordered by
// (created_at, id): it adds the cursor condition and asks for one row more
// than the limit, to know whether a next page exists.
type listQuery struct {
	where []string
	args  []any
	desc  bool
}

func (q *listQuery) add(cond string, arg any) {
	q.args = append(q.args, arg)
	q.where = append(q.where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(q.args))))
}

func (q *listQuery) sql(page herald.PageRequest) (string, []any, int, error) {
	c, err := decodeCursor(page.Cursor)
	if err != nil {
		return "", nil, 0, err
	}
	if c != nil {
		op := ">"
		if q.desc {
			op = "<"
		}
		q.args = append(q.args, ts(c.at), c.id)
		q.where = append(q.where, fmt.Sprintf("(created_at, id) %s ($%d, $%d)", op, len(q.args)-1, len(q.args)))
	}
	limit := pageLimit(page)
	order := "created_at, id"
	if q.desc {
		order = "created_at DESC, id DESC"
	}
	tail := fmt.Sprintf(" WHERE %s ORDER BY %s LIMIT %d", strings.Join(q.where, " AND "), order, limit+1)
	return tail, q.args, limit, nil
}

// nextCursor trims items to limit and returns the cursor of the next page.
func nextCursor[T any](items []T, limit int, key func(T) (time.Time, string)) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	at, id := key(items[limit-1])
	return items, encodeCursor(at, id)
}

// rowScanner is what *sql.Row and *sql.Rows offer to read a row.
type rowScanner = interface{ Scan(...any) error }

// listPage runs a paged list: query (the SELECT up to its FROM) followed
// by the WHERE, ORDER BY and LIMIT that q and page make, reads each row
// with scan, and returns at most a page of items with the cursor of the
// next page, made by key from the last item.
func listPage[T any](ctx context.Context, db queryer, what, query string, q listQuery, page herald.PageRequest,
	scan func(rowScanner) (T, error), key func(T) (time.Time, string)) (herald.Page[T], error) {
	tail, args, limit, err := q.sql(page)
	if err != nil {
		return herald.Page[T]{}, err
	}
	rows, err := db.QueryContext(ctx, query+tail, args...)
	if err != nil {
		return herald.Page[T]{}, fmt.Errorf("list %s: %w", what, err)
	}
	items := []T{}
	err = eachRow(rows, func(rows *sql.Rows) error {
		item, err := scan(rows)
		items = append(items, item)
		return err
	})
	if err != nil {
		return herald.Page[T]{}, fmt.Errorf("list %s: %w", what, err)
	}
	items, next := nextCursor(items, limit, key)
	return herald.Page[T]{Items: items, NextCursor: next}, nil
}
