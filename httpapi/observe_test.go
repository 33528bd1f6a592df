package httpapi_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"herald/dbtest"
	"herald/httpapi"
)

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) lines() []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "HTTP request" {
			out = append(out, m)
		}
	}
	return out
}

// TestRequestIDAccessLogAndMetrics checks what an operator sees of each
// request: an X-Request-Id on every answer (the client's own kept), one
// access log line with method, route, status, duration and request id,
// and the request counted by route and status.
func TestRequestIDAccessLogAndMetrics(t *testing.T) {
	t.Parallel()
	db := dbtest.SQLite(t)
	var logs syncBuffer
	reg := prometheus.NewRegistry()
	api := &httpapi.Server{Store: newStore(t, db, nil), AdminToken: testAdminToken,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Metrics: httpapi.NewHTTPMetrics(reg)}
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()

	get := func(path, requestID string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+testAdminToken)
		if requestID != "" {
			req.Header.Set("X-Request-Id", requestID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := get("/v1/admin/tenants", "trace-abc-123")
	if got := resp.Header.Get("X-Request-Id"); got != "trace-abc-123" {
		t.Errorf("X-Request-Id = %q, want the client's own", got)
	}
	made := get("/v1/leads/lea_x", "").Header.Get("X-Request-Id") // 401: no tenant key
	forged := get("/nope", "bad id\twith tabs").Header.Get("X-Request-Id")
	if made == "" || forged == "" || strings.ContainsAny(forged, " \t") || made == forged {
		t.Errorf("made-up request ids: %q, %q", made, forged)
	}

	lines := logs.lines()
	if len(lines) != 3 {
		t.Fatalf("%d access log lines for 3 requests: %v", len(lines), lines)
	}
	want := []struct {
		route  string
		status float64
		id     string
	}{{"GET /v1/admin/tenants", 200, "trace-abc-123"}, {"GET /v1/leads/{id}", 401, made}, {"unmatched", 404, forged}}
	for i, w := range want {
		l := lines[i]
		if l["method"] != "GET" || l["route"] != w.route || l["status"] != w.status || l["request_id"] != w.id {
			t.Errorf("access log line %d = %v, want route %q status %v id %q", i, l, w.route, w.status, w.id)
		}
		if _, ok := l["duration_ms"].(float64); !ok {
			t.Errorf("access log line %d has no duration_ms: %v", i, l)
		}
	}
	const metrics = `
# HELP herald_http_requests_total HTTP requests by method, route (the pattern that matched, or unmatched) and status.
# TYPE herald_http_requests_total counter
herald_http_requests_total{method="GET",route="GET /v1/admin/tenants",status="200"} 1
herald_http_requests_total{method="GET",route="GET /v1/leads/{id}",status="401"} 1
herald_http_requests_total{method="GET",route="unmatched",status="404"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(metrics), "herald_http_requests_total"); err != nil {
		t.Error(err)
	}
}
