package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// metricNames are the herald_* metric names the Go sources register.
func metricNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	nameRe := regexp.MustCompile(`"(herald_[a-z_]+)"`)
	err := filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range nameRe.FindAllStringSubmatch(string(src), -1) {
			names[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestDeployFilesUseRealMetrics checks that every metric the alert rules
// and the Grafana dashboard query is one Herald exports, so a renamed
// metric cannot silently blind an alert.
func TestDeployFilesUseRealMetrics(t *testing.T) {
	t.Parallel()
	known := metricNames(t)
	used := regexp.MustCompile(`herald_[a-z_]+`)
	suffix := regexp.MustCompile(`_(bucket|sum|count)$`)
	for _, file := range []string{"../../deploy/prometheus/alerts.yml", "../../deploy/grafana/herald-dashboard.json"} {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(file, ".json") {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
		}
		n := 0
		for _, name := range used.FindAllString(string(raw), -1) {
			if strings.HasPrefix(name, "herald_overview") {
				continue // the dashboard's uid
			}
			n++
			if !known[name] && !known[suffix.ReplaceAllString(name, "")] {
				t.Errorf("%s queries %s, which Herald does not export", file, name)
			}
		}
		if n == 0 {
			t.Errorf("%s queries no Herald metric", file)
		}
	}
}

// TestAlertRulesPassPromtool runs promtool on the alert rules and their
// unit tests when it is installed (Debian's prometheus package has it).
func TestAlertRulesPassPromtool(t *testing.T) {
	t.Parallel()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (apt-get install prometheus)")
	}
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = "../../deploy/prometheus"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
