package e2e

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// dbProxy is a TCP proxy on loopback in front of a database server. A test
// cuts it to make the database go away: every connection through it
// breaks, and new ones are closed as soon as they are accepted, until the
// outage ends.
type dbProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]struct{}
}

// newDBProxy starts a proxy to target (host:port), closed after the test.
func newDBProxy(t *testing.T, target string) *dbProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dbProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.closeAll()
	})
	return p
}

// addr is the proxy's host:port.
func (p *dbProxy) addr() string { return p.ln.Addr().String() }

func (p *dbProxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.pipe(client)
	}
}

func (p *dbProxy) pipe(client net.Conn) {
	if !p.track(client) {
		client.Close()
		return
	}
	upstream, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil || !p.track(upstream) {
		if upstream != nil {
			upstream.Close()
		}
		p.drop(client)
		return
	}
	var once sync.Once
	closeBoth := func() {
		once.Do(func() {
			p.drop(client)
			p.drop(upstream)
		})
	}
	go func() {
		_, _ = io.Copy(upstream, client)
		closeBoth()
	}()
	_, _ = io.Copy(client, upstream)
	closeBoth()
}

// track registers c, or reports false while the proxy is down.
func (p *dbProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *dbProxy) drop(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

func (p *dbProxy) closeAll() {
	p.mu.Lock()
	conns := p.conns
	p.conns = map[net.Conn]struct{}{}
	p.mu.Unlock()
	for c := range conns {
		c.Close()
	}
}

// outage cuts every connection and refuses new ones for d. The returned
// channel is closed when the proxy accepts connections again.
func (p *dbProxy) outage(d time.Duration) <-chan struct{} {
	p.mu.Lock()
	p.down = true
	p.mu.Unlock()
	p.closeAll()
	back := make(chan struct{})
	time.AfterFunc(d, func() {
		p.mu.Lock()
		p.down = false
		p.mu.Unlock()
		close(back)
	})
	return back
}
