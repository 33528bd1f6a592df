package sqlstore_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"herald/sqlstore"
)

func openSQLite(t *testing.T, path string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A second claim of an SQLite file fails while the first holds it, naming
// the first; once the first closes, the file is free.
func TestSQLiteFileBelongsToOneProcess(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "herald.db")
	first, second := openSQLite(t, path), openSQLite(t, path)
	if err := first.ClaimSingleProcess("herald serve"); err != nil {
		t.Fatal(err)
	}
	err := second.ClaimSingleProcess("herald worker")
	if err == nil {
		t.Fatal("a second claim of the file succeeded")
	}
	for _, want := range []string{"herald serve", "pid ", "one Herald process", path} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal %q does not name %q", err, want)
		}
	}
	first.Close()
	if err := second.ClaimSingleProcess("herald worker"); err != nil {
		t.Fatalf("claim after the first closed: %v", err)
	}
}

// A database file deleted under a running process fails its pings, so
// readiness fails instead of writes going on into a deleted file.
func TestSQLiteFileDeletedIsNoticed(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "herald.db")
	db := openSQLite(t, path)
	ctx := context.Background()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	store := sqlstore.New(db, nil, sqlstore.Options{})
	if err := store.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
	if err := db.PingContext(ctx); err == nil || !strings.Contains(err.Error(), "deleted or replaced") {
		t.Errorf("DB ping after the file was deleted = %v", err)
	}
	if err := store.Ping(ctx); err == nil {
		t.Error("store ping after the file was deleted succeeded")
	}
	// A new file in its place is not the database either.
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := db.PingContext(ctx); err == nil {
		t.Error("ping with another file in the database's place succeeded")
	}
}

// A path with '#', '?' or '%' names the file it says, not a shorter one.
func TestSQLitePathWithURICharacters(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "run#01?x=%41")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "herald.db")
	db := openSQLite(t, path)
	if err := db.PingContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at %s: %v", path, err)
	}
}
