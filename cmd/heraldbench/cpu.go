package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of the CPU times in /proc/<pid>/stat (USER_HZ),
// 1/100 s on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// postgresComm is the command name PostgreSQL's server processes carry
// (the postmaster and every backend and background worker forked from it).
const postgresComm = "postgres"

// cpuUse is the CPU time (user and system) one dispatch phase cost.
type cpuUse struct {
	// Herald is the herald process's own CPU time.
	Herald time.Duration
	// Database is the PostgreSQL server's: 0 on SQLite, which runs inside
	// herald. DatabaseSeen says whether server processes were found on
	// this machine at all (a remote server cannot be read).
	Database     time.Duration
	DatabaseSeen bool
}

// perReminder is the machine CPU time, herald and database together, per
// reminder of the phase; 0 when nothing was measured.
func (c cpuUse) perReminder(reminders int) time.Duration {
	if reminders <= 0 {
		return 0
	}
	return (c.Herald + c.Database) / time.Duration(reminders)
}

// String shows the CPU per reminder and its parts, for the phase lines.
func (c cpuUse) String(reminders int, kind string) string {
	if reminders <= 0 {
		return "–"
	}
	per := func(d time.Duration) string { return us(d / time.Duration(reminders)) }
	if kind != kindPostgres {
		return per(c.Herald) + " (herald, with SQLite inside it)"
	}
	if !c.DatabaseSeen {
		return per(c.Herald) + " (herald only: no PostgreSQL process on this machine)"
	}
	return fmt.Sprintf("%s (herald %s + PostgreSQL %s)", per(c.Herald+c.Database), per(c.Herald), per(c.Database))
}

// us formats a duration in whole microseconds.
func us(d time.Duration) string {
	return thousands(d.Microseconds()) + " µs"
}

// cpuSample is the CPU time used so far by herald and by the PostgreSQL
// server, read from /proc.
type cpuSample struct {
	herald, database time.Duration
	databaseSeen     bool
}

// sub is the CPU used between two samples.
func (s cpuSample) sub(before cpuSample) cpuUse {
	return cpuUse{Herald: s.herald - before.herald, Database: s.database - before.database,
		DatabaseSeen: s.databaseSeen && before.databaseSeen}
}

// readCPU samples the CPU time of the herald process pid and, when
// withDatabase is set, of every PostgreSQL server process on the machine.
// The postmaster's children's times (cutime, cstime) count too, so a
// backend that exits during a phase is still counted.
func readCPU(pid int, withDatabase bool) (cpuSample, error) {
	var s cpuSample
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return s, err
	}
	st, err := parseStat(string(raw))
	if err != nil {
		return s, err
	}
	s.herald = st.own()
	if !withDatabase {
		return s, nil
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return s, err
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		// A process may end between the listing and the read, or be
		// unreadable; neither is an error.
		raw, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		st, err := parseStat(string(raw))
		if err != nil || st.comm != postgresComm {
			continue
		}
		s.database += st.own() + st.children()
		s.databaseSeen = true
	}
	return s, nil
}

// procStat is what the benchmark reads of one /proc/<pid>/stat line.
type procStat struct {
	pid  int
	comm string
	// utime, stime, cutime and cstime are in clock ticks: the process's
	// own user and system time and that of its children it waited for.
	utime, stime, cutime, cstime int64
}

func (p procStat) own() time.Duration      { return time.Duration(p.utime+p.stime) * clockTick }
func (p procStat) children() time.Duration { return time.Duration(p.cutime+p.cstime) * clockTick }

// parseStat reads a /proc/<pid>/stat line (proc(5)): "pid (comm) state
// ppid …", where comm may itself hold spaces and parentheses, so it ends
// at the last ')'. utime, stime, cutime and cstime are fields 14 to 17.
func parseStat(line string) (procStat, error) {
	var p procStat
	open, end := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
	if open < 0 || end < open {
		return p, errors.New("stat: no (comm)")
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line[:open]))
	if err != nil {
		return p, fmt.Errorf("stat: pid: %w", err)
	}
	p.pid, p.comm = pid, line[open+1:end]
	// rest[0] is field 3 (state), so field n is rest[n-3].
	rest := strings.Fields(line[end+1:])
	if len(rest) < 15 {
		return p, fmt.Errorf("stat: %d fields after comm, want at least 15", len(rest))
	}
	for i, dst := range []*int64{&p.utime, &p.stime, &p.cutime, &p.cstime} {
		v, err := strconv.ParseInt(rest[14-3+i], 10, 64)
		if err != nil {
			return p, fmt.Errorf("stat: field %d: %w", 14+i, err)
		}
		*dst = v
	}
	return p, nil
}

// cpuFrom samples the CPU time at the instant at (the phase's first due
// time), in the background; the returned function waits for that sample
// and takes a second one now, and gives the CPU used in between. A failed
// read is logged and gives the zero use.
func (h *heraldRun) cpuFrom(ctx context.Context, at time.Time) func() cpuUse {
	pid, withDatabase := h.server.cmd.Process.Pid, h.kind == kindPostgres
	first := make(chan cpuSample, 1)
	failed := make(chan error, 1)
	sample := func() {
		s, err := readCPU(pid, withDatabase)
		if err != nil {
			failed <- err
		}
		first <- s
	}
	timer := time.AfterFunc(time.Until(at), sample)
	return func() cpuUse {
		if timer.Stop() {
			// Not due yet (a phase cut short): start from now.
			go sample()
		}
		var before cpuSample
		select {
		case before = <-first:
		case <-ctx.Done():
			return cpuUse{}
		}
		after, err := readCPU(pid, withDatabase)
		select {
		case err = <-failed:
		default:
		}
		if err != nil {
			h.logf("reading CPU times from /proc: %v", err)
			return cpuUse{}
		}
		return after.sub(before)
	}
}
