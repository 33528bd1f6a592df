package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuildInfoFrom(t *testing.T) {
	t.Parallel()
	vcs := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "herald", Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	tests := []struct {
		name    string
		stamped string
		bi      *debug.BuildInfo
		want    string
	}{
		{"stamped wins", "v2.0.0", vcs, "v2.0.0 (commit 0123456789ab-dirty, 2026-12-01T10:00:00Z, go1.26.8)"},
		{"checkout build", "", vcs, "devel (commit 0123456789ab-dirty, 2026-12-01T10:00:00Z, go1.26.8)"},
		{"go install of a version", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0 (go1.26.8)"},
	}
	for _, tt := range tests {
		if got := buildInfoFrom(tt.stamped, tt.bi).String(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestVersionCommand builds herald as an operator would, once with the
// version stamped and once without, and runs `herald version`.
func TestVersionCommand(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	stamped := filepath.Join(dir, "herald-stamped")
	build := exec.Command("go", "build", "-ldflags", "-X main.Version=v9.8.7", "-o", stamped, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(stamped, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "herald v9.8.7 (") {
		t.Errorf("stamped herald version = %q", out)
	}
	plain := heraldBinary(t)
	out, err = exec.Command(plain, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	// Unstamped, the version is the one Go recorded for the module: a
	// pseudo-version from a clean git checkout, "(devel)" (shown as
	// "devel") from a changed or unversioned tree.
	meta, err := exec.Command("go", "version", "-m", plain).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "devel"
	for _, line := range strings.Split(string(meta), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "mod" && f[1] == "herald" && f[2] != "(devel)" {
			want = f[2]
		}
	}
	if !strings.HasPrefix(string(out), "herald "+want+" (") {
		t.Errorf("unstamped herald version = %q, want herald %s", out, want)
	}
	// When Go recorded the commit (a build in a git checkout), it shows.
	if _, rev, ok := strings.Cut(string(meta), "vcs.revision="); ok {
		if !strings.Contains(string(out), "commit "+rev[:12]) {
			t.Errorf("herald version = %q, want the commit %s", out, rev[:12])
		}
	}
}

func TestVersionRun(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, mapEnv(nil), &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "herald ") || !strings.Contains(out.String(), "go1.") {
		t.Errorf("version printed %q", out.String())
	}
}
