package catalog

import (
	"sync"

	"herald/render"
)

// defaultCacheBytes bounds the sources the cache of compiled templates
// keeps: room for every template of many tenants, and a fixed ceiling
// however many tenants save large ones.
const defaultCacheBytes = 32 << 20

// compiledCache keeps compiled tenants' templates keyed by their whole
// source, so an edited template is a new key and never a stale hit. When
// full it drops entries at random (Go's map order), which needs no
// bookkeeping and keeps the templates in use likely to stay.
type compiledCache struct {
	mu       sync.Mutex
	entries  map[render.Source]*render.Template
	bytes    int
	maxBytes int
}

func newCompiledCache(maxBytes int) *compiledCache {
	return &compiledCache{entries: map[render.Source]*render.Template{}, maxBytes: maxBytes}
}

func sourceBytes(src render.Source) int {
	return len(src.Name) + len(src.Channel) + len(src.Text) + len(src.Subject) + len(src.HTML)
}

// compile returns the compiled src, compiling it on a miss. Errors are not
// cached: a stored source that does not compile is a fault to report each
// time.
func (c *compiledCache) compile(src render.Source) (*render.Template, error) {
	c.mu.Lock()
	t, ok := c.entries[src]
	c.mu.Unlock()
	if ok {
		return t, nil
	}
	t, err := render.Compile(src)
	if err != nil {
		return nil, err
	}
	size := sourceBytes(src)
	if size > c.maxBytes {
		return t, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for key := range c.entries {
		if c.bytes+size <= c.maxBytes {
			break
		}
		c.bytes -= sourceBytes(key)
		delete(c.entries, key)
	}
	if _, ok := c.entries[src]; !ok {
		c.entries[src] = t
		c.bytes += size
	}
	return t, nil
}
