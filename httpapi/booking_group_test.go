package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/clocktest"
	"herald/dbtest"
	"herald/httpapi"
	"herald/outbound"
	"herald/sqlstore"
)

// Keyed bookings sent at once, some for a lead that does not exist, are
// each answered on their own; each booked one replays under its key, and
// the key of a refused one books once its body is corrected.
func TestKeyedBookingsAtOnce(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		key := b.newTenant(t, "Acme").APIKey
		lead := b.newLead(t, key)
		const n = 16
		missing := func(i int) bool { return i%4 == 1 }
		body := func(i int) []byte {
			leadID := lead.ID
			if missing(i) {
				leadID = "lead_missing"
			}
			return encodeBody(t, bookInput(leadID, epoch.Add(48*time.Hour+time.Duration(i)*time.Minute)))
		}
		replies := make([]reply, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			req := b.request(t, "POST", "/v1/meetings", key, body(i), "Idempotency-Key", fmt.Sprint("k", i))
			wg.Go(func() { replies[i], errs[i] = b.send(req) })
		}
		wg.Wait()
		booked := 0
		for i, r := range replies {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if missing(i) {
				r.wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeUnknownLead)
				fixed := encodeBody(t, bookInput(lead.ID, epoch.Add(72*time.Hour)))
				again := b.do(t, "POST", "/v1/meetings", key, string(fixed), "Idempotency-Key", fmt.Sprint("k", i))
				again.want(t, http.StatusCreated, nil)
				if again.header.Get("Idempotent-Replayed") != "" {
					t.Fatalf("key k%d of a refused booking replayed", i)
				}
				booked++
				continue
			}
			var m, replay herald.Meeting
			r.want(t, http.StatusCreated, &m)
			booked++
			again := b.do(t, "POST", "/v1/meetings", key, string(body(i)), "Idempotency-Key", fmt.Sprint("k", i))
			again.want(t, http.StatusCreated, &replay)
			if again.header.Get("Idempotent-Replayed") != "true" || replay.ID != m.ID {
				t.Fatalf("repeat of k%d answered meeting %s (replayed %q), want %s", i, replay.ID,
					again.header.Get("Idempotent-Replayed"), m.ID)
			}
		}
		meetings := list[herald.Meeting](t, b, key, "/v1/meetings?limit=100")
		if len(meetings.Items) != booked {
			t.Fatalf("%d meetings exist, want the %d booked", len(meetings.Items), booked)
		}
	})
}

// unfinishingStore fails every FinishIdempotentRequest, as a database gone
// between a change and the record of its answer would.
type unfinishingStore struct{ *sqlstore.Store }

func (unfinishingStore) FinishIdempotentRequest(context.Context, herald.IdempotencyClaim, herald.IdempotentResponse) error {
	return errors.New("the database went away")
}

// A keyed booking's answer is recorded with the booking itself: however
// the recording of answers apart from their change fails, a repeat
// replays the meeting, long after the first request's lease, until the
// key expires.
func TestKeyedBookingKeepsItsAnswer(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		clock := clocktest.New(epoch)
		store := newStore(t, db, clock)
		api := &httpapi.Server{Store: unfinishingStore{store}, AdminToken: testAdminToken, Clock: clock,
			Logger: slog.New(slog.DiscardHandler), URLGuard: &outbound.Guard{Resolver: testResolver}}
		srv := httptest.NewServer(api.Handler())
		t.Cleanup(srv.Close)
		b := &testBundle{url: srv.URL, db: db, store: store, clock: clock, client: srv.Client(), spec: loadSpec(t)}

		key := b.newTenant(t, "Acme").APIKey
		lead := b.newLead(t, key)
		body := bookInput(lead.ID, epoch.Add(48*time.Hour))
		var first, again herald.Meeting
		b.do(t, "POST", "/v1/meetings", key, body, "Idempotency-Key", "call-7").want(t, http.StatusCreated, &first)
		clock.Advance(10 * time.Minute)
		r := b.do(t, "POST", "/v1/meetings", key, body, "Idempotency-Key", "call-7")
		r.want(t, http.StatusCreated, &again)
		if again.ID != first.ID || r.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("repeat answered meeting %s (replayed %q), want a replay of %s", again.ID,
				r.header.Get("Idempotent-Replayed"), first.ID)
		}
		// Past herald.IdempotencyTTL the key is forgotten: another body
		// books anew.
		clock.Advance(herald.IdempotencyTTL)
		r = b.do(t, "POST", "/v1/meetings", key, bookInput(lead.ID, clock.Now().Add(48*time.Hour)), "Idempotency-Key", "call-7")
		r.want(t, http.StatusCreated, &again)
		if again.ID == first.ID || r.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("a key past its lifetime answered meeting %s (replayed %q), want a new booking", again.ID,
				r.header.Get("Idempotent-Replayed"))
		}
	})
}
