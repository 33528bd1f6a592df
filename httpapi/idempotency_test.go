package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
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

// TestLeadRetriesCreateOneLead retries a lead creation five times with one
// key, as a voice agent does on each network hiccup: one lead exists, and
// every answer is the first one.
func TestLeadRetriesCreateOneLead(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		var first herald.Lead
		for i := range 5 {
			r := b.do(t, "POST", "/v1/leads", key, johnInput, "Idempotency-Key", "call-7-lead")
			var got herald.Lead
			r.want(t, http.StatusCreated, &got)
			if i == 0 {
				first = got
				if r.header.Get("Idempotent-Replayed") != "" {
					t.Fatal("the first request is marked as a replay")
				}
				continue
			}
			if got != first || r.header.Get("Idempotent-Replayed") != "true" || r.header.Get("Location") != "/v1/leads/"+first.ID {
				t.Fatalf("retry %d = %+v (replayed %q, Location %q), want %+v", i, got, r.header.Get("Idempotent-Replayed"),
					r.header.Get("Location"), first)
			}
		}
		leads := list[herald.Lead](t, b, key, "/v1/leads")
		if len(leads.Items) != 1 {
			t.Fatalf("%d leads after five retries, want 1", len(leads.Items))
		}
		// The same key on another route is another request.
		b.do(t, "POST", "/v1/meetings", key, bookInput(first.ID, epoch.Add(time.Hour)), "Idempotency-Key", "call-7-lead").
			wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeIdemMismatch)
	})
}

// TestReplayAfterMeetingTime replays a booking and its cancellation after
// the meeting's time has passed: both answer what they first answered,
// although the booking would now be refused and the meeting has changed.
func TestReplayAfterMeetingTime(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		lead := b.newLead(t, key)
		body := bookInput(lead.ID, epoch.Add(2*time.Hour))
		first := b.do(t, "POST", "/v1/meetings", key, body, "Idempotency-Key", "book-1")
		var m herald.Meeting
		first.want(t, http.StatusCreated, &m)
		cancelled := b.do(t, "POST", "/v1/meetings/"+m.ID+"/cancel", key, nil, "Idempotency-Key", "cancel-1")
		cancelled.want(t, http.StatusOK, nil)

		b.clock.Advance(3 * time.Hour)
		again := b.do(t, "POST", "/v1/meetings", key, body, "Idempotency-Key", "book-1")
		if again.status != http.StatusCreated || !bytes.Equal(again.body, first.body) || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay after the meeting = %d %s (replayed %q), want the first answer %s", again.status, again.body,
				again.header.Get("Idempotent-Replayed"), first.body)
		}
		again = b.do(t, "POST", "/v1/meetings/"+m.ID+"/cancel", key, nil, "Idempotency-Key", "cancel-1")
		if again.status != http.StatusOK || !bytes.Equal(again.body, cancelled.body) {
			t.Fatalf("cancel replay = %d %s, want %s", again.status, again.body, cancelled.body)
		}
		// Without the key, or once the key's 24 hours are over, the
		// booking is judged anew.
		b.do(t, "POST", "/v1/meetings", key, body).wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalidTime)
		b.clock.Advance(herald.IdempotencyTTL)
		b.do(t, "POST", "/v1/meetings", key, body, "Idempotency-Key", "book-1").
			wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalidTime)
	})
}

// TestFailedRequestKeepsNoKey checks that a refused request records
// nothing: the same key then works for the corrected request.
func TestFailedRequestKeepsNoKey(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		bad := map[string]string{"name": "John", "phone": "12"}
		b.do(t, "POST", "/v1/leads", key, bad, "Idempotency-Key", "k").wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalidPhone)
		r := b.do(t, "POST", "/v1/leads", key, johnInput, "Idempotency-Key", "k")
		r.want(t, http.StatusCreated, nil)
		if r.header.Get("Idempotent-Replayed") != "" {
			t.Fatal("the corrected request is marked as a replay")
		}
		for _, k := range []string{strings.Repeat("k", herald.MaxIdempotencyKey+1), "tab\there"} {
			b.do(t, "POST", "/v1/leads", key, johnInput, "Idempotency-Key", k).wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalid)
		}
	})
}

