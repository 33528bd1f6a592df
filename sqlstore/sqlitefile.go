package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// An SQLite database belongs to one Herald process (see the README, "One
// process per SQLite file"):
// the job engine elects its leader, paces providers and rescues jobs
// through tables it assumes no other process writes, and SQLite has one
// writer anyway. ClaimSingleProcess makes a second serve or worker on the
// same file refuse to start, naming the first; commands that come and go
// (migrate, tenant create, backup) do not claim the file.

// sqliteFile is the database file as it was opened.
type sqliteFile struct {
	path string
	info os.FileInfo
	// lock is the open lock file while this process holds the claim.
	lock *os.File
}

// statSQLiteFile records the file path names, once SQLite has created it.
// In-memory databases have no file.
func statSQLiteFile(path string) (*sqliteFile, error) {
	if path == ":memory:" {
		return nil, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &sqliteFile{path: path, info: info}, nil
}

// errFileGone is the error of a database file deleted or replaced under a
// running process: SQLite would go on writing to the deleted file, and
// every change would be lost at the next start.
var errFileGone = errors.New("the SQLite database file was deleted or replaced while Herald had it open")

// checkFile reports a database file that is no longer the one opened.
func (db *DB) checkFile() error {
	if db.file == nil {
		return nil
	}
	info, err := os.Stat(db.file.path)
	if err != nil || !os.SameFile(info, db.file.info) {
		return fmt.Errorf("%s: %w; restore it and restart Herald", db.file.path, errFileGone)
	}
	return nil
}

// PingContext checks that the database answers and, for SQLite, that its
// file is still the one opened, so that readiness fails when it is not.
func (db *DB) PingContext(ctx context.Context) error {
	if err := db.checkFile(); err != nil {
		return err
	}
	return db.DB.PingContext(ctx)
}

// Close releases the claim of ClaimSingleProcess, if any, and closes the
// database.
func (db *DB) Close() error {
	err := db.DB.Close()
	if db.file != nil && db.file.lock != nil {
		db.file.lock.Close()
		db.file.lock = nil
	}
	return err
}

// ClaimSingleProcess claims an SQLite file for this process until Close,
// with what (such as "herald serve") to name it by. While another process
// holds the claim it fails with an error naming that process. PostgreSQL
// serves many processes and needs no claim.
func (db *DB) ClaimSingleProcess(what string) error {
	if db.file == nil || db.file.lock != nil {
		return nil
	}
	lockPath := db.file.path + ".lock"
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("claim %s: %w", db.file.path, err)
	}
	if err := lockFile(f); err != nil {
		owner, _ := os.ReadFile(lockPath)
		f.Close()
		holder := strings.TrimSpace(string(owner))
		if holder == "" {
			holder = "another process"
		}
		return fmt.Errorf("the SQLite database %s is in use by %s: an SQLite database belongs to one Herald process; "+
			"stop that one first, or use PostgreSQL to run several (%s)", filepath.Clean(db.file.path), holder, lockPath)
	}
	owner := fmt.Sprintf("%s (pid %d, since %s)", what, os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(owner+"\n"), 0)
	}
	db.file.lock = f
	return nil
}
