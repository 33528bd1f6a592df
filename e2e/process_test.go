package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"herald/vonage/vonagetest"
)

// workerProc is one `herald worker` process run by a test.
type workerProc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	// waitErr is the process's exit error, set before exited closes.
	waitErr error
}

// configPrefixes are the environment variables of Herald's configuration;
// the test's own environment must not leak them into a worker.
var configPrefixes = []string{"HERALD_", "VONAGE_", "TWILIO_", "SMTP_", "REMINDER_", "SMS_PROVIDERS"}

// baseEnv is the test's environment without Herald's configuration.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		keep := true
		for _, p := range configPrefixes {
			if strings.HasPrefix(kv, p) {
				keep = false
			}
		}
		if keep {
			env = append(env, kv)
		}
	}
	// Every worker serves its metrics; a free port each, so several run.
	env = append(env, "HERALD_METRICS_ADDR=127.0.0.1:0")
	return env
}

// workerEnv returns the environment of a worker on dbURL that sends SMS to
// the fake from the sender id from, with extra KEY=VALUE settings.
func workerEnv(dbURL string, fake *vonagetest.Server, from string, extra ...string) []string {
	env := append(baseEnv(),
		"HERALD_DATABASE_URL="+dbURL,
		"HERALD_LOG_LEVEL=info",
		"VONAGE_API_KEY="+vonagetest.APIKey,
		"VONAGE_API_SECRET="+vonagetest.APISecret,
		"VONAGE_FROM_NUMBER="+from,
		"VONAGE_BASE_URL="+fake.URL,
		"VONAGE_RATE_LIMIT=0",
		"REMINDER_POLL_INTERVAL=50ms",
	)
	return append(env, extra...)
}

// migrate runs `herald migrate` on dbURL.
func migrate(t *testing.T, dbURL string) {
	t.Helper()
	cmd := exec.Command(heraldBin, "migrate")
	cmd.Env = append(baseEnv(), "HERALD_DATABASE_URL="+dbURL)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("herald migrate: %v\n%s", err, out)
	}
}

// startWorker starts `herald worker` with env and waits until it says its
// worker runs. The process is killed at the end of the test if still
// running, and its last log lines are shown if the test failed.
func startWorker(t *testing.T, name string, env []string) *workerProc {
	t.Helper()
	p := &workerProc{name: name, logPath: filepath.Join(t.TempDir(), name+".log"), exited: make(chan struct{})}
	logFile, err := os.Create(p.logPath)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(heraldBin, "worker")
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if err := p.cmd.Start(); err != nil {
		logFile.Close()
		t.Fatal(err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	t.Cleanup(func() {
		if p.running() {
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("last lines of %s:\n%s", p.name, tailOf(p.logPath, 40))
		}
	})
	waitFor(t, 15*time.Second, 20*time.Millisecond, func() (bool, string) {
		if !p.running() {
			t.Fatalf("%s exited at start (%v):\n%s", name, p.waitErr, tailOf(p.logPath, 20))
		}
		return strings.Contains(p.log(), "Reminder worker started"), name + " has not started its worker"
	})
	return p
}

func (p *workerProc) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// log returns what the process has logged so far.
func (p *workerProc) log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// kill ends the process with SIGKILL, as a crash or an OOM killer would,
// and waits for it to be gone.
func (p *workerProc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.exited
}

// terminate sends SIGTERM and waits up to limit for the process to exit.
// It returns how long the exit took, and fails the test when the process
// outlives limit or exits with an error.
func (p *workerProc) terminate(t *testing.T, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
	case <-time.After(limit):
		t.Fatalf("%s still running %v after SIGTERM", p.name, limit)
	}
	took := time.Since(start)
	if p.waitErr != nil {
		t.Errorf("%s exited with %v after SIGTERM", p.name, p.waitErr)
	}
	return took
}

// logLine returns the first line the process logged that contains s, or
// "".
func (p *workerProc) logLine(s string) string {
	for _, line := range strings.Split(p.log(), "\n") {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}

// problems counts the warnings and errors the process logged, by message
// (ids left out).
func (p *workerProc) problems() map[string]int {
	out := map[string]int{}
	for _, line := range strings.Split(p.log(), "\n") {
		if !strings.Contains(line, "level=WARN") && !strings.Contains(line, "level=ERROR") {
			continue
		}
		msg := line
		if _, rest, ok := strings.Cut(line, "msg="); ok {
			msg, _, _ = strings.Cut(rest, " ")
			if q, err := strconv.QuotedPrefix(rest); err == nil {
				msg, _ = strconv.Unquote(q)
			}
		}
		msg = idPattern.ReplaceAllString(msg, "${1}…")
		if i := strings.Index(line, "SQLSTATE "); i >= 0 {
			msg += " (" + line[i:min(i+len("SQLSTATE 12345"), len(line))] + ")"
		}
		out[msg]++
	}
	return out
}

// idPattern matches Herald's ids, such as rem_ followed by 26 characters.
var idPattern = regexp.MustCompile(`\b([a-z]+_)[A-Z2-7]{26}\b`)

// logProblems logs what problems returns, if anything.
func (p *workerProc) logProblems(t *testing.T) {
	t.Helper()
	for msg, n := range p.problems() {
		t.Logf("%s logged %d× %q", p.name, n, msg)
	}
}