// TestLostAnswerIsNotAwaited loses the recorded answer of a keyed lead
// creation, as a process stopped between the change and its answer would:
// past the lease a repeat answers 409 idempotency_in_progress at once,
// rather than waiting for an answer that will never come, and creates
// nothing.
func TestLostAnswerIsNotAwaited(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		b.do(t, "POST", "/v1/leads", key, johnInput, "Idempotency-Key", "k").want(t, http.StatusCreated, nil)
		before := b.snapshot(t, key)
		if _, err := b.db.ExecContext(context.Background(),
			"UPDATE idempotent_requests SET status = 0, header = '', body = ''"); err != nil {
			t.Fatal(err)
		}
		b.clock.Advance(2 * time.Minute)
		began := time.Now()
		b.do(t, "POST", "/v1/leads", key, johnInput, "Idempotency-Key", "k").
			wantProblem(t, http.StatusConflict, herald.ECodeIdemInProgress)
		if took := time.Since(began); took > 5*time.Second {
			t.Fatalf("the repeat took %v, waiting for an answer that was lost", took)
		}
		b.wantUnchanged(t, key, before, "a repeat whose answer was lost")
	})
}

// TestIdempotentKeysAndEndpoints repeats the creation of an API key and of
// a webhook endpoint: each exists once, the repeat shows the same secret,
// and the new API key is not kept in clear in the recorded answer.
func TestIdempotentKeysAndEndpoints(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		acme := b.newTenant(t, "Acme")
		var first, again apiKeyJSON
		b.do(t, "POST", "/v1/api-keys", acme.APIKey, nil, "Idempotency-Key", "key-1").want(t, http.StatusCreated, &first)
		r := b.do(t, "POST", "/v1/api-keys", acme.APIKey, nil, "Idempotency-Key", "key-1")
		r.want(t, http.StatusCreated, &again)
		if again != first || r.header.Get("Idempotent-Replayed") != "true" || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("repeat = %+v (%v), want %+v", again, r.header, first)
		}
		var stored int
		if err := b.db.QueryRowContext(context.Background(), "SELECT count(*) FROM idempotent_requests WHERE body LIKE $1",
			"%"+first.APIKey+"%").Scan(&stored); err != nil || stored != 0 {
			t.Fatalf("%d recorded answers hold the new API key in clear (%v)", stored, err)
		}
		// Another key of the tenant cannot read the sealed answer.
		b.do(t, "POST", "/v1/api-keys", first.APIKey, nil, "Idempotency-Key", "key-1").
			wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeIdemMismatch)
		var keys page[apiKeyJSON]
		b.do(t, "GET", "/v1/api-keys", acme.APIKey, nil).want(t, http.StatusOK, &keys)
		if len(keys.Items) != 2 {
			t.Fatalf("%d API keys after a repeated creation, want 2", len(keys.Items))
		}

		body := map[string]any{"url": "https://hooks.example.com/herald", "events": []string{"meeting.booked"}}
		var ep, epAgain herald.WebhookEndpoint
		b.do(t, "POST", "/v1/webhook-endpoints", acme.APIKey, body, "Idempotency-Key", "ep-1").want(t, http.StatusCreated, &ep)
		b.do(t, "POST", "/v1/webhook-endpoints", acme.APIKey, body, "Idempotency-Key", "ep-1").want(t, http.StatusCreated, &epAgain)
		if epAgain.ID != ep.ID || epAgain.Secret != ep.Secret || ep.Secret == "" {
			t.Fatalf("repeated endpoint = %+v, want %+v", epAgain, ep)
		}
		var eps page[herald.WebhookEndpoint]
		b.do(t, "GET", "/v1/webhook-endpoints", acme.APIKey, nil).want(t, http.StatusOK, &eps)
		if len(eps.Items) != 1 {
			t.Fatalf("%d endpoints after a repeated creation, want 1", len(eps.Items))
		}
	})
}
