package sqlstore

import (
	"sync"
	"time"

	"herald"
)

// authCacheTTL is how long a verified API key is trusted without asking
// the database again. Keys are never changed once issued, so a short cache
// only saves the lookup every request would otherwise make.
const authCacheTTL = time.Minute

// authCacheMax bounds the cache; when full it starts over.
const authCacheMax = 10000

// authCache maps API key hashes to their tenants.
type authCache struct {
	mu      sync.Mutex
	entries map[string]authEntry
}

type authEntry struct {
	tenant  herald.Tenant
	expires time.Time
}

func (c *authCache) get(hash string, now time.Time) (herald.Tenant, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || now.After(e.expires) {
		return herald.Tenant{}, false
	}
	return e.tenant, true
}

func (c *authCache) put(hash string, t herald.Tenant, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= authCacheMax {
		c.entries = make(map[string]authEntry)
	}
	c.entries[hash] = authEntry{tenant: t, expires: now.Add(authCacheTTL)}
}
