package sqlstore

import (
	"sync"
	"time"
)

// lastUseEvery is how often a key's last_used_at is written: more often
// would cost a write per request for a figure shown to the minute.
const lastUseEvery = time.Minute

// authCacheMax bounds the map; when full it starts over.
const authCacheMax = 10000

// authCache remembers when each key's last use was written. It caches no
// authentication: a revoked key or a disabled tenant must be refused at
// once, also when another process made the change.
type authCache struct {
	mu      sync.Mutex
	written map[string]time.Time
}

// due tells whether the last use of the key with this hash should be
// written now, and if so notes that it is.
func (c *authCache) due(hash string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if at, ok := c.written[hash]; ok && now.Sub(at) < lastUseEvery {
		return false
	}
	if c.written == nil || len(c.written) >= authCacheMax {
		c.written = make(map[string]time.Time)
	}
	c.written[hash] = now
	return true
}
