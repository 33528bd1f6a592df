package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"herald"
)

// checkJobs asserts that exactly the pending reminders of rs have a
// scheduled job, each at its reminder's time, and no other reminder job
// exists in the engine.
func checkJobs(t *testing.T, b *Bundle, rs []herald.Reminder) {
	t.Helper()
	jobs := jobsOf(t, b)
	want := 0
	for _, r := range rs {
		if r.Status != herald.ReminderPending {
			if r.JobID != 0 {
				t.Errorf("%s reminder %s keeps job %d", r.Status, r.Rule, r.JobID)
			}
			continue
		}
		want++
		j, ok := jobs[r.JobID]
		if !ok {
			t.Errorf("pending reminder %s has no job (job id %d)", r.Rule, r.JobID)
			continue
		}
		if !j.ScheduledAt.Equal(r.ScheduledAt) || j.State != "scheduled" {
			t.Errorf("job of %s: %s at %v, want scheduled at %v", r.Rule, j.State, j.ScheduledAt, r.ScheduledAt)
		}
		if !strings.Contains(j.Args, r.ID) {
			t.Errorf("job of %s has args %s, want reminder %s", r.Rule, j.Args, r.ID)
		}
	}
	if len(jobs) != want {
		t.Errorf("engine holds %d reminder jobs, want %d", len(jobs), want)
	}
}

func testBookPlansThreeReminders(t *testing.T, b *Bundle) {
	tenant := newTenant(t, b, "Acme")
	lead := newLead(t, b, tenant.ID)
	start := b.Clock.Now().Add(48 * time.Hour)
	m := book(t, b, tenant.ID, lead.ID, start)
	if m.Status != herald.MeetingScheduled || !m.StartsAt.Equal(start) {
		t.Fatalf("meeting = %+v", m)
	}
	want := map[string]time.Time{"24h": start.Add(-24 * time.Hour), "1h": start.Add(-time.Hour), "10m": start.Add(-10 * time.Minute)}
	if len(m.Reminders) != 3 {
		t.Fatalf("%d reminders, want 3", len(m.Reminders))
	}
	for _, r := range m.Reminders {
		if r.Status != herald.ReminderPending || !r.ScheduledAt.Equal(want[r.Rule]) || r.IdempotencyKey == "" || r.MaxRetries != 3 {
			t.Errorf("reminder %+v, want pending at %v", r, want[r.Rule])
		}
	}
	stored, err := b.Store.Meeting(context.Background(), tenant.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Reminders) != 3 || stored.Reminders[0].Rule != "24h" || stored.Reminders[2].Rule != "10m" {
		t.Fatalf("stored reminders = %+v", stored.Reminders)
	}
	checkJobs(t, b, stored.Reminders)
}

func testBookLateSkips(t *testing.T, b *Bundle) {
	tenant := newTenant(t, b, "Acme")
	lead := newLead(t, b, tenant.ID)
	m := book(t, b, tenant.ID, lead.ID, b.Clock.Now().Add(30*time.Minute))
	got := map[string]herald.Reminder{}
	for _, r := range m.Reminders {
		got[r.Rule] = r
	}
	for _, rule := range []string{"24h", "1h"} {
		if got[rule].Status != herald.ReminderSkipped || got[rule].Reason != herald.ReasonTooLate {
			t.Errorf("%s reminder = %s/%s, want skipped/too_late", rule, got[rule].Status, got[rule].Reason)
		}
	}
	if got["10m"].Status != herald.ReminderPending {
		t.Errorf("10m reminder = %s, want pending", got["10m"].Status)
	}
	stored, _ := b.Store.Meeting(context.Background(), tenant.ID, m.ID)
	checkJobs(t, b, stored.Reminders)
}

