package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// A second serve or worker on the SQLite file of a running one refuses to
// start and names it, before it migrates anything; a tenant can still be
// created beside it, and the file is free once the first stops.
func TestSecondProcessOnSQLiteFileRefused(t *testing.T) {
	t.Parallel()
	env := mapEnv(map[string]string{"HERALD_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "herald.db")})
	cfg, err := LoadConfig(env)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)
	first := cfg
	first.serving, first.claim = true, "herald serve"
	app, err := openApp(ctx, first, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()

	second := cfg
	second.claim = "herald worker"
	if other, err := openApp(ctx, second, logger); err == nil {
		other.Close()
		t.Fatal("a worker started on the file of a running serve")
	} else if !strings.Contains(err.Error(), "in use by herald serve (pid") {
		t.Fatalf("the refusal does not name the first process: %v", err)
	}

	var out bytes.Buffer
	if err := run(ctx, []string{"tenant", "create", "--name", "Acme"}, env, &out, &out); err != nil {
		t.Fatalf("tenant create beside a running serve: %v\n%s", err, out.String())
	}

	app.Close()
	again, err := openApp(ctx, second, logger)
	if err != nil {
		t.Fatalf("a worker after serve stopped: %v", err)
	}
	again.Close()
}
