package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"herald"
)

func testIdempotency(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant := newTenant(t, b, "Acme")
	lead := newLead(t, b, tenant.ID)
	in := herald.BookMeetingInput{LeadID: lead.ID, Title: "Demo", StartsAt: b.Clock.Now().Add(48 * time.Hour)}
	idem := herald.Idempotency{Key: "call-42", RequestHash: "hash-a"}
	first, replayed, err := b.Store.BookMeeting(ctx, tenant.ID, in, idem)
	if err != nil || replayed {
		t.Fatalf("first booking: replayed=%v err=%v", replayed, err)
	}
	again, replayed, err := b.Store.BookMeeting(ctx, tenant.ID, in, idem)
	if err != nil || !replayed || again.ID != first.ID || len(again.Reminders) != 3 {
		t.Fatalf("replay = %s replayed=%v err=%v, want %s", again.ID, replayed, err, first.ID)
	}
	_, _, err = b.Store.BookMeeting(ctx, tenant.ID, in, herald.Idempotency{Key: "call-42", RequestHash: "hash-b"})
	wantCode(t, err, herald.ECodeIdemMismatch)

	// Keys belong to their tenant: another tenant's same key books anew.
	other := newTenant(t, b, "B")
	otherLead := newLead(t, b, other.ID)
	in.LeadID = otherLead.ID
	theirs, replayed, err := b.Store.BookMeeting(ctx, other.ID, in, idem)
	if err != nil || replayed || theirs.ID == first.ID {
		t.Fatalf("other tenant's booking with the same key: %s replayed=%v err=%v", theirs.ID, replayed, err)
	}
	page, _ := b.Store.ListMeetings(ctx, tenant.ID, herald.MeetingFilter{})
	if len(page.Items) != 1 {
		t.Fatalf("%d meetings after replays, want 1", len(page.Items))
	}
	if n := len(jobsOf(t, b)); n != 6 {
		t.Fatalf("%d jobs, want 3 per tenant", n)
	}
}

func testIdempotencyConcurrent(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant := newTenant(t, b, "Acme")
	lead := newLead(t, b, tenant.ID)
	in := herald.BookMeetingInput{LeadID: lead.ID, Title: "Demo", StartsAt: b.Clock.Now().Add(48 * time.Hour)}
	idem := herald.Idempotency{Key: "burst", RequestHash: "h"}
	const n = 12
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, _, err := b.Store.BookMeeting(ctx, tenant.ID, in, idem)
			ids[i], errs[i] = m.ID, err
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("replay %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("replay %d got meeting %s, replay 0 got %s", i, ids[i], ids[0])
		}
	}
	page, _ := b.Store.ListMeetings(ctx, tenant.ID, herald.MeetingFilter{})
	if len(page.Items) != 1 || len(jobsOf(t, b)) != 3 {
		t.Fatalf("%d meetings and %d jobs after %d concurrent replays, want 1 and 3", len(page.Items), len(jobsOf(t, b)), n)
	}
}
