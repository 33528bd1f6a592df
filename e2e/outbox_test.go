package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
)

// TestOutboxOnlyWhenChosen runs `herald` without any provider. On
// PostgreSQL, `worker` and `serve` must refuse to start and say why,
// rather than swallow real reminders into the outbox; with HERALD_OUTBOX=1
// a worker keeps them in the outbox with delivery status held, and logs
// them held, not sent. `serve` on an SQLite file, the first run, holds
// them in the outbox by default.
func TestOutboxOnlyWhenChosen(t *testing.T) {
	skipShort(t)
	t.Parallel()
	t.Run("postgres without a provider refuses to start", func(t *testing.T) {
		t.Parallel()
		url := dbtest.PostgresSchema(t)
		migrate(t, url)
		for _, command := range []string{"worker", "serve"} {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			cmd := exec.CommandContext(ctx, heraldBin, command)
			cmd.Env = append(baseEnv(), "HERALD_DATABASE_URL="+url, "HERALD_ADDR=127.0.0.1:0")
			output, err := cmd.CombinedOutput()
			stillRunning := ctx.Err() != nil
			cancel()
			if stillRunning || err == nil || !strings.Contains(string(output), "HERALD_OUTBOX=1") ||
				!strings.Contains(string(output), "no SMS or email provider is configured") {
				t.Errorf("herald %s without a provider on PostgreSQL (still running after 30 s: %v): %v\n%s",
					command, stillRunning, err, output)
			}
		}
	})
	t.Run("postgres with HERALD_OUTBOX=1 holds", func(t *testing.T) {
		t.Parallel()
		url := dbtest.PostgresSchema(t)
		migrate(t, url)
		f := newFixture(t, openDB(t, url), nil)
		env := append(baseEnv(), "HERALD_DATABASE_URL="+url, "HERALD_OUTBOX=1", "REMINDER_POLL_INTERVAL=50ms")
		rs := f.bookDue(t, 2, func(int) time.Time { return time.Now().Add(2 * time.Second) })
		worker := startWorker(t, "worker", env)
		waitSettled(t, f.db, len(rs), 20*time.Second)
		checkHeld(t, f, rs, worker.log())
	})
	t.Run("serve on a new sqlite file holds", func(t *testing.T) {
		t.Parallel()
		url := "sqlite:" + filepath.Join(t.TempDir(), "herald.db")
		migrate(t, url)
		f := newFixture(t, openDB(t, url), nil)
		rs := f.bookDue(t, 2, func(int) time.Time { return time.Now().Add(2 * time.Second) })
		logPath := filepath.Join(t.TempDir(), "serve.log")
		logFile, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		defer logFile.Close()
		cmd := exec.Command(heraldBin, "serve")
		cmd.Env = append(baseEnv(), "HERALD_DATABASE_URL="+url, "HERALD_ADDR=127.0.0.1:0", "REMINDER_POLL_INTERVAL=50ms")
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		waitSettled(t, f.db, len(rs), 20*time.Second)
		log, _ := os.ReadFile(logPath)
		checkHeld(t, f, rs, string(log))
	})
}

// checkHeld checks that every reminder was held in the outbox, and that
// the log says so without claiming a send.
func checkHeld(t *testing.T, f *fixture, rs []herald.Reminder, log string) {
	t.Helper()
	for _, r := range rs {
		got := f.reminder(t, r.ID)
		if got.Provider != "outbox" || got.DeliveryStatus != herald.DeliveryHeld {
			t.Errorf("reminder %s: %s via %q, delivery %q; want held in the outbox", r.ID, got.Status, got.Provider, got.DeliveryStatus)
		}
	}
	if strings.Contains(log, "sent successfully") || strings.Count(log, "held in the outbox, not sent") < len(rs) {
		t.Errorf("the log does not say the reminders were held, not sent:\n%s", log)
	}
	page, err := f.store.ListOutbox(context.Background(), f.tenant.ID, herald.PageRequest{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != len(rs) {
		t.Errorf("the outbox lists %d messages, want %d", len(page.Items), len(rs))
	}
}
