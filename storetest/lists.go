package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"herald"
)

func testPagination(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant := newTenant(t, b, "Acme")
	made := map[string]bool{}
	for range 7 {
		made[newLead(t, b, tenant.ID).ID] = true
	}
	seen := map[string]bool{}
	cursor := ""
	pages := 0
	for {
		page, err := b.Store.ListLeads(ctx, tenant.ID, herald.PageRequest{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, l := range page.Items {
			if seen[l.ID] {
				t.Fatalf("lead %s listed twice", l.ID)
			}
			seen[l.ID] = true
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if pages != 3 || len(seen) != len(made) {
		t.Fatalf("%d pages with %d leads, want 3 pages with %d", pages, len(seen), len(made))
	}
	_, err := b.Store.ListLeads(ctx, tenant.ID, herald.PageRequest{Cursor: "garbage!"})
	wantCode(t, err, herald.ECodeInvalidCursor)

	lead := newLead(t, b, tenant.ID)
	for i := range 4 {
		book(t, b, tenant.ID, lead.ID, b.Clock.Now().Add(time.Duration(48+i)*time.Hour))
	}
	from := b.Clock.Now().Add(49 * time.Hour)
	ms, err := b.Store.ListMeetings(ctx, tenant.ID, herald.MeetingFilter{From: &from, Page: herald.PageRequest{Limit: 2}})
	if err != nil || len(ms.Items) != 2 || ms.NextCursor == "" || len(ms.Items[0].Reminders) != 3 {
		t.Fatalf("meetings from %v: %d items, cursor %q, %v", from, len(ms.Items), ms.NextCursor, err)
	}
	rest, err := b.Store.ListMeetings(ctx, tenant.ID, herald.MeetingFilter{From: &from, Page: herald.PageRequest{Limit: 2, Cursor: ms.NextCursor}})
	if err != nil || len(rest.Items) != 1 || rest.NextCursor != "" {
		t.Fatalf("second page: %d items, cursor %q, %v", len(rest.Items), rest.NextCursor, err)
	}
	pending, err := b.Store.ListReminders(ctx, tenant.ID, herald.ReminderFilter{Status: herald.ReminderPending})
	if err != nil || len(pending.Items) != 12 {
		t.Fatalf("%d pending reminders, want 12 (%v)", len(pending.Items), err)
	}
}

func testAudit(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant := newTenant(t, b, "Acme")
	lead := newLead(t, b, tenant.ID)
	b.Clock.Advance(time.Second)
	m := book(t, b, tenant.ID, lead.ID, b.Clock.Now().Add(30*time.Minute))
	b.Clock.Advance(time.Second)
	if _, err := b.Store.CancelMeeting(ctx, tenant.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	page, err := b.Store.ListAudit(ctx, tenant.ID, herald.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	count := map[herald.Action]int{}
	for _, a := range page.Items {
		count[a.Action]++
	}
	want := map[herald.Action]int{herald.ActionLeadCreated: 1, herald.ActionMeetingBooked: 1, herald.ActionReminderPlanned: 1,
		herald.ActionReminderSkipped: 2, herald.ActionMeetingCancelled: 1, herald.ActionReminderCancelled: 1}
	for action, n := range want {
		if count[action] != n {
			t.Errorf("%d %s actions, want %d (all: %v)", count[action], action, n, count)
		}
	}
	if page.Items[0].Action != herald.ActionMeetingCancelled && page.Items[0].Action != herald.ActionReminderCancelled {
		t.Errorf("newest action is %s, want the cancel", page.Items[0].Action)
	}
	last := page.Items[len(page.Items)-1]
	if last.Action != herald.ActionLeadCreated || last.Detail == "" {
		t.Errorf("oldest action = %+v, want lead.created", last)
	}
	if detail := last.Detail; strings.Contains(detail, "4155552671") || strings.Contains(detail, "john@") {
		t.Errorf("audit detail shows contact data unmasked: %q", detail)
	}
	only, _ := b.Store.ListAudit(ctx, tenant.ID, herald.AuditFilter{EntityID: m.ID})
	if len(only.Items) != 2 {
		t.Errorf("%d actions for the meeting, want booked and cancelled", len(only.Items))
	}
	byAction, _ := b.Store.ListAudit(ctx, tenant.ID, herald.AuditFilter{Action: herald.ActionReminderSkipped})
	if len(byAction.Items) != 2 {
		t.Errorf("%d skipped actions, want 2", len(byAction.Items))
	}
}
