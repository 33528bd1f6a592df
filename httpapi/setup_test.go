package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/clocktest"
	"herald/dbtest"
	"herald/httpapi"
	"herald/outbound"
	"herald/schedule"
	"herald/sqlstore"
)

// epoch is the frozen time each test's clock starts at.
var epoch = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// testAdminToken is the admin token of the servers setup starts.
const testAdminToken = "admin-token-for-tests"

// testBundle is one API server on one database, with a frozen clock.
type testBundle struct {
	url    string
	db     *sqlstore.DB
	store  *sqlstore.Store
	clock  *clocktest.Clock
	client *http.Client
	// spec checks every exchange against openapi.json.
	spec *specChecker
	// strictRequests makes the spec check the requests too; tests of bad
	// input leave it off, since their requests break the spec on purpose.
	strictRequests bool
}

// newStore builds a store the way the herald command does, with clock.
func newStore(t testing.TB, db *sqlstore.DB, clock herald.Clock) *sqlstore.Store {
	t.Helper()
	jobs, err := schedule.NewInsertClient(db.RiverDriver())
	if err != nil {
		t.Fatal(err)
	}
	return sqlstore.New(db, schedule.NewJobs(jobs), sqlstore.Options{Clock: clock, Events: outbound.NewJobs(jobs)})
}

// setup starts a server on db with the test admin token.
func setup(t *testing.T, db *sqlstore.DB) *testBundle {
	return setupWithAdmin(t, db, testAdminToken)
}

// setupWithAdmin starts a server on db; an empty adminToken disables the
// admin API.
func setupWithAdmin(t *testing.T, db *sqlstore.DB, adminToken string) *testBundle {
	t.Helper()
	return setupWithExtra(t, db, adminToken, nil)
}

// setupWithExtra is setupWithAdmin with extra routes beside the API, built
// over the server's store and clock.
func setupWithExtra(t *testing.T, db *sqlstore.DB, adminToken string,
	extra func(store *sqlstore.Store, clock *clocktest.Clock) map[string]http.Handler) *testBundle {
	t.Helper()
	clock := clocktest.New(epoch)
	store := newStore(t, db, clock)
	api := &httpapi.Server{Store: store, AdminToken: adminToken, Clock: clock, Logger: slog.New(slog.DiscardHandler),
		URLGuard: &outbound.Guard{Resolver: testResolver}}
	if extra != nil {
		api.Extra = extra(store, clock)
	}
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return &testBundle{url: srv.URL, db: db, store: store, clock: clock, client: srv.Client(), spec: loadSpec(t)}
}

// eachDB runs fn on SQLite and on PostgreSQL, each with its own server.
func eachDB(t *testing.T, fn func(t *testing.T, b *testBundle)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) { fn(t, setup(t, db)) })
}

// reply is a whole HTTP answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request and checks the exchange against the spec. body is
// sent as is when it is a string, as JSON otherwise, and not at all when
// nil. key, when set, goes in a bearer Authorization header; headers are
// name, value pairs set after it.
func (b *testBundle) do(t *testing.T, method, path, key string, body any, headers ...string) reply {
	t.Helper()
	raw := encodeBody(t, body)
	req := b.request(t, method, path, key, raw, headers...)
	r, err := b.send(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	b.spec.check(t, req, raw, r, b.strictRequests)
	return r
}

func encodeBody(t testing.TB, body any) []byte {
	t.Helper()
	switch v := body.(type) {
	case nil:
		return nil
	case string:
		return []byte(v)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// request builds a request of the test server; see do.
func (b *testBundle) request(t testing.TB, method, path, key string, body []byte, headers ...string) *http.Request {
	t.Helper()
	req := newRequest(t, method, b.url+path, body)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return req
}

// send makes one exchange; unlike do it may run on any goroutine.
func (b *testBundle) send(req *http.Request) (reply, error) {
	resp, err := b.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: got}, nil
}

func newRequest(t testing.TB, method, url string, body []byte) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// want fails the test unless the answer has the given status, and then
// decodes its JSON body into v (when v is not nil).
func (r reply) want(t *testing.T, status int, v any) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.status, status, r.body)
	}
	if v == nil {
		return
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// wantProblem fails the test unless the answer is a problem document with
// the given status and code, and returns it.
func (r reply) wantProblem(t *testing.T, status int, code string) httpapi.Problem {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json", ct)
	}
	var p httpapi.Problem
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("decode problem %s: %v", r.body, err)
	}
	if p.Code != code || p.Status != status || p.Type != "urn:herald:problem:"+code || p.Title == "" {
		t.Fatalf("problem = %+v, want status %d and code %q", p, status, code)
	}
	if status < 500 && strings.TrimSpace(p.Detail) == "" {
		t.Fatalf("problem %+v has no detail", p)
	}
	return p
}