func testBookUnknownLead(t *testing.T, b *Bundle) {
	ctx := context.Background()
	a, other := newTenant(t, b, "A"), newTenant(t, b, "B")
	lead := newLead(t, b, a.ID)
	for _, leadID := range []string{"lead_missing", lead.ID} {
		_, _, err := b.Store.BookMeeting(ctx, other.ID, herald.BookMeetingInput{LeadID: leadID, Title: "x",
			StartsAt: b.Clock.Now().Add(time.Hour)}, herald.Idempotency{Key: "k-" + leadID, RequestHash: "h"})
		wantCode(t, err, herald.ECodeUnknownLead)
	}
	// Nothing was written: no meeting, no job, no audit, no claimed key.
	page, _ := b.Store.ListMeetings(ctx, other.ID, herald.MeetingFilter{})
	audit, _ := b.Store.ListAudit(ctx, other.ID, herald.AuditFilter{})
	if len(page.Items) != 0 || len(audit.Items) != 0 || len(jobsOf(t, b)) != 0 {
		t.Fatalf("refused booking wrote %d meetings, %d audit actions, %d jobs", len(page.Items), len(audit.Items), len(jobsOf(t, b)))
	}
	var keys int
	if err := b.DB.QueryRowContext(ctx, "SELECT count(*) FROM idempotency_keys").Scan(&keys); err != nil || keys != 0 {
		t.Fatalf("refused booking kept %d idempotency keys (%v)", keys, err)
	}
}

func testReschedule(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant := newTenant(t, b, "Acme")
	lead := newLead(t, b, tenant.ID)
	m := book(t, b, tenant.ID, lead.ID, b.Clock.Now().Add(48*time.Hour))
	oldJobs := jobsOf(t, b)

	b.Clock.Advance(time.Hour)
	newStart := b.Clock.Now().Add(72 * time.Hour)
	moved, err := b.Store.UpdateMeeting(ctx, tenant.ID, m.ID, herald.MeetingPatch{StartsAt: &newStart})
	if err != nil {
		t.Fatal(err)
	}
	if !moved.StartsAt.Equal(newStart) || moved.Sequence != 1 {
		t.Fatalf("moved meeting = %+v", moved)
	}
	var cancelled, pending int
	for _, r := range moved.Reminders {
		switch r.Status {
		case herald.ReminderCancelled:
			cancelled++
			if r.Reason != herald.ReasonRescheduled {
				t.Errorf("old reminder reason = %q", r.Reason)
			}
		case herald.ReminderPending:
			pending++
			if r.ScheduledAt.After(newStart) || newStart.Sub(r.ScheduledAt) > 24*time.Hour {
				t.Errorf("new reminder at %v for a meeting at %v", r.ScheduledAt, newStart)
			}
		}
	}
	if cancelled != 3 || pending != 3 {
		t.Fatalf("after move: %d cancelled, %d pending, want 3 and 3", cancelled, pending)
	}
	checkJobs(t, b, moved.Reminders)
	for id := range oldJobs {
		if _, ok := jobsOf(t, b)[id]; ok {
			t.Errorf("job %d for the old time survived the move", id)
		}
	}
	// A title change alone keeps the plan.
	title := "Renamed"
	renamed, err := b.Store.UpdateMeeting(ctx, tenant.ID, m.ID, herald.MeetingPatch{Title: &title})
	if err != nil || renamed.Title != "Renamed" || renamed.Sequence != 1 || len(renamed.Reminders) != 6 {
		t.Fatalf("rename = %+v, %v", renamed, err)
	}
}

