// Package deploy holds the deployment kit: the container file, the compose
// file, systemd units, alert rules and a dashboard. Its tests check them
// the way an operator's tools would.
package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"
)

// composeFile is the part of deploy/compose.yaml the checks read.
type composeFile struct {
	Services map[string]struct {
		Image     string            `yaml:"image"`
		Command   []string          `yaml:"command"`
		Restart   string            `yaml:"restart"`
		Ports     []string          `yaml:"ports"`
		Env       map[string]string `yaml:"environment"`
		DependsOn map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Deploy struct {
			Replicas int `yaml:"replicas"`
		} `yaml:"deploy"`
		StopGrace   string `yaml:"stop_grace_period"`
		Healthcheck struct {
			Test    []string `yaml:"test"`
			Disable bool     `yaml:"disable"`
		} `yaml:"healthcheck"`
	} `yaml:"services"`
}

// TestComposeFile reads deploy/compose.yaml as docker compose would (YAML
// merge keys included): PostgreSQL, a one-shot migrate that the others
// wait for, one serve and two workers with their health checks, and stop
// grace periods longer than Herald's own shutdown. With docker compose
// installed, `docker compose config` must accept it too.
func TestComposeFile(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	pg, ok := c.Services["postgres"]
	if !ok || !strings.HasPrefix(pg.Image, "postgres:") || len(pg.Healthcheck.Test) == 0 {
		t.Errorf("postgres service = %+v", pg)
	}
	migrate := c.Services["migrate"]
	if strings.Join(migrate.Command, " ") != "migrate" || migrate.Restart != "no" ||
		migrate.DependsOn["postgres"].Condition != "service_healthy" {
		t.Errorf("migrate service = %+v", migrate)
	}
	for name, want := range map[string]struct {
		command  string
		replicas int
		health   string
	}{"serve": {"serve", 0, ""}, "worker": {"worker", 2, "/herald healthcheck --addr :9090"}} {
		s := c.Services[name]
		if strings.Join(s.Command, " ") != want.command || s.Deploy.Replicas != want.replicas {
			t.Errorf("%s: command %v, replicas %d", name, s.Command, s.Deploy.Replicas)
		}
		if s.DependsOn["migrate"].Condition != "service_completed_successfully" {
			t.Errorf("%s does not wait for the migrations: %+v", name, s.DependsOn)
		}
		if s.Image != migrate.Image || s.Image == "" {
			t.Errorf("%s runs image %q, migrate %q", name, s.Image, migrate.Image)
		}
		if !strings.Contains(s.Env["HERALD_DATABASE_URL"], "@postgres:5432/") {
			t.Errorf("%s database = %q", name, s.Env["HERALD_DATABASE_URL"])
		}
		if want.health != "" && strings.Join(s.Healthcheck.Test[1:], " ") != want.health {
			t.Errorf("%s health check = %v", name, s.Healthcheck.Test)
		}
		checkStopFits(t, name, s.Env["HERALD_SHUTDOWN_TIMEOUT"], s.StopGrace)
	}
	if len(c.Services["serve"].Ports) == 0 {
		t.Error("serve publishes no port")
	}
	if docker, err := exec.LookPath("docker"); err == nil {
		cmd := exec.Command(docker, "compose", "-f", "compose.yaml", "config", "--quiet")
		if out, err := cmd.CombinedOutput(); err != nil && !bytes.Contains(out, []byte("unknown")) &&
			!bytes.Contains(out, []byte("is not a docker command")) {
			t.Errorf("docker compose config: %v\n%s", err, out)
		}
	}
}

