package httpapi_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"herald"
)

// TestIdempotentBooking checks Idempotency-Key over HTTP: a replay answers
// the first meeting, a different body with the same key is refused, and
// keys belong to one tenant.
func TestIdempotentBooking(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		tn := b.newTenant(t, "Acme")
		lead := b.newLead(t, tn.APIKey)
		body := bookInput(lead.ID, epoch.Add(48*time.Hour))

		var first, again herald.Meeting
		r := b.do(t, "POST", "/v1/meetings", tn.APIKey, body, "Idempotency-Key", "order-1")
		r.want(t, http.StatusCreated, &first)
		if r.header.Get("Idempotent-Replayed") != "" {
			t.Fatal("the first request is marked as a replay")
		}
		before := b.snapshot(t, tn.APIKey)

		// The hash covers the parsed request: other spacing and key order
		// are the same request.
		reordered := `{"source": "test", "join_link": "https://meet.example.com/demo", "timezone": "America/New_York",
			"starts_at": "` + body["starts_at"] + `", "title": "Product Demo", "lead_id": "` + lead.ID + `"}`
		r = b.do(t, "POST", "/v1/meetings", tn.APIKey, reordered, "Idempotency-Key", "order-1")
		r.want(t, http.StatusCreated, &again)
		if r.header.Get("Idempotent-Replayed") != "true" || again.ID != first.ID || len(again.Reminders) != 3 {
			t.Fatalf("replay = %+v (Idempotent-Replayed %q), want meeting %s", again, r.header.Get("Idempotent-Replayed"), first.ID)
		}
		b.wantUnchanged(t, tn.APIKey, before, "a replay")

		changed := bookInput(lead.ID, epoch.Add(49*time.Hour))
		b.do(t, "POST", "/v1/meetings", tn.APIKey, changed, "Idempotency-Key", "order-1").
			wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeIdemMismatch)
		b.wantUnchanged(t, tn.APIKey, before, "a reused key")

		// Another key, or no key, books another meeting.
		b.do(t, "POST", "/v1/meetings", tn.APIKey, body, "Idempotency-Key", "order-2").want(t, http.StatusCreated, &again)
		if again.ID == first.ID {
			t.Fatal("a new key replayed the first meeting")
		}

		// Another tenant's same key is its own.
		other := b.newTenant(t, "Other")
		otherLead := b.newLead(t, other.APIKey)
		r = b.do(t, "POST", "/v1/meetings", other.APIKey, bookInput(otherLead.ID, epoch.Add(48*time.Hour)),
			"Idempotency-Key", "order-1")
		r.want(t, http.StatusCreated, &again)
		if again.ID == first.ID || r.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("tenant B's key order-1 answered A's meeting: %+v", again)
		}
	})
}

// TestConcurrentReplaysBookOnce sends the same keyed booking 20 times at
// once: all answers are the same meeting, and only one exists.
func TestConcurrentReplaysBookOnce(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		lead := b.newLead(t, key)
		raw := encodeBody(t, bookInput(lead.ID, epoch.Add(48*time.Hour)))

		const n = 20
		reqs := make([]*http.Request, n)
		replies := make([]reply, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			reqs[i] = b.request(t, "POST", "/v1/meetings", key, raw, "Idempotency-Key", "burst")
			wg.Go(func() { replies[i], errs[i] = b.send(reqs[i]) })
		}
		wg.Wait()

		ids := map[string]bool{}
		fresh := 0
		for i, r := range replies {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			b.spec.check(t, reqs[i], raw, r, true)
			var m herald.Meeting
			r.want(t, http.StatusCreated, &m)
			ids[m.ID] = true
			if r.header.Get("Idempotent-Replayed") != "true" {
				fresh++
			}
		}
		if len(ids) != 1 || fresh != 1 {
			t.Fatalf("%d meetings in the answers and %d not marked as replays; want 1 and 1", len(ids), fresh)
		}
		meetings := list[herald.Meeting](t, b, key, "/v1/meetings")
		reminders := list[herald.Reminder](t, b, key, "/v1/reminders?limit=200")
		if len(meetings.Items) != 1 || len(reminders.Items) != 3 {
			t.Fatalf("%d meetings and %d reminders exist, want 1 and 3", len(meetings.Items), len(reminders.Items))
		}
	})
}
