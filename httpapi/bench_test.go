package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/httpapi"
	"herald/sqlstore"
)

// benchClients is how many clients book at once, as booking systems
// calling one Herald would.
const benchClients = 8

// BenchmarkBookMeeting books meetings two days ahead through the real HTTP
// API, from benchClients keep-alive clients at once, on the wall clock:
// each booking plans three pending reminders and their jobs.
func BenchmarkBookMeeting(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchBook(b, dbtest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchBook(b, dbtest.Postgres(b)) })
}

func benchBook(b *testing.B, db *sqlstore.DB) {
	api := &httpapi.Server{Store: newStore(b, db, herald.SystemClock{}), AdminToken: testAdminToken,
		Logger: slog.New(slog.DiscardHandler)}
	srv := httptest.NewServer(api.Handler())
	b.Cleanup(srv.Close)
	// The default transport keeps only 2 idle connections per host; the
	// rest would be reopened on every request.
	transport := srv.Client().Transport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = benchClients
	client := &http.Client{Transport: transport}
	bb := &testBundle{url: srv.URL, db: db, client: client}

	var tn tenant
	bb.benchCall(b, "POST", "/v1/admin/tenants", testAdminToken, `{"name": "Bench"}`, http.StatusCreated, &tn)
	var lead herald.Lead
	bb.benchCall(b, "POST", "/v1/leads", tn.APIKey, `{"name": "John", "phone": "+14155552671"}`, http.StatusCreated, &lead)
	start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second)

	var next atomic.Int64
	var failure atomic.Pointer[error]
	latencies := make([][]time.Duration, benchClients)
	var wg sync.WaitGroup
	b.ResetTimer()
	for c := range benchClients {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) || failure.Load() != nil {
					return
				}
				body := fmt.Sprintf(`{"lead_id": %q, "title": "Demo %d", "starts_at": %q}`,
					lead.ID, i, start.Add(time.Duration(i)*time.Second).Format(time.RFC3339))
				began := time.Now()
				r, err := bb.send(bb.request(b, "POST", "/v1/meetings", tn.APIKey, []byte(body)))
				latencies[c] = append(latencies[c], time.Since(began))
				if err == nil && r.status != http.StatusCreated {
					err = fmt.Errorf("booking %d: status %d: %s", i, r.status, r.body)
				}
				if err != nil {
					failure.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if err := failure.Load(); err != nil {
		b.Fatal(*err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "meetings/s")
	all := slices.Sorted(slices.Values(slices.Concat(latencies...)))
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	wantBooked(b, db, b.N)
}

// benchCall makes one setup request of a benchmark.
func (bb *testBundle) benchCall(b *testing.B, method, path, key, body string, status int, v any) {
	r, err := bb.send(bb.request(b, method, path, key, []byte(body)))
	if err != nil {
		b.Fatal(err)
	}
	if r.status != status {
		b.Fatalf("%s %s: status %d: %s", method, path, r.status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		b.Fatal(err)
	}
}

// wantBooked checks that n meetings were booked, each with three pending
// reminders and their jobs, so the figures measure complete bookings.
func wantBooked(b *testing.B, db *sqlstore.DB, n int) {
	ctx := context.Background()
	for query, want := range map[string]int{
		"SELECT count(*) FROM meetings":                            n,
		"SELECT count(*) FROM reminders WHERE status = 'pending'":  3 * n,
		"SELECT count(*) FROM river_job WHERE state = 'scheduled'": 3 * n,
	} {
		var got int
		if err := db.QueryRowContext(ctx, query).Scan(&got); err != nil {
			b.Fatal(err)
		}
		if got != want {
			b.Fatalf("%s = %d, want %d", query, got, want)
		}
	}
}
