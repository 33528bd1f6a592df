package httpapi_test

import (
	"context"
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

// floodClients is how many connections the flooding tenant books from;
// together they offer floodRate bookings per second, ten times the default
// budget. The flood is paced rather than as fast as answers come, because
// the flooding client runs on the same cores as the server here: unpaced,
// it measures the client's own appetite for CPU.
const (
	floodClients = 8
	floodRate    = 1000
	// calmEvery is the pace of the calm tenant: 50 bookings per second,
	// a busy booking system.
	calmEvery = 20 * time.Millisecond
)

// BenchmarkFairness measures one tenant's booking latency (b.N bookings,
// one every calmEvery) while nobody else calls, while another tenant floods
// the API with bookings under the default request budget (100 per second,
// bursts of 200), and under no budget at all. It reports the calm tenant's
// p50 and p99 and what the flood got through.
//
//	go test ./httpapi -run '^$' -bench Fairness -benchtime 400x
func BenchmarkFairness(b *testing.B) {
	budget := httpapi.RateLimit{Rate: 100, Burst: 200}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			open := dbtest.SQLite
			if name == "postgres" {
				open = dbtest.Postgres
			}
			b.Run("alone", func(b *testing.B) { benchFairness(b, open(b), budget, false) })
			b.Run("flood-limited", func(b *testing.B) { benchFairness(b, open(b), budget, true) })
			b.Run("flood-unlimited", func(b *testing.B) { benchFairness(b, open(b), httpapi.RateLimit{}, true) })
		})
	}
}

func benchFairness(b *testing.B, db *sqlstore.DB, limit httpapi.RateLimit, flood bool) {
	api := &httpapi.Server{Store: newStore(b, db, herald.SystemClock{}), AdminToken: testAdminToken,
		Logger: slog.New(slog.DiscardHandler), RateLimit: limit}
	srv := httptest.NewServer(api.Handler())
	b.Cleanup(srv.Close)
	transport := srv.Client().Transport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = floodClients + 1
	bb := &testBundle{url: srv.URL, db: db, client: &http.Client{Transport: transport}}

	newBooker := func(name string) (key, leadID string) {
		var tn tenant
		bb.benchCall(b, "POST", "/v1/admin/tenants", testAdminToken, `{"name": "`+name+`"}`, http.StatusCreated, &tn)
		var lead herald.Lead
		bb.benchCall(b, "POST", "/v1/leads", tn.APIKey, `{"name": "John", "phone": "+14155552671"}`, http.StatusCreated, &lead)
		return tn.APIKey, lead.ID
	}
	calmKey, calmLead := newBooker("Calm")
	floodKey, floodLead := newBooker("Flood")
	start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second)
	booking := func(leadID string, i int64) []byte {
		return fmt.Appendf(nil, `{"lead_id": %q, "title": "Demo %d", "starts_at": %q}`,
			leadID, i, start.Add(time.Duration(i)*time.Second).Format(time.RFC3339))
	}

	ctx, stop := context.WithCancel(context.Background())
	var booked, refused atomic.Int64
	var wg sync.WaitGroup
	if flood {
		var next atomic.Int64
		for range floodClients {
			wg.Go(func() {
				tick := time.NewTicker(time.Second * floodClients / floodRate)
				defer tick.Stop()
				for ctx.Err() == nil {
					<-tick.C
					r, err := bb.send(bb.request(b, "POST", "/v1/meetings", floodKey, booking(floodLead, next.Add(1))))
					switch {
					case err != nil:
					case r.status == http.StatusCreated:
						booked.Add(1)
					case r.status == http.StatusTooManyRequests:
						refused.Add(1)
					}
				}
			})
		}
		time.Sleep(200 * time.Millisecond) // the flood is under way, its burst spent
	}

	latencies := make([]time.Duration, 0, b.N)
	floodBefore := booked.Load()
	tick := time.NewTicker(calmEvery)
	defer tick.Stop()
	b.ResetTimer()
	for i := range int64(b.N) {
		<-tick.C
		began := time.Now()
		r, err := bb.send(bb.request(b, "POST", "/v1/meetings", calmKey, booking(calmLead, i)))
		latencies = append(latencies, time.Since(began))
		if err != nil || r.status != http.StatusCreated {
			b.Fatalf("calm booking %d: %v %d %s", i, err, r.status, r.body)
		}
	}
	b.StopTimer()
	elapsed := b.Elapsed().Seconds()
	stop()
	wg.Wait()
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "calm-p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "calm-p99-ms")
	if flood {
		b.ReportMetric(float64(booked.Load()-floodBefore)/elapsed, "flood-booked/s")
		b.ReportMetric(float64(refused.Load())/elapsed, "flood-refused/s")
	}
}
