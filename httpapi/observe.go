package httpapi

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// RequestIDHeader carries a request's id: kept from the request when the
// client or a proxy set a sensible one, made up otherwise, and always
// answered, so that a client's report and the access log meet.
const RequestIDHeader = "X-Request-Id"

// routeUnmatched is the route label of requests that match no route.
const routeUnmatched = "unmatched"

// HTTPMetrics count the API's requests by route and status. A nil
// *HTTPMetrics records nothing.
type HTTPMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewHTTPMetrics registers the HTTP metrics with reg.
func NewHTTPMetrics(reg prometheus.Registerer) *HTTPMetrics {
	m := &HTTPMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_http_requests_total",
			Help: "HTTP requests by method, route (the pattern that matched, or unmatched) and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by method and route.",
			Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// requestInfo is what the layers under observe learn of a request.
type requestInfo struct {
	id    string
	route string
}

type requestInfoKey struct{}

func infoOf(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if info := infoOf(ctx); info != nil {
		return info.id
	}
	return ""
}

// setRoute records the pattern a request matched.
func setRoute(r *http.Request, pattern string) {
	if info := infoOf(r.Context()); info != nil {
		info.route = pattern
	}
}

// observe gives every request an id, answers it in X-Request-Id, counts
// the request and writes one access log line when it is answered.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: requestIDOf(r), route: routeUnmatched}
		w.Header().Set(RequestIDHeader, info.id)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			took := time.Since(start)
			if m := s.Metrics; m != nil {
				m.requests.WithLabelValues(r.Method, info.route, strconv.Itoa(status)).Inc()
				m.duration.WithLabelValues(r.Method, info.route).Observe(took.Seconds())
			}
			s.Logger.LogAttrs(r.Context(), slog.LevelInfo, "HTTP request",
				slog.String("method", r.Method), slog.String("route", info.route), slog.Int("status", status),
				slog.Float64("duration_ms", float64(took.Microseconds())/1000), slog.String("request_id", info.id))
		}()
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))
	})
}

// requestIDOf keeps the request's own id when it is short printable ASCII
// without spaces; anything else could forge log lines, so a new one is
// made.
func requestIDOf(r *http.Request) string {
	id := r.Header.Get(RequestIDHeader)
	if id == "" || len(id) > 128 {
		return rand.Text()
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return rand.Text()
		}
	}
	return id
}

// statusRecorder notes the status a handler answers with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushes,
// deadlines).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
