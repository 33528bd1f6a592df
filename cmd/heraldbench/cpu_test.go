package main

import (
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func TestParseStatReadsTheCPUFields(t *testing.T) {
	// A command name with spaces and a parenthesis of its own: the name
	// ends at the last ')'.
	line := "4242 (postgres: x) y) S 1 4242 4242 0 -1 4194560 1201 0 0 0 731 245 17 3 20 0 1 0 636329 " +
		"224153600 3000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	p, err := parseStat(line)
	if err != nil {
		t.Fatal(err)
	}
	want := procStat{pid: 4242, comm: "postgres: x) y", utime: 731, stime: 245, cutime: 17, cstime: 3}
	if p != want {
		t.Fatalf("parseStat = %+v, want %+v", p, want)
	}
	if p.own() != 9760*time.Millisecond || p.children() != 200*time.Millisecond {
		t.Errorf("own %v, children %v; want 9.76s and 200ms", p.own(), p.children())
	}
	for _, bad := range []string{"", "12 cat S 1", "12 (cat) S 1 2 3", "x (cat) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15"} {
		if _, err := parseStat(bad); err == nil {
			t.Errorf("parseStat(%q) gave no error", bad)
		}
	}
}

func TestReadCPUOfThisProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	// Spend some CPU, measured by the kernel rather than by the clock, so
	// that a busy machine only makes this slower.
	var ru syscall.Rusage
	cpu := func() time.Duration {
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	x := 0
	for cpu() < 100*time.Millisecond {
		for i := range 100_000 {
			x += i
		}
	}
	_ = x
	used := cpu()

	s, err := readCPU(os.Getpid(), false)
	if err != nil {
		t.Fatal(err)
	}
	// /proc counts in ticks of 10 ms; allow a little more than one.
	if s.herald < used/2 || s.herald > used+time.Second {
		t.Errorf("herald CPU read from /proc = %v; getrusage says %v", s.herald, used)
	}
	if s.databaseSeen || s.database != 0 {
		t.Errorf("database read without being asked: %+v", s)
	}

	raw, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseStat(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	name := filepath.Base(exe)
	if len(name) > 15 { // the kernel keeps 15 bytes of the name
		name = name[:15]
	}
	if p.pid != os.Getpid() || p.comm != name {
		t.Errorf("own stat: pid %d comm %q; want %d %q", p.pid, p.comm, os.Getpid(), name)
	}
}
