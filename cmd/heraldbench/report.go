package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The markers around the part of the report file the benchmark writes;
// what lies outside them (notes, analysis) is kept.
const (
	beginMarker = "<!-- heraldbench:begin (written by go run ./cmd/heraldbench; edit outside these markers) -->"
	endMarker   = "<!-- heraldbench:end -->"
)

// report turns results into Markdown.
type report struct {
	opts    *options
	machine machine
	results []dbResult
	started time.Time
	took    time.Duration
	// loadBefore and loadAfter are the machine's one-minute load
	// averages when the run started and ended.
	loadBefore, loadAfter string
}

// row is one line of a results table: a label and how to show one
// database's value.
type row struct {
	label string
	cell  func(r dbResult) string
}

// markdown is the generated part of the report, markers included.
func (rep report) markdown() string {
	var b strings.Builder
	o := rep.opts
	b.WriteString(beginMarker + "\n\n")
	fmt.Fprintf(&b, "Command: `%s`  \n", strings.TrimSpace(o.command))
	fmt.Fprintf(&b, "Run: %s, %v in all  \n", rep.started.UTC().Format("2006-01-02 15:04 UTC"), rep.took.Round(time.Second))
	fmt.Fprintf(&b, "Machine: %s; one-minute load average %s at the start, %s at the end  \n", rep.machine,
		rep.loadBefore, rep.loadAfter)
	fmt.Fprintf(&b, "Herald: `herald serve` as a subprocess with REMINDER_BATCH_SIZE=%d, REMINDER_POLL_INTERVAL=%v, "+
		"VONAGE_RATE_LIMIT=0, JSON logs at level info to a file; the fake Vonage SMS API on loopback answers in %v.\n",
		o.batchSize, o.pollInterval, o.providerLatency)
	if o.smoke {
		b.WriteString("\n**Smoke run**: small numbers, databases and parts side by side; the figures only show that it works.\n")
	}
	b.WriteString("\n### Herald\n\n")
	rep.table(&b, rep.heraldRows())
	b.WriteString("\n### Baselines on the same database\n\n")
	rep.table(&b, rep.baselineRows())
	b.WriteString("\n### Scale: an empty database against one with many pending reminders\n\n")
	rep.table(&b, rep.scaleRows())
	b.WriteString("\n### Targets\n\n")
	rep.table(&b, rep.targetRows())
	b.WriteString("\n" + methodNotes + "\n" + endMarker + "\n")
	return b.String()
}

// table writes rows with one column per database measured.
func (rep report) table(b *strings.Builder, rows []row) {
	b.WriteString("| |")
	for _, r := range rep.results {
		b.WriteString(" " + displayName(r.Kind) + " |")
	}
	b.WriteString("\n|---|")
	for range rep.results {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, rw := range rows {
		b.WriteString("| " + rw.label + " |")
		for _, r := range rep.results {
			b.WriteString(" " + rw.cell(r) + " |")
		}
		b.WriteString("\n")
	}
}

func displayName(kind string) string {
	if kind == kindPostgres {
		return "PostgreSQL"
	}
	return "SQLite"
}

// phaseLabel names a dispatch phase with its size.
func phaseLabel(d dispatchResult) string {
	if d.Rate == 0 {
		return thousands(int64(d.Reminders)) + " due at one instant"
	}
	return fmt.Sprintf("%s/s for %v", thousands(int64(d.Rate)), (time.Duration(float64(d.Reminders)/d.Rate) * time.Second).Round(time.Second))
}

// writeReport puts text between the markers of the file at path, keeping
// the rest of the file; a file without markers gets the text appended, a
// missing file is created with a title.
func writeReport(path, text string) error {
	return writeBetween(path, text, beginMarker, endMarker)
}

// writeBetween is writeReport with the markers given.
func writeBetween(path, text, beginMarker, endMarker string) error {
	if path == "" || path == "-" {
		return nil
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	content := string(old)
	begin, end := strings.Index(content, beginMarker), strings.Index(content, endMarker)
	switch {
	case begin >= 0 && end > begin:
		content = content[:begin] + text + content[end+len(endMarker)+1:]
	case len(content) == 0:
		content = "# Benchmarks\n\n" + text
	default:
		content = strings.TrimRight(content, "\n") + "\n\n" + text
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

// check fails the run when Herald lost or duplicated a reminder: the one
// thing a smoke run must catch. Missed speed targets are only reported.
func (rep report) check() error {
	var problems []string
	for _, r := range rep.results {
		for _, d := range []dispatchResult{r.Burst, r.Sustain, r.Steady, r.Scale.Empty.Pickup, r.Scale.Full.Pickup} {
			if d.Duplicates > 0 || d.Missing > 0 || d.NotSent > 0 {
				problems = append(problems, fmt.Sprintf("%s %s: %d duplicates, %d never received, %d not sent",
					r.Kind, d.Name, d.Duplicates, d.Missing, d.NotSent))
			}
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}
