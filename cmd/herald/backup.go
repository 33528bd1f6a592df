package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"herald/sqlstore"
)

// backup writes a consistent copy of the configured SQLite database to the
// file --to names, also while `herald serve` runs on it.
func backup(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	to := fs.String("to", "", "the file to write the copy to; it must not exist")
	if err := fs.Parse(args); err != nil || *to == "" || fs.NArg() > 0 {
		return errors.New("usage: herald backup --to FILE")
	}
	if !strings.HasPrefix(cfg.DatabaseURL, "sqlite:") {
		return errors.New("backup: herald backup copies SQLite databases; back PostgreSQL up with pg_dump")
	}
	db, err := sqlstore.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.BackupTo(ctx, *to); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "backup written to", *to)
	return nil
}
