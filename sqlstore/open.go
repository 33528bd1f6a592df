// Package sqlstore keeps Herald's state in SQLite or PostgreSQL.
//
// Both databases run the same queries: each accepts $n placeholders,
// RETURNING, ON CONFLICT and row-value comparisons, and times travel as
// fixed-width UTC text that PostgreSQL parses into timestamptz and SQLite
// stores as text that sorts the way it compares. What differs lives in a
// dialect value (row locking, the job engine's driver, how a time is typed
// in a VALUES list) and in each
// database's own numbered migrations, so no query branches on the database.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"modernc.org/sqlite"

	// The PostgreSQL driver registers itself with database/sql.
	_ "github.com/jackc/pgx/v5/stdlib"

	"herald"
)

// DefaultURL is the database Herald uses when none is configured.
const DefaultURL = "sqlite:herald.db"

// dialect holds what differs between the databases.
type dialect struct {
	name string
	// singleProcess: the database belongs to one process at a time (an
	// SQLite file), which may then take for granted that nothing else runs.
	singleProcess bool
	// maxConns is how many connections the pool may open at once; 0 for
	// no limit of the database's own.
	maxConns int
	// forUpdate locks selected rows until the transaction ends. SQLite has
	// one writer and takes its lock at BEGIN, so it needs none.
	forUpdate string
	river     riverdriver.Driver[*sql.Tx]
	// timeArg formats a placeholder that carries a time in a VALUES list
	// of an UPDATE … FROM: PostgreSQL would take the text as text there, not
	// as a timestamptz; SQLite stores the text as it is.
	timeArg string
	// jobIndex is the partial index that keeps the engine's promotion of
	// scheduled jobs fast with many pending reminders (see ensureJobIndex).
	jobIndex string
	// jobTimeLayout is how the job engine writes times in its tables.
	jobTimeLayout string
}

// DB is an open database with its dialect.
type DB struct {
	*sql.DB
	dialect dialect
	// file is the SQLite file as opened, to notice it deleted or replaced;
	// nil for PostgreSQL and in-memory databases.
	file *sqliteFile
}

// Name returns "sqlite" or "postgres", for logs and messages.
func (db *DB) Name() string { return db.dialect.name }

// SingleProcess reports that the database belongs to one process at a
// time (an SQLite file): it is migrated by the process that opens it, jobs
// left running at start were a dead process's, and the send pace is held
// in memory. A database many processes share (PostgreSQL) reports false.
func (db *DB) SingleProcess() bool { return db.dialect.singleProcess }

// MaxConns is how many connections the database takes at once: 1 for
// SQLite, which has one writer; 0 for no limit of its own.
func (db *DB) MaxConns() int { return db.dialect.maxConns }

// RiverDriver returns the job engine's driver for this database; the engine
// shares the pool, so jobs are inserted in Herald's own transactions.
func (db *DB) RiverDriver() riverdriver.Driver[*sql.Tx] { return db.dialect.river }

// Open opens the database that url names: "sqlite:PATH" (or a path ending
// in .db) or "postgres://…". It does not migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return openPostgres(ctx, url)
	case strings.HasPrefix(url, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(url, "sqlite:"))
	}
	// The value is not repeated: it may hold a password.
	return nil, errors.New("HERALD_DATABASE_URL: want sqlite:PATH or postgres://…")
}

// sqliteStmtCacheSize is how many prepared statements an SQLite connection
// keeps: more than the queries of a busy worker, the job engine's and the
// API's together, each batch statement in each of its sizes.
const sqliteStmtCacheSize = 512

func openSQLite(ctx context.Context, path string) (*DB, error) {
	path = strings.TrimPrefix(path, "//")
	if path == "" {
		return nil, errors.New("HERALD_DATABASE_URL: sqlite: needs a file path, such as sqlite:herald.db")
	}
	// One connection: SQLite has one writer, and the job engine asks for
	// it. BEGIN IMMEDIATE takes the write lock at the start of each
	// transaction, so two transactions never deadlock upgrading a read lock.
	// The path is a path, not a URI: '#', '?' and '%' in it (a test's
	// temporary directory may hold '#') are escaped, or SQLite would cut
	// the name there and open another file.
	dsn := "file:" + strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path) + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(on)&_pragma=synchronous(normal)&_txlock=immediate"
	// Each connection keeps its statements prepared: the driver would
	// parse each query anew every time it runs. Placeholders in order
	// become ?, which SQLite binds without looking names up.
	sqlDB := sql.OpenDB(stmtCacheConnector{driver: &sqlite.Driver{}, dsn: dsn, size: sqliteStmtCacheSize,
		rewrite: anonymousParams})
	sqlDB.SetMaxOpenConns(1)
	sqlDB.SetConnMaxIdleTime(0)
	sqlDB.SetConnMaxLifetime(0)
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	file, err := statSQLiteFile(path)
	if err != nil {
		sqlDB.Close()
		return nil, err
	}
	return &DB{DB: sqlDB, file: file, dialect: dialect{
		name:          "sqlite",
		singleProcess: true,
		maxConns:      1,
		timeArg:       "%s",
		jobTimeLayout: "2006-01-02 15:04:05.000",
		river:         riversqlite.New(sqlDB),
		jobIndex: `CREATE INDEX IF NOT EXISTS river_job_herald_scheduled ON river_job (priority, scheduled_at, id)
			WHERE state IN ('retryable', 'scheduled')`,
	}}, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	sqlDB, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	sqlDB.SetMaxOpenConns(40)
	sqlDB.SetMaxIdleConns(40)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return &DB{DB: sqlDB, dialect: dialect{
		name:          "postgres",
		forUpdate:     " FOR UPDATE",
		timeArg:       "CAST(%s AS timestamptz)",
		jobTimeLayout: timeLayout,
		river:         riverdatabasesql.New(sqlDB),
		jobIndex: `CREATE INDEX IF NOT EXISTS river_job_herald_scheduled ON river_job (state, scheduled_at)
			WHERE state IN ('retryable', 'scheduled')`,
	}}, nil
}

// inTx runs fn in a transaction, committing when it returns nil. When ctx
// carries an Idempotency-Key claim, the transaction marks it applied.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.inTxRaw(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return markIdempotencyApplied(ctx, tx)
	})
}

// inTxRaw is inTx without the Idempotency-Key mark.
func (db *DB) inTxRaw(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// errNotFound is the error of a missing row, shown to users as 404.
func errNotFound(what string) error {
	return herald.Errorf(herald.ECodeNotFound, "%s not found", what)
}
