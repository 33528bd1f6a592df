package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// quickstartBlock returns the first sh block of the README's Quickstart
// section, exactly as written.
func quickstartBlock(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(raw), "\n## Quickstart\n")
	if !ok {
		t.Fatal("README.md has no Quickstart section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok := strings.Cut(section, "\n```sh\n")
	if !ok {
		t.Fatal("the Quickstart section has no sh block")
	}
	block, _, ok = strings.Cut(block, "\n```\n")
	if !ok {
		t.Fatal("the Quickstart block does not end")
	}
	return block
}

// TestQuickstartAsWritten runs the README's quickstart block with bash, as
// pasted into a shell, with the herald built from this tree on PATH and a
// free loopback port: it must create a tenant, a lead and a meeting with
// three pending reminders. A second run while the first server holds the
// port shows how it fails: loudly, with no API key made of an error.
func TestQuickstartAsWritten(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the herald binary")
	}
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	block := quickstartBlock(t)
	bin := heraldBinary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()

	dir := t.TempDir()
	runBlock := func(env ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", "-c", block)
		cmd.Dir = dir
		cmd.Env = append([]string{"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"),
			"HOME=" + dir, "PORT=" + port}, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := runBlock()
	t.Cleanup(func() { stopPidFile(t, filepath.Join(dir, "herald.pid")) })
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "herald.log"))
		t.Fatalf("quickstart failed: %v\n%s\nherald.log:\n%s", err, out, log)
	}
	for _, want := range []string{"API key: hk_", "lead: lead_", `"title":"Product Demo"`, `"status":"pending"`} {
		if !strings.Contains(out, want) {
			t.Errorf("quickstart output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, `"rule":`); n != 6 { // the meeting's three, then the list's three
		t.Errorf("quickstart showed %d reminders, want 3 twice:\n%s", n, out)
	}

	// The admin token changed under it: the tenant step fails, and the
	// block stops there with a message instead of using the error as a key.
	stopPidFile(t, filepath.Join(dir, "herald.pid"))
	bad := strings.Replace(block, "-H 'Authorization: Bearer change-me'", "-H 'Authorization: Bearer wrong'", 1)
	if bad == block {
		t.Fatal("the quickstart block no longer sends the admin token as the test expects")
	}
	block = bad
	out, err = runBlock()
	if err == nil || !strings.Contains(out, "quickstart: the step at line") || strings.Contains(out, "API key:") {
		t.Errorf("a failing tenant step: err %v, output:\n%s", err, out)
	}
}

// stopPidFile stops the server whose pid the quickstart wrote, with SIGTERM
// as its README says, and waits until it is gone.
func stopPidFile(t *testing.T, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	for i := 0; i < 300 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	os.Remove(path)
}
