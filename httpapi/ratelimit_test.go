package httpapi_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"herald"
	"herald/clocktest"
	"herald/dbtest"
	"herald/httpapi"
	"herald/sqlstore"
)

// setupLimited starts a server on db whose API keys have limit.
func setupLimited(t *testing.T, db *sqlstore.DB, limit httpapi.RateLimit) *testBundle {
	t.Helper()
	clock := clocktest.New(epoch)
	store := newStore(t, db, clock)
	api := &httpapi.Server{Store: store, AdminToken: testAdminToken, Clock: clock, Logger: slog.New(slog.DiscardHandler),
		RateLimit: limit}
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return &testBundle{url: srv.URL, db: db, store: store, clock: clock, client: srv.Client(), spec: loadSpec(t)}
}

// TestFloodingTenantIsLimited floods the API with one tenant's key: past
// its burst it gets 429 rate_limited with Retry-After, while another
// tenant's requests pass, and the budget comes back with time.
func TestFloodingTenantIsLimited(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		b := setupLimited(t, db, httpapi.RateLimit{Rate: 2, Burst: 10})
		flooder := b.newTenant(t, "Flooder").APIKey
		calm := b.newTenant(t, "Calm")
		lead := b.newLead(t, calm.APIKey) // one request of Calm's budget

		// The clock stands still: only the burst is available.
		passed, limited := 0, 0
		var last reply
		for range 30 {
			r := b.do(t, "GET", "/v1/leads", flooder, nil)
			switch r.status {
			case http.StatusOK:
				passed++
			case http.StatusTooManyRequests:
				limited++
				last = r
			default:
				t.Fatalf("flood answer %d: %s", r.status, r.body)
			}
		}
		if passed != 10 || limited != 20 {
			t.Fatalf("the flood got %d answers and %d refusals, want 10 and 20", passed, limited)
		}
		last.wantProblem(t, http.StatusTooManyRequests, herald.ECodeRateLimited)
		if secs, err := strconv.Atoi(last.header.Get("Retry-After")); err != nil || secs < 1 {
			t.Fatalf("Retry-After = %q, want whole seconds", last.header.Get("Retry-After"))
		}

		// The other tenant books as if nothing happened.
		for i := range 5 {
			b.book(t, calm.APIKey, lead.ID, epoch.Add(time.Duration(48+i)*time.Hour))
		}
		// Unauthenticated and admin requests do not count against anyone.
		b.do(t, "GET", "/healthz", "", nil).want(t, http.StatusOK, nil)
		b.do(t, "GET", "/v1/leads", "hk_wrong", nil).wantProblem(t, http.StatusUnauthorized, herald.ECodeUnauthorized)

		// Half a second later, one request's worth of budget is back.
		b.clock.Advance(500 * time.Millisecond)
		b.do(t, "GET", "/v1/leads", flooder, nil).want(t, http.StatusOK, nil)
		b.do(t, "GET", "/v1/leads", flooder, nil).wantProblem(t, http.StatusTooManyRequests, herald.ECodeRateLimited)
	})
}
