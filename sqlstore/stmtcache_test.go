package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"testing"

	"modernc.org/sqlite"
)

// countingDriver counts the statements its connections prepare and close.
type countingDriver struct {
	sqlite.Driver
	prepared, closed int
}

func (d *countingDriver) Open(name string) (driver.Conn, error) {
	c, err := d.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return &countingConn{cacheableConn: c.(cacheableConn), d: d}, nil
}

type countingConn struct {
	cacheableConn
	d *countingDriver
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.cacheableConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.d.prepared++
	return &countingStmt{cachedDriverStmt: s.(cachedDriverStmt), d: c.d}, nil
}

type countingStmt struct {
	cachedDriverStmt
	d *countingDriver
}

func (s *countingStmt) Close() error {
	s.d.closed++
	return s.cachedDriverStmt.Close()
}

func openCounting(t *testing.T, size int) (*sql.DB, *countingDriver) {
	t.Helper()
	d := &countingDriver{}
	db := sql.OpenDB(stmtCacheConnector{driver: d, dsn: filepath.Join(t.TempDir(), "cache.db"), size: size})
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec("CREATE TABLE items (id integer PRIMARY KEY, name text)"); err != nil {
		t.Fatal(err)
	}
	return db, d
}

// A query run again on the same connection is not prepared again.
func TestStmtCacheReusesPreparedStatements(t *testing.T) {
	db, d := openCounting(t, 8)
	before := d.prepared
	for i := range 20 {
		if _, err := db.Exec("INSERT INTO items (id, name) VALUES ($1, $2)", i, fmt.Sprint("item ", i)); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow("SELECT count(*) FROM items WHERE id <= $1", i).Scan(&n); err != nil || n != i+1 {
			t.Fatalf("count after %d inserts: %d (%v)", i+1, n, err)
		}
	}
	if got := d.prepared - before; got != 2 {
		t.Fatalf("prepared %d statements for 2 queries run 20 times each, want 2", got)
	}
}

// A query run inside a loop over the rows of the same query gets a
// statement of its own, and both read their own rows.
func TestStmtCacheNestedSameQuery(t *testing.T) {
	db, _ := openCounting(t, 8)
	for i := range 3 {
		if _, err := db.Exec("INSERT INTO items (id, name) VALUES ($1, $2)", i, fmt.Sprint("item ", i)); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = "SELECT id, name FROM items WHERE id >= $1 ORDER BY id"
	rows, err := tx.Query(q, 0)
	if err != nil {
		t.Fatal(err)
	}
	var outer, inner []string
	for rows.Next() {
		var id int
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		outer = append(outer, name)
		var innerName string
		if err := tx.QueryRow(q, id).Scan(&id, &innerName); err != nil {
			t.Fatal(err)
		}
		inner = append(inner, innerName)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	want := "[item 0 item 1 item 2]"
	if fmt.Sprint(outer) != want || fmt.Sprint(inner) != want {
		t.Fatalf("outer %v, inner %v, want %s each", outer, inner, want)
	}
}

// A cache that is full closes the statement used least recently, and the
// connection closes the rest.
func TestStmtCacheEvictsAndCloses(t *testing.T) {
	db, d := openCounting(t, 2)
	for i := range 5 {
		var n int
		if err := db.QueryRow(fmt.Sprintf("SELECT %d + $1", i), 1).Scan(&n); err != nil || n != i+1 {
			t.Fatalf("query %d: %d (%v)", i, n, err)
		}
	}
	if open := d.prepared - d.closed; open != 2 {
		t.Fatalf("%d statements open, want the cache's 2", open)
	}
	db.Close()
	if d.prepared != d.closed {
		t.Fatalf("prepared %d statements, closed %d after the database closed", d.prepared, d.closed)
	}
}
