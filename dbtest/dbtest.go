// Package dbtest opens migrated test databases: a fresh SQLite file, or a
// fresh schema on the PostgreSQL server named by HERALD_TEST_POSTGRES_URL.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald/sqlstore"
)

// DefaultPostgresURL is the server the PostgreSQL tests use when
// HERALD_TEST_POSTGRES_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresURL returns the server of the PostgreSQL tests.
func PostgresURL() string {
	if u := os.Getenv("HERALD_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// postgresRequired reports whether PostgreSQL tests must run (CI sets
// HERALD_REQUIRE_POSTGRES=1): then an unreachable server fails them
// instead of skipping them.
func postgresRequired() bool { return os.Getenv("HERALD_REQUIRE_POSTGRES") == "1" }

// SQLite returns a migrated database in a new file that is removed after
// the test.
func SQLite(t testing.TB) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// Postgres returns a migrated database in a new schema of the test server,
// dropped after the test. Without a reachable server it skips the test,
// unless HERALD_REQUIRE_POSTGRES=1.
func Postgres(t testing.TB) *sqlstore.DB {
	t.Helper()
	schemaURL := PostgresSchema(t)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// PostgresSchema creates an empty schema on the test server and returns a
// URL whose connections use it; the schema is dropped after the test.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL()
	admin, err := sql.Open("pgx", base)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = admin.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if admin != nil {
			admin.Close()
		}
		if postgresRequired() {
			t.Fatalf("PostgreSQL tests are required (HERALD_REQUIRE_POSTGRES=1) but %s is not reachable: %v", base, err)
		}
		t.Skipf("PostgreSQL at %s not reachable (set HERALD_TEST_POSTGRES_URL): %v", base, err)
	}
	schema := "herald_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Each runs fn as a subtest on SQLite and on PostgreSQL.
func Each(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if name == "sqlite" {
				fn(t, SQLite(t))
			} else {
				fn(t, Postgres(t))
			}
		})
	}
}
