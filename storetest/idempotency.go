package storetest

import (
	"context"
	"errors"
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

// testIdempotencyClaims follows an Idempotency-Key claim through the cases
// a crash or a slow first request make: an abandoned claim that changed
// nothing is taken over after its lease, one that changed something never
// is, and the first owner of a key taken over can no longer change
// anything.
func testIdempotencyClaims(t *testing.T, b *Bundle) {
	ctx := context.Background()
	tenant := newTenant(t, b, "Acme")
	req := herald.IdempotentRequest{Key: "k1", Hash: "h1"}
	first, err := b.Store.ClaimIdempotencyKey(ctx, tenant.ID, req)
	if err != nil || first.Owner == "" || first.Replay != nil {
		t.Fatalf("first claim = %+v, %v", first, err)
	}
	_, err = b.Store.ClaimIdempotencyKey(ctx, tenant.ID, req)
	wantCode(t, err, herald.ECodeIdemInProgress)
	_, err = b.Store.ClaimIdempotencyKey(ctx, tenant.ID, herald.IdempotentRequest{Key: "k1", Hash: "other"})
	wantCode(t, err, herald.ECodeIdemMismatch)

	// The first request is abandoned before it changed anything: after the
	// lease a repeat takes the key over, and the first can change nothing.
	b.Clock.Advance(2 * time.Minute)
	second, err := b.Store.ClaimIdempotencyKey(ctx, tenant.ID, req)
	if err != nil || second.Owner == "" || second.Owner == first.Owner {
		t.Fatalf("takeover = %+v, %v", second, err)
	}
	input := herald.LeadInput{Name: "John", Email: "john@example.com"}
	_, err = b.Store.CreateLead(herald.WithIdempotencyClaim(ctx, first), tenant.ID, input)
	wantCode(t, err, herald.ECodeIdemInProgress)
	lead, err := b.Store.CreateLead(herald.WithIdempotencyClaim(ctx, second), tenant.ID, input)
	if err != nil {
		t.Fatal(err)
	}
	if page, _ := b.Store.ListLeads(ctx, tenant.ID, herald.PageRequest{}); len(page.Items) != 1 {
		t.Fatalf("%d leads, want 1", len(page.Items))
	}

	// The second changed something: it is never taken over, even when its
	// answer is lost; within its lease a repeat may wait for the answer,
	// after it the error says the answer is lost.
	_, err = b.Store.ClaimIdempotencyKey(ctx, tenant.ID, req)
	wantCode(t, err, herald.ECodeIdemInProgress)
	if errors.Is(err, herald.ErrIdempotentAnswerLost) {
		t.Fatalf("repeat within the lease: %v, want a first request still running", err)
	}
	b.Clock.Advance(2 * time.Minute)
	_, err = b.Store.ClaimIdempotencyKey(ctx, tenant.ID, req)
	wantCode(t, err, herald.ECodeIdemInProgress)
	if !errors.Is(err, herald.ErrIdempotentAnswerLost) {
		t.Fatalf("repeat after the lease: %v, want ErrIdempotentAnswerLost", err)
	}

	// Once its answer is recorded, repeats get it.
	answer := herald.IdempotentResponse{Status: 201, ContentType: "application/json", Location: "/v1/leads/" + lead.ID,
		Body: []byte(`{"id":"` + lead.ID + `"}`)}
	if err := b.Store.FinishIdempotentRequest(ctx, second, answer); err != nil {
		t.Fatal(err)
	}
	replay, err := b.Store.ClaimIdempotencyKey(ctx, tenant.ID, req)
	if err != nil || replay.Replay == nil || replay.Replay.Status != 201 || string(replay.Replay.Body) != string(answer.Body) ||
		replay.Replay.Location != answer.Location || replay.Replay.ContentType != answer.ContentType {
		t.Fatalf("replay = %+v, %v; want %+v", replay.Replay, err, answer)
	}

	// A failure that changed nothing frees its key at once.
	other := herald.IdempotentRequest{Key: "k2", Hash: "h"}
	claim, err := b.Store.ClaimIdempotencyKey(ctx, tenant.ID, other)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Store.FinishIdempotentRequest(ctx, claim, herald.IdempotentResponse{Status: 422, Body: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if again, err := b.Store.ClaimIdempotencyKey(ctx, tenant.ID, other); err != nil || again.Replay != nil {
		t.Fatalf("claim after a failure = %+v, %v; want a fresh claim", again, err)
	}

	// Keys are forgotten after a day; another tenant's same key is its own.
	if c, err := b.Store.ClaimIdempotencyKey(ctx, newTenant(t, b, "B").ID, req); err != nil || c.Replay != nil {
		t.Fatalf("other tenant's claim = %+v, %v", c, err)
	}
	b.Clock.Advance(herald.IdempotencyTTL)
	if c, err := b.Store.ClaimIdempotencyKey(ctx, tenant.ID, herald.IdempotentRequest{Key: "k1", Hash: "new"}); err != nil || c.Replay != nil {
		t.Fatalf("claim a day later = %+v, %v; want a fresh claim", c, err)
	}
}
