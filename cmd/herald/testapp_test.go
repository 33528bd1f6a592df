package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"herald/dbtest"
)

// openTestApp wires Herald as `serve` does on a fresh database of the
// named kind ("sqlite" or "postgres", migrated as an operator would), with
// the admin token "admin" and the extra environment given.
func openTestApp(t *testing.T, dbName string, extra map[string]string) *App {
	t.Helper()
	url := "sqlite:" + filepath.Join(t.TempDir(), "herald.db")
	if dbName == "postgres" {
		url = dbtest.PostgresSchema(t)
		if err := run(context.Background(), []string{"migrate"}, mapEnv(map[string]string{"HERALD_DATABASE_URL": url}),
			io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"HERALD_DATABASE_URL": url, "HERALD_ADMIN_TOKEN": "admin"}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := LoadConfig(mapEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	cfg.serving = true
	app, err := openApp(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	return app
}