// checkStopFits fails unless the supervisor's stop timeout leaves Herald
// its shutdown timeout plus the 5 s it takes to cancel what is left, and
// a margin.
func checkStopFits(t *testing.T, what, shutdown, stop string) {
	t.Helper()
	if shutdown == "" {
		shutdown = "30s"
	}
	sd, err := time.ParseDuration(shutdown)
	if err != nil {
		t.Errorf("%s: HERALD_SHUTDOWN_TIMEOUT %q: %v", what, shutdown, err)
		return
	}
	if regexp.MustCompile(`^\d+$`).MatchString(stop) {
		stop += "s"
	}
	st, err := time.ParseDuration(stop)
	if err != nil {
		t.Errorf("%s: stop timeout %q: %v", what, stop, err)
		return
	}
	if st < sd+5*time.Second+5*time.Second {
		t.Errorf("%s: the stop timeout %v does not leave Herald its %v shutdown and 5 s to cancel", what, st, sd)
	}
}

// TestSystemdUnits checks each unit's stop timeout against its shutdown
// timeout, and rates its hardening with systemd-analyze security, which
// must say OK or better; the sysusers file must be one systemd-sysusers
// takes.
func TestSystemdUnits(t *testing.T) {
	t.Parallel()
	units, err := filepath.Glob("systemd/*.service")
	if err != nil || len(units) != 3 {
		t.Fatalf("units: %v %v", units, err)
	}
	setting := func(unit, key string) string {
		raw, _ := os.ReadFile(unit)
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(key) + `=(.*)$`).FindSubmatch(raw)
		if m == nil {
			return ""
		}
		return strings.TrimSpace(string(m[1]))
	}
	for _, unit := range units {
		raw, _ := os.ReadFile(unit)
		if !strings.Contains(string(raw), "User=herald") {
			t.Errorf("%s does not run as the herald user", unit)
		}
		if setting(unit, "Type") == "oneshot" {
			continue
		}
		shutdown := "30s"
		if m := regexp.MustCompile(`(?m)^Environment=HERALD_SHUTDOWN_TIMEOUT=(\S+)$`).FindSubmatch(raw); m != nil {
			shutdown = string(m[1])
		}
		checkStopFits(t, unit, shutdown, setting(unit, "TimeoutStopSec"))
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze is not installed: hardening not rated")
		return
	}
	dir := t.TempDir()
	for _, unit := range units {
		name := filepath.Base(unit)
		// A template is rated as one of its instances.
		name = strings.Replace(name, "@.service", "@9091.service", 1)
		raw, err := os.ReadFile(unit)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(analyze, "security", "--offline=true", "--no-pager", path).CombinedOutput()
		if err != nil {
			t.Errorf("systemd-analyze security %s: %v\n%s", name, err, out)
			continue
		}
		m := regexp.MustCompile(`Overall exposure level for \S+: ([\d.]+) (\w+)`).FindSubmatch(out)
		if m == nil {
			t.Errorf("systemd-analyze security %s said:\n%s", name, out)
			continue
		}
		switch string(m[2]) {
		case "OK", "SAFE", "PERFECT":
		default:
			t.Errorf("%s is rated %s %s, want OK or better", name, m[1], m[2])
		}
	}
	if sysusers, err := exec.LookPath("systemd-sysusers"); err == nil {
		abs, _ := filepath.Abs("systemd/herald.sysusers")
		out, err := exec.Command(sysusers, "--dry-run", "--root="+t.TempDir(), abs).CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("herald")) {
			t.Errorf("systemd-sysusers --dry-run: %v\n%s", err, out)
		}
	}
}

// TestContainerFile checks what the image build relies on: the build
// context leaves out the history and local databases, the version is
// stamped, SQLite lives on a volume, and the health check needs no curl.
func TestContainerFile(t *testing.T) {
	t.Parallel()
	ignore, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".git", "**/*.db", "**/*.db-wal"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(want) + `$`).Match(ignore) {
			t.Errorf(".dockerignore does not leave out %s", want)
		}
	}
	raw, err := os.ReadFile("Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`-X main.Version=${VERSION}`, `VOLUME ["/data"]`, `HERALD_DATABASE_URL=sqlite:/data/herald.db`,
		`HEALTHCHECK`, `CMD ["/herald", "healthcheck"]`, "USER herald"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("Containerfile lacks %s", want)
		}
	}
}
