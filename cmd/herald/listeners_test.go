package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"herald/vonage/vonagetest"
)

// startHerald starts the built herald with args and env, and returns the
// process and a channel of its log lines.
func startHerald(t *testing.T, env []string, args ...string) (*exec.Cmd, <-chan string) {
	t.Helper()
	cmd := exec.Command(heraldBinary(t), args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, lines
}

// waitForLine returns the first submatch of re in the log lines.
func waitForLine(t *testing.T, lines <-chan string, re *regexp.Regexp) string {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("herald exited before logging %s", re)
			}
			if m := re.FindStringSubmatch(line); m != nil {
				return m[1]
			}
		case <-timeout:
			t.Fatalf("herald did not log %s in 30 s", re)
		}
	}
}

// TestWorkerServesMetrics runs `herald worker` as an operator would, with
// Vonage configured, and scrapes its own listener: health, readiness,
// build information, the provider's circuit and the heartbeat; `herald
// healthcheck` agrees, and fails once the worker is gone.
func TestWorkerServesMetrics(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the herald binary")
	}
	fake := vonagetest.NewServer(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "herald.db")
	heraldCmd(t, []string{"HERALD_DATABASE_URL=" + db}, false, "migrate")
	cmd, lines := startHerald(t, []string{"HERALD_DATABASE_URL=" + db, "HERALD_METRICS_ADDR=127.0.0.1:0",
		"VONAGE_API_KEY=" + vonagetest.APIKey, "VONAGE_API_SECRET=" + vonagetest.APISecret,
		"VONAGE_FROM_NUMBER=Herald", "VONAGE_BASE_URL=" + fake.URL}, "worker")
	addr := waitForLine(t, lines, regexp.MustCompile(`msg="Metrics listening" addr=(\S+)`))
	base := "http://" + addr
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/v1/leads": 404} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	var metrics string
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		metrics = string(body)
		if !strings.Contains(metrics, "herald_worker_heartbeat_timestamp_seconds 0") || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, want := range []string{
		`herald_build_info{database="sqlite",goversion="go1.`,
		`herald_provider_circuit_state{provider="vonage"} 0`,
		"herald_worker_heartbeat_timestamp_seconds 1",
		"herald_jobs_waiting 0",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q:\n%s", want, metrics)
		}
	}
	if out := heraldCmd(t, nil, false, "healthcheck", "--addr", addr); strings.TrimSpace(out) != "ready" {
		t.Errorf("healthcheck printed %q", out)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("worker after SIGTERM: %v", err)
	}
	if msg := heraldCmd(t, nil, true, "healthcheck", "--addr", addr); !strings.Contains(msg, "healthcheck") {
		t.Errorf("healthcheck of a stopped worker said %q", msg)
	}
}
