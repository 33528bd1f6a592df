package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"herald"
	"herald/schedule"
)

// plannedReminder is what a test expects of one reminder.
type plannedReminder struct {
	rule, template string
	at             time.Time
	status         herald.ReminderStatus
	reason         herald.Reason
}

func wantReminders(t *testing.T, got []herald.Reminder, want []plannedReminder) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d reminders, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Rule != w.rule || g.Template != w.template || !g.ScheduledAt.Equal(w.at) || g.Status != w.status || g.Reason != w.reason {
			t.Errorf("reminder %d = %s %s at %s %s/%s, want %s %s at %s %s/%s", i, g.Rule, g.Template,
				g.ScheduledAt.Format(time.RFC3339), g.Status, g.Reason, w.rule, w.template, w.at.Format(time.RFC3339), w.status, w.reason)
		}
	}
}

// reminderJobs counts the job engine's reminder jobs.
func (b *testBundle) reminderJobs(t *testing.T) int {
	t.Helper()
	var n int
	err := b.db.QueryRowContext(context.Background(), "SELECT count(*) FROM river_job WHERE kind = $1",
		schedule.ReminderJobKind).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBookingPlansReminders is the core issue's "done when", over HTTP: a
// meeting two days ahead gets three pending reminders at exactly T-24h,
// T-1h and T-10m, each with its job; one 30 minutes ahead gets only the
// 10-minute one, the others skipped as too late.
func TestBookingPlansReminders(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		lead := b.newLead(t, key)

		// The start is given in New York time; the plan is in UTC.
		start := epoch.Add(48 * time.Hour)
		body := bookInput(lead.ID, start)
		body["starts_at"] = start.In(time.FixedZone("EST", -5*3600)).Format(time.RFC3339)
		var m herald.Meeting
		b.do(t, "POST", "/v1/meetings", key, body).want(t, http.StatusCreated, &m)
		if !m.StartsAt.Equal(start) || m.StartsAt.Location() != time.UTC {
			t.Fatalf("starts_at = %s, want %s in UTC", m.StartsAt, start)
		}
		twoDays := []plannedReminder{
			{"24h", "meeting_reminder_24h", start.Add(-24 * time.Hour), herald.ReminderPending, ""},
			{"1h", "meeting_reminder_1h", start.Add(-time.Hour), herald.ReminderPending, ""},
			{"10m", "meeting_reminder_10m", start.Add(-10 * time.Minute), herald.ReminderPending, ""},
		}
		wantReminders(t, m.Reminders, twoDays)
		b.do(t, "GET", "/v1/meetings/"+m.ID, key, nil).want(t, http.StatusOK, &m)
		wantReminders(t, m.Reminders, twoDays)
		if n := b.reminderJobs(t); n != 3 {
			t.Fatalf("%d reminder jobs, want 3", n)
		}

		soon := b.clock.Now().Add(30 * time.Minute)
		late := b.book(t, key, lead.ID, soon)
		wantReminders(t, late.Reminders, []plannedReminder{
			{"24h", "meeting_reminder_24h", soon.Add(-24 * time.Hour), herald.ReminderSkipped, herald.ReasonTooLate},
			{"1h", "meeting_reminder_1h", soon.Add(-time.Hour), herald.ReminderSkipped, herald.ReasonTooLate},
			{"10m", "meeting_reminder_10m", soon.Add(-10 * time.Minute), herald.ReminderPending, ""},
		})
		if n := b.reminderJobs(t); n != 4 {
			t.Fatalf("%d reminder jobs, want 4: skipped reminders get none", n)
		}
		skipped := list[herald.Reminder](t, b, key, "/v1/reminders?status=skipped&meeting_id="+late.ID)
		if len(skipped.Items) != 2 {
			t.Fatalf("skipped reminders = %+v", skipped.Items)
		}
	})
}

// TestSettingsRulesPlanReminders checks that the tenant's own rules, set
// over the API, are the ones a booking plans.
func TestSettingsRulesPlanReminders(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		lead := b.newLead(t, key)
		var saved herald.Settings
		b.do(t, "PUT", "/v1/settings", key, map[string]any{"reminder_rules": []map[string]string{
			{"name": "2h", "offset": "2h", "template": "meeting_reminder_1h"},
			{"name": "90s", "offset": "90s", "template": "meeting_reminder_10m"},
		}}).want(t, http.StatusOK, &saved)
		if len(saved.ReminderRules) != 2 || time.Duration(saved.ReminderRules[1].Offset) != 90*time.Second ||
			!saved.Channels.SMS || !saved.Channels.Email || saved.Timezone != "UTC" {
			t.Fatalf("saved settings = %+v", saved)
		}
		start := epoch.Add(5 * time.Hour)
		wantReminders(t, b.book(t, key, lead.ID, start).Reminders, []plannedReminder{
			{"2h", "meeting_reminder_1h", start.Add(-2 * time.Hour), herald.ReminderPending, ""},
			{"90s", "meeting_reminder_10m", start.Add(-90 * time.Second), herald.ReminderPending, ""},
		})

		b.do(t, "PUT", "/v1/settings", key, map[string]any{"reminder_rules": []any{}}).want(t, http.StatusOK, &saved)
		if m := b.book(t, key, lead.ID, start); len(m.Reminders) != 0 {
			t.Fatalf("with no rules a booking planned %+v", m.Reminders)
		}
	})
}

// TestSettingsOnUnknown checks the on_unknown setting over the API: keep
// by default, resend when asked, anything else refused.
func TestSettingsOnUnknown(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		var saved herald.Settings
		b.do(t, "GET", "/v1/settings", key, nil).want(t, http.StatusOK, &saved)
		if saved.OnUnknown != herald.OnUnknownKeep {
			t.Errorf("default on_unknown = %q, want keep", saved.OnUnknown)
		}
		b.do(t, "PUT", "/v1/settings", key, map[string]any{"on_unknown": "resend"}).want(t, http.StatusOK, &saved)
		b.do(t, "GET", "/v1/settings", key, nil).want(t, http.StatusOK, &saved)
		if saved.OnUnknown != herald.OnUnknownResend {
			t.Errorf("on_unknown after PUT resend = %q", saved.OnUnknown)
		}
		b.do(t, "PUT", "/v1/settings", key, map[string]any{"on_unknown": "twice"}).want(t, http.StatusUnprocessableEntity, nil)
	})
}
