package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// BackupTo writes a consistent copy of an SQLite database to path, which
// must not exist yet. It works on a database that a running Herald is
// using: VACUUM INTO reads one snapshot of the database in a read
// transaction, so the copy is what a single instant saw, while the
// running process goes on writing. PostgreSQL is backed up with its own
// tools (pg_dump).
func (db *DB) BackupTo(ctx context.Context, path string) error {
	if db.dialect.name != "sqlite" {
		return errors.New("backup: herald backup copies SQLite databases; back PostgreSQL up with pg_dump")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists already; choose a new file", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := db.ExecContext(ctx, "VACUUM INTO $1", path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}
