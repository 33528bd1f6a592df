package webui_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/sqlstore"
)

// BenchmarkDashboardBigTenant renders the dashboard's pages over one tenant
// with a million reminders (HERALD_BENCH_REMINDERS sets another number;
// HERALD_BENCH_DB=postgres runs it on PostgreSQL). Filling the database
// takes a minute or two; each page must cost tens of milliseconds whatever
// the tenant's size, because every list is paged through an index.
//
//	go test ./webui/ -run '^$' -bench BigTenant -benchtime 20x
func BenchmarkDashboardBigTenant(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("HERALD_BENCH_REMINDERS")); err == nil && v > 0 {
		n = v
	}
	var db *sqlstore.DB
	if os.Getenv("HERALD_BENCH_DB") == "postgres" {
		db = dbtest.Postgres(b)
	} else {
		db = dbtest.SQLite(b)
	}
	t := b
	bundle := setup(t, db)
	tenant, key := bundle.tenant(t, "Big Tenant")
	started := time.Now()
	big := fillTenant(b, bundle, tenant.ID, n)
	if db.Name() == "postgres" {
		if _, err := db.Exec("ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: %d reminders, %d meetings, %d leads written in %v", db.Name(), n, big.meetings, big.leads,
		time.Since(started).Round(time.Second))

	br := bundle.browser(t)
	br.signIn(t, key)
	pages := []struct{ name, path string }{
		{"upcoming", "/ui/upcoming"},
		{"upcoming_7d_page2", "/ui/upcoming?hours=168&cursor=" + big.upcomingCursor},
		{"messages", "/ui/messages"},
		{"messages_failed", "/ui/messages?status=failed"},
		{"messages_week", "/ui/messages?from=" + big.weekAgo + "&to=" + big.today},
		{"messages_deep", "/ui/messages?cursor=" + big.deepCursor},
		{"messages_search", "/ui/messages?q=" + big.leadName},
		{"meeting", "/ui/meetings/" + big.meetingID},
		{"reminder", "/ui/reminders/" + big.reminderID},
		{"leads", "/ui/leads"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				got := br.get(t, p.path)
				if got.status != http.StatusOK {
					b.Fatalf("%s = %d: %.500s", p.path, got.status, got.body)
				}
			}
		})
	}
}

// bigTenant is what fillTenant wrote.
type bigTenant struct {
	meetings, leads            int
	meetingID, reminderID      string
	leadName                   string
	deepCursor, upcomingCursor string
	weekAgo, today             string
}

