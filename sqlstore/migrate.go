package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations
var migrationFiles embed.FS

// migrationLockKey serialises migrations of processes starting together on
// one PostgreSQL: neither River's nor Herald's migrations lock by themselves.
const migrationLockKey = 0x4e52414c44 // "HERALD" as a number, any constant works

// Migrate brings the job engine's tables and Herald's tables up to date.
// It is safe to run from several processes at once.
func (db *DB) Migrate(ctx context.Context) error {
	unlock, err := db.lockMigrations(ctx)
	if err != nil {
		return err
	}
	defer unlock()

	migrator, err := rivermigrate.New(db.dialect.river, nil)
	if err != nil {
		return fmt.Errorf("migrate job engine: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate job engine: %w", err)
	}
	if err := db.migrateHerald(ctx); err != nil {
		return err
	}
	// The opt-out key is made here, committed before any process uses it.
	if _, _, err := ensureInstallationKey(ctx, db, optOutKeyName); err != nil {
		return fmt.Errorf("migrate: opt-out key: %w", err)
	}
	return db.ensureJobIndex(ctx)
}

// lockMigrations takes a session advisory lock on PostgreSQL on a connection
// of its own, held until unlock. SQLite is used by one process only.
func (db *DB) lockMigrations(ctx context.Context) (func(), error) {
	if db.dialect.singleProcess {
		return func() {}, nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
		conn.Close()
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", migrationLockKey)
		conn.Close()
	}, nil
}

type migration struct {
	version int
	name    string
	sql     string
}

func (db *DB) loadMigrations() ([]migration, error) {
	dir := "migrations/" + db.dialect.name
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: version, name: e.Name(), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

func (db *DB) migrateHerald(ctx context.Context) error {
	migrations, err := db.loadMigrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS herald_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	applied := map[int]bool{}
	rows, err := db.QueryContext(ctx, "SELECT version FROM herald_migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("migrate: %w", err)
		}
		applied[v] = true
	}
	rows.Close()
	for _, m := range migrations {
		if applied[m.version] {
			continue
		}
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO herald_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
				m.version, m.name, ts(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	return nil
}

// ensureJobIndex adds the partial index that keeps the job engine's
// promotion of scheduled jobs fast with a million pending reminders. Some
// of the engine's SQLite migrations rebuild its table and drop extra
// indexes, so it is made again on every start.
func (db *DB) ensureJobIndex(ctx context.Context) error {
	if _, err := db.ExecContext(ctx, db.dialect.jobIndex); err != nil {
		return fmt.Errorf("migrate: job index: %w", err)
	}
	return nil
}

// CheckMigrated fails, naming the fix, when the database lacks migrations
// this binary knows: production databases are migrated by `herald migrate`,
// not by every process that starts.
func (db *DB) CheckMigrated(ctx context.Context) error {
	migrations, err := db.loadMigrations()
	if err != nil {
		return err
	}
	// Every migration must be applied, not only the latest: numbers have
	// gaps, and a lower one may come after a higher one was applied.
	applied := map[int]bool{}
	rows, err := db.QueryContext(ctx, "SELECT version FROM herald_migrations")
	if err == nil {
		err = eachRow(rows, func(rows *sql.Rows) error {
			var v int
			err := rows.Scan(&v)
			applied[v] = true
			return err
		})
	}
	for _, m := range migrations {
		if err != nil || !applied[m.version] {
			return fmt.Errorf("the %s database is not migrated (migration %s is missing): run `herald migrate` first", db.dialect.name, m.name)
		}
	}
	migrator, err := rivermigrate.New(db.dialect.river, nil)
	if err != nil {
		return err
	}
	res, err := migrator.Validate(ctx, nil)
	if err != nil {
		return fmt.Errorf("check job engine migrations: %w", err)
	}
	if !res.OK {
		return fmt.Errorf("the job engine's tables are not migrated (%v): run `herald migrate` first", res.Messages)
	}
	return nil
}
