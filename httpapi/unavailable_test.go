package httpapi_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/clocktest"
	"herald/dbtest"
	"herald/httpapi"
	"herald/sqlstore"
)

// tcpProxy forwards loopback connections to a server until it is cut.
type tcpProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln}
	t.Cleanup(p.cut)
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	return p
}

// cut closes the listener and every connection, as a database host that
// goes away does.
func (p *tcpProxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestDatabaseAwayAnswersUnavailable cuts the connection to PostgreSQL
// under a running server: requests answer 503 with code unavailable (a
// client may retry), not 500, and readiness fails.
func TestDatabaseAwayAnswersUnavailable(t *testing.T) {
	t.Parallel()
	schemaURL := dbtest.PostgresSchema(t)
	u, err := url.Parse(schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	b := setup(t, db)
	key := b.newTenant(t, "Acme").APIKey
	lead := b.newLead(t, key)

	proxy.cut()
	for _, req := range []struct{ method, path string }{
		{"GET", "/v1/leads"}, {"GET", "/v1/leads/" + lead.ID}, {"POST", "/v1/leads"}, {"GET", "/readyz"},
	} {
		var body any
		if req.method == "POST" {
			body = map[string]string{"name": "Ann", "email": "ann@example.com"}
		}
		r := b.do(t, req.method, req.path, key, body)
		p := r.wantProblem(t, http.StatusServiceUnavailable, herald.ECodeUnavailable)
		if strings.Contains(p.Detail, "127.0.0.1") || strings.Contains(p.Detail, "dial") {
			t.Errorf("%s %s: the problem shows the connection's details: %s", req.method, req.path, p.Detail)
		}
	}
}

// blockingStore answers the tenant of any key and holds ListLeads until
// the request is cancelled.
type blockingStore struct {
	herald.Store
	entered chan struct{}
}

func (s *blockingStore) TenantByAPIKey(context.Context, string) (herald.Tenant, error) {
	return herald.Tenant{ID: "ten_1", Name: "Acme"}, nil
}

func (s *blockingStore) ListLeads(ctx context.Context, _ string, _ herald.PageRequest) (herald.Page[herald.Lead], error) {
	close(s.entered)
	<-ctx.Done()
	return herald.Page[herald.Lead]{}, ctx.Err()
}

// TestClientDisconnectIsNotAnError hangs up while a request waits on the
// store: the server logs no error for it.
func TestClientDisconnectIsNotAnError(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store := &blockingStore{entered: make(chan struct{})}
	api := &httpapi.Server{Store: store, Clock: clocktest.New(epoch), Logger: logger}
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1/leads", nil)
	req.Header.Set("Authorization", "Bearer hk_any")
	done := make(chan error, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-store.entered
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the request ended with %v, want it cancelled", err)
	}
	// The handler finishes after the client is gone; wait until it logged.
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		out := logs.String()
		mu.Unlock()
		if strings.Contains(out, "abandoned") || time.Now().After(deadline) {
			if strings.Contains(out, "level=ERROR") || !strings.Contains(out, "abandoned") {
				t.Fatalf("logs of a client that hung up:\n%s", out)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
