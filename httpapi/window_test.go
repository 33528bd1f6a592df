package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"herald"
)

// jobTimes returns the due times of the job engine's reminder jobs, sorted.
func (b *testBundle) jobTimes(t *testing.T) []time.Time {
	t.Helper()
	rows, err := b.db.QueryContext(context.Background(), "SELECT scheduled_at FROM river_job WHERE kind = 'reminder'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			t.Fatal(err)
		}
		out = append(out, at.UTC().Truncate(time.Second))
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

func pendingTimes(m herald.Meeting) []time.Time {
	var out []time.Time
	for _, r := range m.Reminders {
		if r.Status == herald.ReminderPending {
			out = append(out, r.ScheduledAt.Truncate(time.Second))
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

func reminderOf(t *testing.T, m herald.Meeting, rule string, status herald.ReminderStatus) herald.Reminder {
	t.Helper()
	for _, r := range m.Reminders {
		if r.Rule == rule && r.Status == status {
			return r
		}
	}
	t.Fatalf("no %s reminder of rule %s in %+v", status, rule, m.Reminders)
	return herald.Reminder{}
}

// TestSendWindowPlanning books, moves and re-zones a meeting under a send
// window of 08:00 to 20:00 in the lead's zone: the 24-hour reminder whose
// time falls at 07:30 on the day New York moves its clocks goes at 08:00
// local (EDT) with its rule's time in rule_at; the short ones go at their
// time; a reschedule places the new reminders; a lead who moves to Tokyo
// gets the reminder moved to 08:00 Tokyo time, with its job.
func TestSendWindowPlanning(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		var st herald.Settings
		b.do(t, "PUT", "/v1/settings", key, map[string]any{"timezone": "UTC",
			"send_window": map[string]string{"from": "08:00", "to": "20:00"}}).want(t, http.StatusOK, &st)
		if st.SendWindow == nil || st.ReminderRules[0].OutsideWindow != herald.OutsideLater || st.ReminderRules[2].OutsideWindow != herald.OutsideSend {
			t.Fatalf("settings = %+v", st)
		}
		lead := b.newLead(t, key) // America/New_York
		ny, _ := time.LoadLocation("America/New_York")
		start := time.Date(2026, 3, 9, 7, 30, 0, 0, ny)
		m := b.book(t, key, lead.ID, start)
		r24 := reminderOf(t, m, "24h", herald.ReminderPending)
		if want := time.Date(2026, 3, 8, 8, 0, 0, 0, ny); !r24.ScheduledAt.Equal(want) || !r24.RuleAt.Equal(start.Add(-24*time.Hour)) {
			t.Fatalf("24h at %s rule_at %s, want %s rule_at %s", r24.ScheduledAt, r24.RuleAt, want.UTC(), start.Add(-24*time.Hour).UTC())
		}
		if r1 := reminderOf(t, m, "1h", herald.ReminderPending); !r1.ScheduledAt.Equal(start.Add(-time.Hour)) {
			t.Fatalf("1h at %s, want at its time", r1.ScheduledAt)
		}
		if got, want := b.jobTimes(t), pendingTimes(m); !slices.Equal(got, want) {
			t.Fatalf("jobs at %v, want %v", got, want)
		}

		// Moved to 09:00 New York on the 10th: the 24-hour time is inside.
		moved := time.Date(2026, 3, 10, 9, 0, 0, 0, ny)
		b.do(t, "PATCH", "/v1/meetings/"+m.ID, key, map[string]string{"starts_at": moved.Format(time.RFC3339)}).
			want(t, http.StatusOK, &m)
		r24 = reminderOf(t, m, "24h", herald.ReminderPending)
		if !r24.ScheduledAt.Equal(moved.Add(-24*time.Hour)) || !r24.RuleAt.Equal(r24.ScheduledAt) {
			t.Fatalf("after the move 24h at %s rule_at %s", r24.ScheduledAt, r24.RuleAt)
		}

		// The lead moves to Tokyo: 13:00 UTC is 22:00 there.
		b.do(t, "PATCH", "/v1/leads/"+lead.ID, key, map[string]string{"timezone": "Asia/Tokyo"}).want(t, http.StatusOK, nil)
		b.do(t, "GET", "/v1/meetings/"+m.ID, key, nil).want(t, http.StatusOK, &m)
		tokyo, _ := time.LoadLocation("Asia/Tokyo")
		again := reminderOf(t, m, "24h", herald.ReminderPending)
		if want := time.Date(2026, 3, 10, 8, 0, 0, 0, tokyo); again.ID != r24.ID || !again.ScheduledAt.Equal(want) || !again.RuleAt.Equal(r24.RuleAt) {
			t.Fatalf("after the zone change 24h = %s at %s rule_at %s, want %s at %s", again.ID, again.ScheduledAt, again.RuleAt, r24.ID, want.UTC())
		}
		if got, want := b.jobTimes(t), pendingTimes(m); !slices.Equal(got, want) {
			t.Fatalf("jobs at %v, want %v", got, want)
		}
		audit := list[herald.AuditAction](t, b, key, "/v1/audit?entity_id="+r24.ID)
		if !slices.ContainsFunc(audit.Items, func(a herald.AuditAction) bool { return a.Action == herald.ActionReminderReplanned }) {
			t.Fatalf("audit of the reminder = %+v, want a reminder.replanned", audit.Items)
		}

		// A rule that says skip.
		b.do(t, "PUT", "/v1/settings", key, map[string]any{"send_window": map[string]string{"from": "08:00", "to": "20:00"},
			"reminder_rules": []map[string]string{{"name": "24h", "offset": "24h", "template": "meeting_reminder_24h", "outside_window": "skip"}}}).
			want(t, http.StatusOK, nil)
		night := b.book(t, key, lead.ID, time.Date(2026, 3, 12, 23, 0, 0, 0, tokyo))
		if r := reminderOf(t, night, "24h", herald.ReminderSkipped); r.Reason != herald.ReasonOutsideWindow {
			t.Fatalf("reason = %q, want outside_window", r.Reason)
		}
		b.do(t, "PUT", "/v1/settings", key, map[string]any{"send_window": map[string]string{"from": "08:00", "to": "8pm"}}).
			wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalid)
	})
}
