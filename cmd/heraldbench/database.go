package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"herald/sqlstore"
)

// Database kinds, as the -db flag names them.
const (
	kindSQLite   = "sqlite"
	kindPostgres = "postgres"
)

// freshDB is an empty database made for one part of a run: a new SQLite
// file or a new PostgreSQL schema. drop removes it.
type freshDB struct {
	kind string
	// url is what HERALD_DATABASE_URL is set to.
	url  string
	drop func()
}

// newFreshDB makes an empty database of kind. SQLite files go under dir;
// PostgreSQL schemas are made on the server of postgresURL and reached
// through search_path.
func newFreshDB(ctx context.Context, kind, dir, postgresURL, label string) (*freshDB, error) {
	name := "heraldbench_" + label + "_" + strings.ToLower(rand.Text()[:8])
	if kind == kindSQLite {
		path := filepath.Join(dir, name+".db")
		return &freshDB{kind: kind, url: "sqlite:" + path, drop: func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				_ = os.Remove(path + suffix)
			}
		}}, nil
	}
	admin, err := sql.Open("pgx", postgresURL)
	if err != nil {
		return nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		admin.Close()
		return nil, fmt.Errorf("PostgreSQL at %s: %w", redact(postgresURL), err)
	}
	u, err := url.Parse(postgresURL)
	if err != nil {
		admin.Close()
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return &freshDB{kind: kind, url: u.String(), drop: func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = admin.ExecContext(ctx, "DROP SCHEMA "+name+" CASCADE")
		admin.Close()
	}}, nil
}

// open connects to the database with Herald's own store code, so the
// benchmark's queries run with the same pool settings as Herald's.
func (f *freshDB) open(ctx context.Context) (*sqlstore.DB, error) {
	return sqlstore.Open(ctx, f.url)
}

// redact hides a password in a database URL before it is shown.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxx")
	}
	return u.String()
}

// jobTimeSQL is how a time is written in a query that compares it with the
// job engine's columns: SQLite stores them as text in its own layout.
func jobTimeSQL(kind string, t time.Time) string {
	if kind == kindSQLite {
		return t.UTC().Format("2006-01-02 15:04:05.000")
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// heraldTime is how Herald writes a time in its own tables (fixed-width
// UTC text that both databases accept).
func heraldTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// dbTime reads a time column of either database: PostgreSQL returns a
// time.Time, SQLite the text Herald wrote. NULL leaves it invalid.
type dbTime struct {
	t     time.Time
	valid bool
}

// Scan implements sql.Scanner.
func (d *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		d.valid = false
		return nil
	case time.Time:
		d.t, d.valid = v.UTC(), true
		return nil
	case []byte:
		src = string(v)
	}
	s, ok := src.(string)
	if !ok {
		return fmt.Errorf("cannot read %T as a time", src)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	d.t, d.valid = t.UTC(), true
	return nil
}

// ptr returns the time, or nil for NULL.
func (d dbTime) ptr() *time.Time {
	if !d.valid {
		return nil
	}
	return &d.t
}
