package httpapi_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/httpapi"
	"herald/sqlstore"
)

// BenchmarkBookBatch books meetings through POST /v1/meetings/batch, 500
// per request, from one client, each item with its idempotency key: the
// import path. Compare its meetings/s with BenchmarkBookMeeting's, eight
// clients booking one meeting per request:
//
//	go test ./httpapi -run '^$' -bench 'BookBatch|BookMeeting' -benchtime 2000x
func BenchmarkBookBatch(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchBatch(b, dbtest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchBatch(b, dbtest.Postgres(b)) })
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
