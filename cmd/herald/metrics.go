package main

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"herald"
	"herald/httpapi"
)

// opsMetrics are the process's own metrics beside the worker's and the
// API's: build information, the providers' circuits, waits for a send
// slot, delivery receipts and the worker's heartbeat.
type opsMetrics struct {
	http      *httpapi.HTTPMetrics
	pacerWait *prometheus.HistogramVec
	receipts  *prometheus.CounterVec
	// heartbeat is the Unix time the worker last reached the database.
	heartbeat atomic.Int64
}

// circuitStates are the values of herald_provider_circuit_state.
var circuitStates = map[string]float64{"closed": 0, "half-open": 1, "open": 2}

func (a *App) registerOpsMetrics() {
	m := &a.ops
	bi := readBuildInfo()
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "herald_build_info",
		Help: "Always 1; the labels say which Herald runs.",
		ConstLabels: prometheus.Labels{"version": bi.Version, "revision": bi.Revision, "goversion": bi.GoVersion,
			"database": a.db.Name()},
	})
	buildInfo.Set(1)
	m.http = httpapi.NewHTTPMetrics(a.registry)
	m.pacerWait = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "herald_pacer_wait_seconds",
		Help:    "Time an SMS waited for its provider account's send slot (the account's rate limit).",
		Buckets: []float64{0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"account"})
	m.receipts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "herald_receipts_total",
		Help: "Delivery receipts by provider, delivery status and result (applied, duplicate, unmatched).",
	}, []string{"provider", "status", "result"})
	heartbeat := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "herald_worker_heartbeat_timestamp_seconds",
		Help: "Unix time this process's reminder worker last reached the database; 0 before it starts.",
	}, func() float64 { return float64(m.heartbeat.Load()) })
	circuits := prometheus.NewDesc("herald_provider_circuit_state",
		"Each SMS provider's circuit breaker: 0 closed (calls go), 1 half-open (a trial goes), 2 open (paused).",
		[]string{"provider"}, nil)
	a.registry.MustRegister(buildInfo, m.pacerWait, m.receipts, heartbeat,
		collectorFunc{desc: circuits, collect: func(ch chan<- prometheus.Metric) {
			if a.smsRouter == nil {
				return
			}
			for _, name := range a.smsRouter.Providers() {
				ch <- prometheus.MustNewConstMetric(circuits, prometheus.GaugeValue,
					circuitStates[a.smsRouter.CircuitState(name)], name)
			}
		}})
}

// observePacerWait feeds herald_pacer_wait_seconds.
func (a *App) observePacerWait(account string, waited time.Duration) {
	if a.ops.pacerWait != nil {
		a.ops.pacerWait.WithLabelValues(account).Observe(waited.Seconds())
	}
}

// countReceipt feeds herald_receipts_total.
func (a *App) countReceipt(provider string, status herald.DeliveryStatus, result string) {
	if a.ops.receipts != nil {
		a.ops.receipts.WithLabelValues(provider, string(status), result).Inc()
	}
}

// beat notes every interval that the worker reaches the database, until
// ctx ends: the heartbeat an alert watches.
func (a *App) beat(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		pingCtx, cancel := context.WithTimeout(ctx, interval)
		if a.db.PingContext(pingCtx) == nil {
			a.ops.heartbeat.Store(time.Now().Unix())
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// collectorFunc is a collector of one metric family read at scrape time.
type collectorFunc struct {
	desc    *prometheus.Desc
	collect func(chan<- prometheus.Metric)
}

func (c collectorFunc) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }
func (c collectorFunc) Collect(ch chan<- prometheus.Metric) { c.collect(ch) }
