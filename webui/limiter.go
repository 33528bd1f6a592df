package webui

import (
	"sync"
	"time"
)

// AddressLimiter is a token bucket per client address. Each process keeps
// its own: behind several nodes an address gets each node's allowance,
// which still stops guessing at any useful speed, as keys carry 260
// random bits.
type AddressLimiter struct {
	mu      sync.Mutex
	burst   float64
	rate    float64 // tokens per second
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxAddresses bounds the addresses remembered; when full, the limiter
// forgets the buckets that have filled up again.
const maxAddresses = 10000

// NewAddressLimiter allows n attempts per period per address, and up to
// burst at once.
func NewAddressLimiter(n int, period time.Duration, burst int) *AddressLimiter {
	return &AddressLimiter{burst: float64(burst), rate: float64(n) / period.Seconds(),
		buckets: map[string]*bucket{}}
}

// Allow takes one attempt from addr's bucket at now and reports whether
// there was one.
func (l *AddressLimiter) Allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[addr]
	if !ok {
		if len(l.buckets) >= maxAddresses {
			l.forgetFull(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[addr] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(l.burst, b.tokens+elapsed*l.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (l *AddressLimiter) forgetFull(now time.Time) {
	for addr, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, addr)
		}
	}
	if len(l.buckets) >= maxAddresses {
		clear(l.buckets)
	}
}
