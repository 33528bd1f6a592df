package httpapi_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/httpapi"
	"herald/sqlstore"
)

// BenchmarkBookBatch books meetings the two ways an import can, each
// booking with its idempotency key so the import can be sent again: through
// POST /v1/meetings/batch, 500 per request from one client ("batch"), and
// through POST /v1/meetings, one per request from eight clients at once
// ("single"). It reports meetings/s of each:
//
//	go test ./httpapi -run '^$' -bench BookBatch -benchtime 2000x
func BenchmarkBookBatch(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			open := dbtest.SQLite
			if name == "postgres" {
				open = dbtest.Postgres
			}
			b.Run("batch", func(b *testing.B) { benchBatch(b, open(b)) })
			b.Run("single", func(b *testing.B) { benchSingleKeyed(b, open(b)) })
		})
	}
}

// benchSingleKeyed books b.N meetings one per request, with an
// Idempotency-Key each, from benchClients clients at once.
func benchSingleKeyed(b *testing.B, db *sqlstore.DB) {
	api := &httpapi.Server{Store: newStore(b, db, herald.SystemClock{}), AdminToken: testAdminToken,
		Logger: slog.New(slog.DiscardHandler)}
	srv := httptest.NewServer(api.Handler())
	b.Cleanup(srv.Close)
	transport := srv.Client().Transport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = benchClients
	bb := &testBundle{url: srv.URL, db: db, client: &http.Client{Transport: transport}}
	var tn tenant
	bb.benchCall(b, "POST", "/v1/admin/tenants", testAdminToken, `{"name": "Bench"}`, http.StatusCreated, &tn)
	var lead herald.Lead
	bb.benchCall(b, "POST", "/v1/leads", tn.APIKey, `{"name": "John", "phone": "+14155552671"}`, http.StatusCreated, &lead)
	start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second)

	var next atomic.Int64
	errs := make(chan error, benchClients)
	var wg sync.WaitGroup
	b.ResetTimer()
	for range benchClients {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				body := fmt.Appendf(nil, `{"lead_id": %q, "title": "Demo %d", "starts_at": %q}`,
					lead.ID, i, start.Add(time.Duration(i)*time.Second).Format(time.RFC3339))
				r, err := bb.send(bb.request(b, "POST", "/v1/meetings", tn.APIKey, body, "Idempotency-Key", fmt.Sprint("import-", i)))
				if err == nil && r.status != http.StatusCreated {
					err = fmt.Errorf("booking %d: %d %s", i, r.status, r.body)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "meetings/s")
	wantBooked(b, db, b.N)
}

func benchBatch(b *testing.B, db *sqlstore.DB) {
	api := &httpapi.Server{Store: newStore(b, db, herald.SystemClock{}), AdminToken: testAdminToken,
		Logger: slog.New(slog.DiscardHandler)}
	srv := httptest.NewServer(api.Handler())
	b.Cleanup(srv.Close)
	bb := &testBundle{url: srv.URL, db: db, client: srv.Client()}
	var tn tenant
	bb.benchCall(b, "POST", "/v1/admin/tenants", testAdminToken, `{"name": "Bench"}`, http.StatusCreated, &tn)
	var lead herald.Lead
	bb.benchCall(b, "POST", "/v1/leads", tn.APIKey, `{"name": "John", "phone": "+14155552671"}`, http.StatusCreated, &lead)
	start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second)

	b.ResetTimer()
	for done := 0; done < b.N; done += httpapi.MaxBatchItems {
		items := make([]map[string]string, min(httpapi.MaxBatchItems, b.N-done))
		for j := range items {
			i := done + j
			items[j] = map[string]string{"idempotency_key": fmt.Sprint("import-", i), "lead_id": lead.ID,
				"title": fmt.Sprint("Demo ", i), "starts_at": start.Add(time.Duration(i) * time.Second).Format(time.RFC3339)}
		}
		body, _ := json.Marshal(map[string]any{"items": items})
		r, err := bb.send(bb.request(b, "POST", "/v1/meetings/batch", tn.APIKey, body))
		if err != nil || r.status != http.StatusOK {
			b.Fatalf("batch: %v %d %s", err, r.status, r.body)
		}
		var got batchAnswer
		if err := json.Unmarshal(r.body, &got); err != nil {
			b.Fatal(err)
		}
		for j, it := range got.Items {
			if it.Status != http.StatusCreated {
				b.Fatalf("item %d: %d %+v", done+j, it.Status, it.Problem)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "meetings/s")
	wantBooked(b, db, b.N)
}
