package httpapi

import (
	"crypto/sha256"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"herald"
)

// RateLimit is the request budget of each API key: a token bucket of Burst
// requests refilled at Rate per second. Only the tenant routes under /v1/
// count; provider webhooks, the dashboard, health checks and the admin API
// do not.
type RateLimit struct {
	// Rate is the requests per second a key may keep up. Zero means no
	// limit.
	Rate float64
	// Burst is how many requests a key may make at once, above Rate.
	// Defaults to Rate, and at least 1.
	Burst int
}

// maxLimiters bounds the keys the limiter remembers; past it, the keys
// whose bucket is full again are forgotten, as a new bucket is full too.
const maxLimiters = 10000

// limiters holds one token bucket per API key.
type limiters struct {
	limit RateLimit
	mu    sync.Mutex
	byKey map[[32]byte]*rate.Limiter
}

func newLimiters(limit RateLimit) *limiters {
	if limit.Burst < 1 {
		limit.Burst = max(1, int(math.Ceil(limit.Rate)))
	}
	return &limiters{limit: limit, byKey: map[[32]byte]*rate.Limiter{}}
}

// take takes one request from the key's budget at now. When none is left
// it returns how long until one is.
func (l *limiters) take(apiKey string, now time.Time) (wait time.Duration, ok bool) {
	if l == nil || l.limit.Rate <= 0 {
		return 0, true
	}
	id := sha256.Sum256([]byte(apiKey))
	l.mu.Lock()
	lim, found := l.byKey[id]
	if !found {
		if len(l.byKey) >= maxLimiters {
			l.forgetFull(now)
		}
		lim = rate.NewLimiter(rate.Limit(l.limit.Rate), l.limit.Burst)
		l.byKey[id] = lim
	}
	l.mu.Unlock()
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, false
	}
	return 0, true
}

// forgetFull drops the buckets that are full at now; l.mu is held.
func (l *limiters) forgetFull(now time.Time) {
	for id, lim := range l.byKey {
		if lim.TokensAt(now) >= float64(l.limit.Burst) {
			delete(l.byKey, id)
		}
	}
}

// rateLimited answers 429 rate_limited with Retry-After in whole seconds.
func rateLimited(w http.ResponseWriter, r *http.Request, s *Server, wait time.Duration) {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(w, r, s.Logger, herald.Errorf(herald.ECodeRateLimited,
		"this API key has used its request budget (%g per second, bursts of %d); retry in %d s",
		s.limiters.limit.Rate, s.limiters.limit.Burst, secs))
}
