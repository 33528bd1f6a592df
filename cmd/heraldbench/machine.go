package main

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"

	"herald/sqlstore"
)

// machine describes where a run happened, for the report.
type machine struct {
	CPU      string
	Cores    int
	MemoryGB float64
	OS       string
	Kernel   string
	Go       string
	Postgres string
	SQLite   string
}

// loadAverage reads the one-minute load average: on a shared machine it
// tells how much else was running beside the benchmark.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(raw) + " unknown")[0]
}

// describeMachine reads the CPU, memory and OS from /proc and /etc, the Go
// version from the toolchain that builds Herald, and the database
// versions from the databases themselves (empty when one is not used).
func describeMachine(ctx context.Context, postgresURL string, usePostgres bool) machine {
	m := machine{Cores: runtime.NumCPU(), Go: runtime.Version(), CPU: "unknown", OS: runtime.GOOS}
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		m.CPU = v
	}
	if kb, err := strconv.ParseFloat(strings.Fields(procField("/proc/meminfo", "MemTotal") + " 0")[0], 64); err == nil {
		m.MemoryGB = kb / (1 << 20)
	}
	if v := osRelease(); v != "" {
		m.OS = v
	}
	if raw, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(raw))
	}
	if out, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output(); err == nil {
		m.Go = strings.TrimSpace(string(out))
	}
	m.SQLite = sqliteVersion(ctx)
	if usePostgres {
		m.Postgres = queryText(ctx, postgresURL, "SHOW server_version")
	}
	return m
}

// procField returns the value of the first "name : value" line of a /proc
// file.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == name {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

// osRelease returns the PRETTY_NAME of /etc/os-release.
func osRelease() string {
	raw, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

// sqliteVersion asks the embedded SQLite Herald links for its version.
func sqliteVersion(ctx context.Context) string {
	db, err := sqlstore.Open(ctx, "sqlite::memory:")
	if err != nil {
		return ""
	}
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v); err != nil {
		return ""
	}
	return v
}

// queryText runs a one-value query on a PostgreSQL server.
func queryText(ctx context.Context, url, query string) string {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return ""
	}
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, query).Scan(&v); err != nil {
		return ""
	}
	return v
}

// String is the one-paragraph description the report shows.
func (m machine) String() string {
	var b strings.Builder
	b.WriteString(m.CPU + ", " + strconv.Itoa(m.Cores) + " cores, " + strconv.FormatFloat(m.MemoryGB, 'f', 1, 64) +
		" GiB memory; " + m.OS)
	if m.Kernel != "" {
		b.WriteString(" (Linux " + m.Kernel + ")")
	}
	b.WriteString("; " + m.Go)
	if m.Postgres != "" {
		b.WriteString("; PostgreSQL " + m.Postgres)
	}
	if m.SQLite != "" {
		b.WriteString("; SQLite " + m.SQLite + " (modernc, pure Go)")
	}
	return b.String()
}
