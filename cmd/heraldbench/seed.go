package main

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"herald/sqlstore"
)

// seedRule is one reminder rule of seeded meetings, as a tenant's settings
// would hold it.
type seedRule struct {
	name, template string
	offset         time.Duration
}

// The rules Herald plans by default, and the one rule of the dispatch
// phases (a reminder one hour before a meeting).
var (
	defaultRules = []seedRule{{"24h", "meeting_reminder_24h", 24 * time.Hour},
		{"1h", "meeting_reminder_1h", time.Hour}, {"10m", "meeting_reminder_10m", 10 * time.Minute}}
	oneHourRule = []seedRule{{"1h", "meeting_reminder_1h", time.Hour}}
)

// seedPlan describes meetings to write straight into the database, with
// their leads, pending reminders and the reminders' jobs in state
// scheduled: the rows a booking through the API writes (without its audit
// actions), made in bulk with SQL so that a million take a minute, not
// hours. Each meeting has its own lead with its own phone number.
type seedPlan struct {
	// prefix makes the ids of this batch unique and recognisable:
	// rem_<prefix>_<n>_<rule>.
	prefix   string
	tenantID string
	meetings int
	// firstStart is when the first meeting starts; step separates the
	// starts of consecutive meetings (zero: all at once).
	firstStart time.Time
	step       time.Duration
	rules      []seedRule
}

// reminderPattern matches the ids of the plan's reminders in a LIKE.
func (p seedPlan) reminderPattern() string { return "rem_" + p.prefix + "_%" }

// seedChunk is how many meetings one transaction writes: big enough to be
// quick, small enough to keep SQLite's write-ahead log modest.
const seedChunk = 50_000

// seed writes the plan's rows in chunks of seedChunk meetings.
func seed(ctx context.Context, db *sqlstore.DB, p seedPlan) error {
	for lo := 1; lo <= p.meetings; lo += seedChunk {
		hi := min(lo+seedChunk-1, p.meetings)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := seedRange(ctx, tx, db.Name(), p, lo, hi); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("seed %s meetings %d to %d: %w", p.prefix, lo, hi, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("seed %s: %w", p.prefix, err)
		}
	}
	if db.Name() == kindPostgres {
		// PostgreSQL's autovacuum analyses tables this changed within a
		// minute or so; until then the planner believes the tenant has
		// few reminders and may scan all of them to find one meeting's.
		// Analysing now measures the settled state, as a table grown by
		// bookings always is.
		if _, err := db.ExecContext(ctx, "ANALYZE leads, meetings, reminders, river_job"); err != nil {
			return fmt.Errorf("seed %s: analyze: %w", p.prefix, err)
		}
	}
	return nil
}

// seedRange writes meetings lo to hi (numbered from 1) of the plan.
func seedRange(ctx context.Context, tx *sql.Tx, kind string, p seedPlan, lo, hi int) error {
	now := heraldTime(time.Now())
	firstUS := p.firstStart.UnixMicro()
	stepUS := p.step.Microseconds()
	statements := postgresSeed
	var jobBase int64
	if kind == kindSQLite {
		statements = sqliteSeed
		// SQLite has no sequence to draw from in a query; the job ids
		// follow the largest the engine has handed out, inside this
		// transaction, which holds the only write lock.
		if err := tx.QueryRowContext(ctx, `SELECT max(coalesce((SELECT max(id) FROM river_job), 0),
			coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'river_job'), 0))`).Scan(&jobBase); err != nil {
			return fmt.Errorf("job ids: %w", err)
		}
	}
	values := map[string]any{"prefix": p.prefix, "tenant": p.tenantID, "now": now, "lo": lo, "hi": hi,
		"first_us": firstUS, "step_us": stepUS, "job_base": jobBase}
	rules := make([]string, len(p.rules))
	for i, r := range p.rules {
		rules[i] = fmt.Sprintf("(%d, @rule%d_name, @rule%d_template, %d)", i, i, i, r.offset.Microseconds())
		values[fmt.Sprintf("rule%d_name", i)], values[fmt.Sprintf("rule%d_template", i)] = r.name, r.template
	}
	replacer := strings.NewReplacer("{rules}", strings.Join(rules, ", "), "{rule_count}", strconv.Itoa(len(p.rules)))
	for _, stmt := range statements {
		query, args := bind(replacer.Replace(stmt), values)
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("%.60s…: %w", strings.TrimSpace(stmt), err)
		}
	}
	return nil
}

// bind turns the @name markers of query into $1, $2, … in order of first
// appearance and returns the values in that order, so each statement gets
// exactly the arguments it uses, as PostgreSQL requires.
func bind(query string, values map[string]any) (string, []any) {
	var b strings.Builder
	var args []any
	numbers := map[string]int{}
	for {
		at := strings.IndexByte(query, '@')
		if at < 0 {
			b.WriteString(query)
			return b.String(), args
		}
		b.WriteString(query[:at])
		end := at + 1
		for end < len(query) && (query[end] == '_' || query[end] >= 'a' && query[end] <= 'z' || query[end] >= '0' && query[end] <= '9') {
			end++
		}
		name := query[at+1 : end]
		n, seen := numbers[name]
		if !seen {
			v, ok := values[name]
			if !ok {
				panic("heraldbench: no value for @" + name)
			}
			args = append(args, v)
			n = len(args)
			numbers[name] = n
		}
		b.WriteString("$" + strconv.Itoa(n))
		query = query[end:]
	}
}
