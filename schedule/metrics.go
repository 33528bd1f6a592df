package schedule

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"herald"
)

// Metrics are the worker's Prometheus metrics. A nil *Metrics records
// nothing, so tests need not set one up.
type Metrics struct {
	outcomes *prometheus.CounterVec
	lateness prometheus.Histogram
	sendTime *prometheus.HistogramVec
}

// NewMetrics registers the worker's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_reminders_total",
			Help: "Reminder outcomes by outcome (a final status: sent, failed, cancelled, skipped, expired, unknown; or transient, throttled for a retry planned), channel and provider.",
		}, []string{"outcome", "channel", "provider"}),
		lateness: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "herald_send_lateness_seconds",
			Help:    "Time from a reminder's scheduled time to the provider's acceptance.",
			Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300},
		}),
		sendTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_sender_duration_seconds",
			Help:    "Duration of provider calls by channel and outcome (sent, transient, throttled, permanent, permanent_recipient).",
			Buckets: prometheus.DefBuckets,
		}, []string{"channel", "outcome"}),
	}
	reg.MustRegister(m.outcomes, m.lateness, m.sendTime)
	return m
}

func (m *Metrics) countOutcome(outcome, channel, provider string) {
	if m == nil {
		return
	}
	m.outcomes.WithLabelValues(outcome, channel, provider).Inc()
}

func (m *Metrics) observeSent(r *herald.Reminder, late time.Duration) {
	if m == nil {
		return
	}
	m.outcomes.WithLabelValues(string(herald.ReminderSent), r.Channel, r.Provider).Inc()
	m.lateness.Observe(late.Seconds())
}

// observeHeld counts a message kept in the outbox: outcome "held", as
// nothing was sent.
func (m *Metrics) observeHeld(r *herald.Reminder, late time.Duration) {
	if m == nil {
		return
	}
	m.outcomes.WithLabelValues(string(herald.DeliveryHeld), r.Channel, r.Provider).Inc()
	m.lateness.Observe(late.Seconds())
}

func (m *Metrics) observeSend(plan *sendPlan, out sendOutcome) {
	if m == nil {
		return
	}
	outcome := herald.OutcomeSent
	if out.err != nil {
		outcome = herald.SendErrorKindOf(out.err).Outcome()
	}
	m.sendTime.WithLabelValues(plan.channelName(), string(outcome)).Observe(out.duration.Seconds())
}