func testCancel(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant := newTenant(t, b, "Acme")
	lead := newLead(t, b, tenant.ID)
	m := book(t, b, tenant.ID, lead.ID, b.Clock.Now().Add(48*time.Hour))
	cancelled, err := b.Store.CancelMeeting(ctx, tenant.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cancelled.Status != herald.MeetingCancelled || cancelled.CancelledAt == nil {
		t.Fatalf("cancelled meeting = %+v", cancelled)
	}
	for _, r := range cancelled.Reminders {
		if r.Status != herald.ReminderCancelled || r.Reason != herald.ReasonCancelled {
			t.Errorf("reminder %s = %s/%s", r.Rule, r.Status, r.Reason)
		}
	}
	if n := len(jobsOf(t, b)); n != 0 {
		t.Fatalf("%d jobs survive the cancel", n)
	}
	again, err := b.Store.CancelMeeting(ctx, tenant.ID, m.ID)
	if err != nil || again.Status != herald.MeetingCancelled {
		t.Fatalf("second cancel = %v", err)
	}
	later := b.Clock.Now().Add(96 * time.Hour)
	_, err = b.Store.UpdateMeeting(ctx, tenant.ID, m.ID, herald.MeetingPatch{StartsAt: &later})
	wantCode(t, err, herald.ECodeConflict)
	if n := len(jobsOf(t, b)); n != 0 {
		t.Fatalf("moving a cancelled meeting planned %d jobs", n)
	}
}

func testMeetingIsolation(t *testing.T, b *Bundle) {
	ctx := context.Background()
	a, other := newTenant(t, b, "A"), newTenant(t, b, "B")
	m := book(t, b, a.ID, newLead(t, b, a.ID).ID, b.Clock.Now().Add(48*time.Hour))
	_, err := b.Store.Meeting(ctx, other.ID, m.ID)
	wantCode(t, err, herald.ECodeNotFound)
	_, err = b.Store.CancelMeeting(ctx, other.ID, m.ID)
	wantCode(t, err, herald.ECodeNotFound)
	title := "stolen"
	_, err = b.Store.UpdateMeeting(ctx, other.ID, m.ID, herald.MeetingPatch{Title: &title})
	wantCode(t, err, herald.ECodeNotFound)
	_, err = b.Store.Reminder(ctx, other.ID, m.Reminders[0].ID)
	wantCode(t, err, herald.ECodeNotFound)
	rs, _ := b.Store.ListReminders(ctx, other.ID, herald.ReminderFilter{MeetingID: m.ID})
	ms, _ := b.Store.ListMeetings(ctx, other.ID, herald.MeetingFilter{})
	au, _ := b.Store.ListAudit(ctx, other.ID, herald.AuditFilter{EntityID: m.ID})
	if len(rs.Items)+len(ms.Items)+len(au.Items) != 0 {
		t.Fatalf("other tenant sees %d reminders, %d meetings, %d audit actions", len(rs.Items), len(ms.Items), len(au.Items))
	}
	still, _ := b.Store.Meeting(ctx, a.ID, m.ID)
	if still.Status != herald.MeetingScheduled || still.Title != "Product Demo" {
		t.Fatalf("other tenant changed the meeting: %+v", still)
	}
}

// testBookConcurrent books from many callers at once, some for a lead
// that does not exist: each is answered on its own, and every meeting
// answered as booked is stored with its reminders and their jobs.
func testBookConcurrent(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant := newTenant(t, b, "Acme")
	lead := newLead(t, b, tenant.ID)
	const n = 20
	meetings := make([]herald.Meeting, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			leadID := lead.ID
			if i%5 == 3 {
				leadID = "lead_missing"
			}
			meetings[i], _, errs[i] = b.Store.BookMeeting(ctx, tenant.ID, herald.BookMeetingInput{LeadID: leadID,
				Title: "Demo", StartsAt: b.Clock.Now().Add(48*time.Hour + time.Duration(i)*time.Minute)}, herald.Idempotency{})
		})
	}
	wg.Wait()
	booked := 0
	for i := range n {
		if i%5 == 3 {
			if herald.ErrorCode(errs[i]) != herald.ECodeUnknownLead {
				t.Errorf("booking %d of a missing lead: %v, want unknown_lead", i, errs[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Fatalf("booking %d: %v", i, errs[i])
		}
		booked++
		stored, err := b.Store.Meeting(ctx, tenant.ID, meetings[i].ID)
		if err != nil || len(stored.Reminders) != 3 {
			t.Fatalf("booking %d: stored meeting has %d reminders (%v), want 3", i, len(stored.Reminders), err)
		}
	}
	page, _ := b.Store.ListMeetings(ctx, tenant.ID, herald.MeetingFilter{Page: herald.PageRequest{Limit: 100}})
	if len(page.Items) != booked || len(jobsOf(t, b)) != 3*booked {
		t.Fatalf("%d meetings and %d jobs stored, want %d and %d", len(page.Items), len(jobsOf(t, b)), booked, 3*booked)
	}
}
