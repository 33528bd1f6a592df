package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildHerald compiles cmd/herald into dir and returns the binary's path.
func buildHerald(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "herald")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/herald")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/herald: %v\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot finds the directory of Herald's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run heraldbench inside the Herald repository, or pass -herald")
	}
	return filepath.Dir(mod), nil
}

// heraldEnv is the environment Herald runs with: only what the benchmark
// sets, so nothing from the caller's shell changes the figures.
func heraldEnv(vars map[string]string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// runHerald runs a short Herald command (migrate, tenant create) and
// returns its standard output.
func runHerald(ctx context.Context, bin string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("herald %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// heraldServer is a running `herald serve`.
type heraldServer struct {
	cmd     *exec.Cmd
	baseURL string
	logPath string
	exited  chan struct{}
	waitErr error
}

// startHerald starts `herald serve` with env, its log going to logPath,
// and waits until it answers /healthz on the address it logged.
func startHerald(ctx context.Context, bin string, env []string, logPath string) (*heraldServer, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	cmd.Stderr = &addrWatcher{w: logFile, found: addr}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start herald: %w", err)
	}
	h := &heraldServer{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		h.waitErr = cmd.Wait()
		logFile.Close()
		close(h.exited)
	}()
	select {
	case a := <-addr:
		h.baseURL = "http://" + a
	case <-h.exited:
		return nil, fmt.Errorf("herald serve exited at start (%v); log in %s", h.waitErr, logPath)
	case <-time.After(60 * time.Second):
		h.Stop()
		return nil, fmt.Errorf("herald serve did not start within a minute; log in %s", logPath)
	case <-ctx.Done():
		h.Stop()
		return nil, ctx.Err()
	}
	return h, h.waitHealthy(ctx)
}

// addrWatcher copies Herald's log to w and sends the address of the
// "herald serving" line to found, once.
type addrWatcher struct {
	w       io.Writer
	found   chan<- string
	pending []byte
	done    bool
}

// Write implements io.Writer; exec calls it from one goroutine.
func (a *addrWatcher) Write(p []byte) (int, error) {
	if !a.done {
		a.pending = append(a.pending, p...)
		for {
			line, rest, ok := bytes.Cut(a.pending, []byte("\n"))
			if !ok {
				break
			}
			a.pending = rest
			var entry struct{ Msg, Addr string }
			if json.Unmarshal(line, &entry) == nil && entry.Msg == "herald serving" {
				a.found <- entry.Addr
				a.done, a.pending = true, nil
				break
			}
		}
	}
	return a.w.Write(p)
}

func (h *heraldServer) waitHealthy(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(h.baseURL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("herald at %s is not healthy; log in %s", h.baseURL, h.logPath)
}

// Stop asks Herald to shut down gracefully (SIGTERM) and kills it if it
// has not stopped within a minute.
func (h *heraldServer) Stop() {
	_ = h.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-h.exited:
	case <-time.After(time.Minute):
		_ = h.cmd.Process.Kill()
		<-h.exited
	}
}

// memory reads the resident set size of the process now (VmRSS) and at
// its peak (VmHWM), in bytes.
func (h *heraldServer) memory() (rss, peak int64, err error) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(h.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		name, value, _ := strings.Cut(line, ":")
		fields := strings.Fields(value)
		if len(fields) == 0 {
			continue
		}
		kb, _ := strconv.ParseInt(fields[0], 10, 64)
		switch name {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			peak = kb << 10
		}
	}
	return rss, peak, nil
}
