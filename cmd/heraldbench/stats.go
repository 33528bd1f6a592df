package main

import (
	"fmt"
	"slices"
	"time"
)

// spread summarises a set of durations: how many, the median, the 99th
// percentile and the largest.
type spread struct {
	N             int
	P50, P99, Max time.Duration
}

// spreadOf sorts ds in place and summarises them; an empty set gives the
// zero spread.
func spreadOf(ds []time.Duration) spread {
	if len(ds) == 0 {
		return spread{}
	}
	slices.Sort(ds)
	return spread{N: len(ds), P50: percentile(ds, 50), P99: percentile(ds, 99), Max: ds[len(ds)-1]}
}

// percentile returns the p-th percentile of sorted ds by the nearest-rank
// method: the smallest value that at least p percent of the set is not
// above.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (len(sorted)*p + 99) / 100
	return sorted[max(rank, 1)-1]
}

// String shows the spread as "p50 / p99 / max".
func (s spread) String() string {
	if s.N == 0 {
		return "–"
	}
	return ms(s.P50) + " / " + ms(s.P99) + " / " + ms(s.Max)
}

// ms formats a duration in milliseconds, or seconds, minutes and hours when
// it is long, with a precision that suits a table.
func ms(d time.Duration) string {
	switch {
	case d < 0:
		return "−" + ms(-d)
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < 10*time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < 10*time.Hour:
		return fmt.Sprintf("%.0f min", d.Minutes())
	}
	return fmt.Sprintf("%.1f h", d.Hours())
}

// rate formats a count per second.
func rate(perSecond float64) string {
	switch {
	case perSecond == 0:
		return "–"
	case perSecond < 10:
		return fmt.Sprintf("%.2f/s", perSecond)
	}
	return thousands(int64(perSecond+0.5)) + "/s"
}

// thousands writes n with thin separators between groups of three digits.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// mib formats a size in bytes as mebibytes.
func mib(bytes int64) string { return fmt.Sprintf("%.0f MiB", float64(bytes)/(1<<20)) }

// ratio formats a/b as "×n", or "–" when b is zero.
func ratio(a, b float64) string {
	if b == 0 || a == 0 {
		return "–"
	}
	r := a / b
	if r >= 100 {
		return "×" + thousands(int64(r+0.5))
	}
	return fmt.Sprintf("×%.2f", r)
}
