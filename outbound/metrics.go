package outbound

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"herald"
)

// Metrics are the Prometheus metrics of event deliveries. A nil *Metrics
// records nothing.
type Metrics struct {
	attempts *prometheus.CounterVec
	request  *prometheus.HistogramVec
	latency  *prometheus.HistogramVec
	deferred prometheus.Counter
}

// NewMetrics registers the metrics of event deliveries with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_event_deliveries_total",
			Help: "Attempts to deliver events to webhook endpoints by event type and outcome (delivered, retried, failed).",
		}, []string{"type", "outcome"}),
		request: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_event_request_duration_seconds",
			Help:    "Duration of requests to webhook endpoints by outcome.",
			Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15},
		}, []string{"outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_event_delivery_latency_seconds",
			Help:    "Time from an event to its delivery (the endpoint's 2xx answer), retries included, by event type.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 36000, 86400},
		}, []string{"type"}),
		deferred: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "herald_event_deliveries_deferred_total",
			Help: "Deliveries put back for a moment because their tenant's endpoints had their share of requests in flight.",
		}),
	}
	reg.MustRegister(m.attempts, m.request, m.latency, m.deferred)
	return m
}

func (m *Metrics) observe(ev *herald.Event, outcome string, res result, now time.Time) {
	if m == nil || outcome == "" {
		return
	}
	m.attempts.WithLabelValues(string(ev.Type), outcome).Inc()
	m.request.WithLabelValues(outcome).Observe(res.duration.Seconds())
	if outcome == outcomeDelivered {
		m.latency.WithLabelValues(string(ev.Type)).Observe(now.Sub(ev.CreatedAt).Seconds())
	}
}

func (m *Metrics) countDeferred() {
	if m == nil {
		return
	}
	m.deferred.Inc()
}
