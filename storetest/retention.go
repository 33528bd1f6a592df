package storetest

import (
	"context"
	"testing"
	"time"

	"herald"
)

// testRetention: pruning deletes, per tenant, finished meetings with their
// reminders and attempts, and audit entries, once older than the tenant's
// retention_days; meetings with a reminder still to send, newer data and
// other tenants' data stay; Idempotency-Keys go after 24 hours. Small
// batches delete the same as one large one.
func testRetention(t *testing.T, b *Bundle) {
	ctx := context.Background()
	short := newTenant(t, b, "Short")
	long := newTenant(t, b, "Long")
	st, err := b.Store.Settings(ctx, short.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.RetentionDays != herald.DefaultRetentionDays {
		t.Fatalf("retention_days = %d, want the default %d", st.RetentionDays, herald.DefaultRetentionDays)
	}
	st.RetentionDays = 30
	if _, err := b.Store.UpdateSettings(ctx, short.ID, st); err != nil {
		t.Fatal(err)
	}
	var old, pending []herald.Meeting
	for _, tn := range []herald.Tenant{short, long} {
		lead := newLead(t, b, tn.ID)
		for i := range 3 {
			m, _, err := b.Store.BookMeeting(ctx, tn.ID, herald.BookMeetingInput{LeadID: lead.ID, Title: "Old",
				StartsAt: Epoch.Add(48 * time.Hour)}, herald.Idempotency{Key: "k" + string(rune('a'+i)), RequestHash: "h"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Store.CancelMeeting(ctx, tn.ID, m.ID); err != nil {
				t.Fatal(err)
			}
			old = append(old, m)
		}
		pending = append(pending, book(t, b, tn.ID, lead.ID, Epoch.Add(90*24*time.Hour)))
	}

	b.Clock.Set(Epoch.Add(40 * 24 * time.Hour))
	rep, err := b.Store.PruneOnce(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Meetings != 3 || rep.Reminders != 9 || rep.IdempotencyKeys != 6 || rep.Audit == 0 {
		t.Errorf("pruned %+v, want 3 meetings, 9 reminders, 6 idempotency keys and audit entries", rep)
	}
	for i, m := range old {
		_, err := b.Store.Meeting(ctx, m.TenantID, m.ID)
		if gone := herald.ErrorCode(err) == herald.ECodeNotFound; gone != (i < 3) {
			t.Errorf("old meeting %d of %s: gone = %v (err %v)", i, m.TenantID, gone, err)
		}
	}
	for _, m := range pending {
		if _, err := b.Store.Meeting(ctx, m.TenantID, m.ID); err != nil {
			t.Errorf("a meeting with reminders to send was pruned: %v", err)
		}
	}
	audit, err := b.Store.ListAudit(ctx, short.ID, herald.AuditFilter{Page: herald.PageRequest{Limit: 200}})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit.Items) != 0 {
		t.Errorf("%d audit entries older than 30 days remain", len(audit.Items))
	}
	audit, err = b.Store.ListAudit(ctx, long.ID, herald.AuditFilter{Page: herald.PageRequest{Limit: 200}})
	if err != nil || len(audit.Items) == 0 {
		t.Errorf("the other tenant's audit is gone: %d entries, %v", len(audit.Items), err)
	}
	// Its key forgotten, a request with it books anew.
	lead := newLead(t, b, long.ID)
	m, replayed, err := b.Store.BookMeeting(ctx, long.ID, herald.BookMeetingInput{LeadID: lead.ID, Title: "New",
		StartsAt: Epoch.Add(50 * 24 * time.Hour)}, herald.Idempotency{Key: "ka", RequestHash: "other"})
	if err != nil || replayed || m.Title != "New" {
		t.Errorf("booking with an expired key: %v, replayed %v", err, replayed)
	}
	if rep, err := b.Store.PruneOnce(ctx, 2); err != nil || rep.Meetings+rep.Reminders+rep.Audit != 0 {
		t.Errorf("a second pruning deleted %+v, %v", rep, err)
	}
}