// fillTenant writes n reminders for one tenant straight into the tables,
// three per meeting, the meetings spread over 60 days around now: those
// past are sent (one in fifty failed), those ahead pending; each meeting
// and reminder has its audit action. Writing
// through the store would take hours; the rows are the ones it writes.
func fillTenant(b testing.TB, bundle *testBundle, tenantID string, n int) bigTenant {
	ctx := context.Background()
	now := bundle.clock.Now()
	const layout = "2006-01-02T15:04:05.000000Z"
	ts := func(t time.Time) string { return t.UTC().Format(layout) }
	meetings := n / 3
	leads := max(1, meetings/4)
	out := bigTenant{meetings: meetings, leads: leads, weekAgo: now.AddDate(0, 0, -7).Format("2006-01-02"),
		today: now.Format("2006-01-02")}
	span := 60 * 24 * time.Hour
	first := now.Add(-span / 2)

	sqlite := bundle.db.Name() == "sqlite"
	tx, err := bundle.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	// A failed fill must not keep the schema locked against its removal.
	defer func() { _ = tx.Rollback() }()
	insert := func(table, cols string, ncols int, rows [][]any) {
		if len(rows) == 0 {
			return
		}
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
		args := make([]any, 0, len(rows)*ncols)
		for i, r := range rows {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString("(")
			for j := range ncols {
				if j > 0 {
					sb.WriteString(",")
				}
				if sqlite {
					// SQLite looks each $n name up in a list: quadratic in a statement this big.
					sb.WriteString("?")
				} else {
					fmt.Fprintf(&sb, "$%d", i*ncols+j+1)
				}
			}
			sb.WriteString(")")
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			b.Fatalf("fill %s: %v", table, err)
		}
	}
	const batch = 500
	var rows [][]any
	for i := range leads {
		name := fmt.Sprintf("Lead %07d", i)
		rows = append(rows, []any{fmt.Sprintf("lead_big%07d", i), tenantID, name, fmt.Sprintf("+1415%07d", i),
			fmt.Sprintf("lead%d@example.com", i), "America/New_York", "", false, ts(now), ts(now)})
		if len(rows) == batch || i == leads-1 {
			insert("leads", "id, tenant_id, name, phone, email, timezone, locale, sms_opted_out, created_at, updated_at", 10, rows)
			rows = rows[:0]
		}
	}
	out.leadName = "Lead%20" + fmt.Sprintf("%07d", leads/2)
	rules := []struct {
		name   string
		offset time.Duration
	}{{"24h", 24 * time.Hour}, {"1h", time.Hour}, {"10m", 10 * time.Minute}}
	var rem, audit [][]any
	for i := range meetings {
		id := fmt.Sprintf("mtg_big%07d", i)
		start := first.Add(time.Duration(int64(span) / int64(meetings) * int64(i)))
		status := herald.MeetingScheduled
		rows = append(rows, []any{id, tenantID, fmt.Sprintf("lead_big%07d", i%leads), fmt.Sprintf("Meeting %d", i),
			ts(start), "", "", string(status), "bench", 0, ts(start.Add(-48 * time.Hour)), ts(start.Add(-48 * time.Hour))})
		audit = append(audit, []any{"act_m" + id, tenantID, "meeting.booked", "meeting", id, "", "", "ok", "", ts(start.Add(-48 * time.Hour))})
		for _, r := range rules {
			at := start.Add(-r.offset)
			rid := fmt.Sprintf("rem_big%07d%s", i, r.name)
			st, channel, provider, attempts, delivery := "pending", "", "", 0, ""
			var sent any
			if at.Before(now) {
				st, channel, provider, attempts, delivery, sent = "sent", "sms", "vonage", 1, "delivered", ts(at)
				if i%50 == 0 {
					st, delivery, sent = "failed", "", nil
				}
			}
			rem = append(rem, []any{rid, tenantID, id, r.name, "meeting_reminder_" + r.name, ts(at), ts(at), st,
				channel, provider, attempts, 3, fmt.Sprintf("%s:0:%s", id, r.name), delivery, sent,
				ts(start.Add(-48 * time.Hour)), ts(at)})
			audit = append(audit, []any{"act_r" + rid, tenantID, "reminder.planned", "reminder", rid, "", "", "pending", "", ts(start.Add(-48 * time.Hour))})
			if i == meetings/2 {
				out.meetingID, out.reminderID = id, rid
			}
		}
		if len(rows) == batch || i == meetings-1 {
			insert("meetings", "id, tenant_id, lead_id, title, starts_at, timezone, join_link, status, source, sequence, created_at, updated_at", 12, rows)
			insert("reminders", "id, tenant_id, meeting_id, rule, template, scheduled_at, rule_at, status, channel, provider, attempts, max_retries, idempotency_key, delivery_status, sent_at, created_at, updated_at", 17, rem)
			insert("assistant_actions", "id, tenant_id, action, entity_type, entity_id, channel, provider, outcome, detail, created_at", 10, audit)
			rows, rem, audit = rows[:0], rem[:0], audit[:0]
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	// Cursors of a page deep in the log and of a second page of Upcoming.
	deep := first.Add(span / 4)
	out.deepCursor = cursorAt(deep, "rem_big")
	out.upcomingCursor = cursorAt(now.Add(time.Hour), "rem_big")
	return out
}

// cursorAt is a list cursor as the store encodes it: (time, id).
func cursorAt(at time.Time, id string) string {
	raw := at.UTC().Format("2006-01-02T15:04:05.000000Z") + "|" + id
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}
