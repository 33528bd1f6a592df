package main

import (
	"sync"
	"time"

	"herald/vonage/vonagetest"
)

// receipt is one SMS the fake provider took: when it arrived and the
// reference (client-ref) Herald gave it.
type receipt struct {
	at  time.Time
	ref string
}

// fakeSMS is the loopback SMS provider: Herald's own imitation of the
// Vonage SMS API (vonagetest), answering every valid request after latency
// as a real provider would after its round trip, and noting what arrived.
type fakeSMS struct {
	srv *vonagetest.Server

	mu       sync.Mutex
	receipts []receipt
}

// startFakeSMS starts the provider on a loopback port.
func startFakeSMS(latency time.Duration) *fakeSMS {
	f := &fakeSMS{srv: vonagetest.Start()}
	f.srv.Script(func(req vonagetest.Request) vonagetest.Reply {
		f.mu.Lock()
		f.receipts = append(f.receipts, receipt{at: req.At, ref: req.Form.Get("client-ref")})
		f.mu.Unlock()
		time.Sleep(latency)
		return vonagetest.Reply{}
	})
	return f
}

// Close stops the provider.
func (f *fakeSMS) Close() { f.srv.Close() }

// env is the part of Herald's environment that sends SMS here, with no
// pacing of Herald's own (VONAGE_RATE_LIMIT=0): the benchmark measures
// Herald, not a configured rate limit.
func (f *fakeSMS) env() map[string]string {
	return map[string]string{
		"VONAGE_API_KEY":     vonagetest.APIKey,
		"VONAGE_API_SECRET":  vonagetest.APISecret,
		"VONAGE_FROM_NUMBER": vonagetest.From,
		"VONAGE_BASE_URL":    f.srv.URL,
		"VONAGE_RATE_LIMIT":  "0",
	}
}

// count is how many messages arrived so far.
func (f *fakeSMS) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.receipts)
}

// since returns the messages that arrived after the first n.
func (f *fakeSMS) since(n int) []receipt {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]receipt(nil), f.receipts[min(n, len(f.receipts)):]...)
}
