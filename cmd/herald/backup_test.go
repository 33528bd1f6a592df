package main

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBackupOfARunningDatabase runs `herald serve` on SQLite, creates a
// tenant through the API, backs the database up while serve runs, and
// reads the tenant back from the copy, as a restore would.
func TestBackupOfARunningDatabase(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the herald binary")
	}
	dir := t.TempDir()
	env := []string{"HERALD_DATABASE_URL=sqlite:" + filepath.Join(dir, "herald.db"), "HERALD_ADDR=127.0.0.1:0",
		"HERALD_ADMIN_TOKEN=admin"}
	_, lines := startHerald(t, env, "serve")
	addr := waitForLine(t, lines, regexp.MustCompile(`msg="herald serving" addr=(\S+)`))
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/admin/tenants", strings.NewReader(`{"name":"Backed Up"}`))
	req.Header.Set("Authorization", "Bearer admin")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create tenant: %s", resp.Status)
	}

	copyPath := filepath.Join(dir, "copy.db")
	if out := heraldCmd(t, env, false, "backup", "--to", copyPath); !strings.Contains(out, copyPath) {
		t.Errorf("backup printed %q", out)
	}
	if msg := heraldCmd(t, env, true, "backup", "--to", copyPath); !strings.Contains(msg, "exists already") {
		t.Errorf("a second backup to the same file said %q", msg)
	}
	restored := []string{"HERALD_DATABASE_URL=sqlite:" + copyPath}
	if out := heraldCmd(t, restored, false, "tenant", "list"); !strings.Contains(out, `"name":"Backed Up"`) {
		t.Errorf("tenants in the copy: %q", out)
	}
	if msg := heraldCmd(t, []string{"HERALD_DATABASE_URL=postgres://127.0.0.1:1/none"}, true, "backup", "--to",
		filepath.Join(dir, "pg.db")); !strings.Contains(msg, "pg_dump") {
		t.Errorf("backup of PostgreSQL said %q", msg)
	}
	if msg := heraldCmd(t, env, true, "backup"); !strings.Contains(msg, "usage: herald backup --to FILE") {
		t.Errorf("backup without --to said %q", msg)
	}
}
