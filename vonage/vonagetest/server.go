// Package vonagetest runs a local imitation of the Vonage SMS API for tests
// and benchmarks: it checks credentials and fields as the real API does,
// answers with the real JSON shapes, records every request and can be
// scripted to throttle, fail, hang or succeed.
package vonagetest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"herald/vonage"
)

// Default credentials and sender of a Server.
const (
	APIKey    = "abcd1234"
	APISecret = "Secret-123456"
	From      = "AcmeInc"
)

// Request is one request the Server received.
type Request struct {
	At     time.Time
	Method string
	Header http.Header
	// Form holds the parameters, from a form or a JSON body.
	Form url.Values
	// BasicAuth reports that the credentials came in an Authorization
	// header instead of the body.
	BasicAuth bool
}

// Reply tells the Server how to answer one request. The zero Reply accepts
// the message as Vonage would.
type Reply struct {
	// Status is the status of every part ("" or "0" accepts).
	Status string
	// ErrorText overrides Vonage's text for Status.
	ErrorText string
	// PartStatuses gives each part its own status, for partial failures;
	// it overrides Status and the computed number of parts.
	PartStatuses []string
	// HTTPStatus, when set, answers with that HTTP status and Body instead
	// of the usual 200 JSON answer.
	HTTPStatus int
	Body       string
	// RetryAfter is sent as the Retry-After header when set.
	RetryAfter string
	// Hang holds the request open until the client gives up or the
	// server closes.
	Hang bool
}

// Accepted describes one accepted SMS part, with what a delivery receipt
// for it must carry.
type Accepted struct {
	// At is when the request arrived and APIKey the account it was sent
	// with.
	At        time.Time
	APIKey    string
	MessageID string
	To        string
	From      string
	ClientRef string
	Callback  string
	Part      int
	Parts     int
}

// Server is a fake Vonage SMS API on loopback.
type Server struct {
	// URL is the base URL to put in vonage.Config.BaseURL.
	URL string

	apiKey, apiSecret string
	throughput        int
	httpServer        *httptest.Server
	closing           chan struct{}

	mu       sync.Mutex
	script   func(Request) Reply
	requests []Request
	accepted []Accepted
	accounts map[string]*account
}

// Option changes a Server made by NewServer.
type Option func(*Server)

// WithCredentials sets the API key and secret the Server accepts.
func WithCredentials(key, secret string) Option {
	return func(s *Server) { s.apiKey, s.apiSecret = key, secret }
}

// NewServer starts a Server that tb closes at the end of the test.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := Start(opts...)
	tb.Cleanup(s.Close)
	return s
}

// Start starts a Server on loopback outside a test, for benchmarks and
// manual runs; the caller closes it.
func Start(opts ...Option) *Server {
	s := &Server{apiKey: APIKey, apiSecret: APISecret, closing: make(chan struct{}), accounts: map[string]*account{}}
	for _, opt := range opts {
		opt(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sms/json", s.handleSend)
	s.httpServer = httptest.NewServer(mux)
	s.URL = s.httpServer.URL
	return s
}

// Close releases hanging requests and stops the Server.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
	s.mu.Unlock()
	s.httpServer.Close()
}

// Config returns a client configuration that reaches this Server with
// valid credentials.
func (s *Server) Config() vonage.Config {
	return vonage.Config{BaseURL: s.URL, APIKey: s.apiKey, APISecret: s.apiSecret, From: From}
}

// Script sets the function that decides each answer after the request has
// passed the credential and parameter checks; nil accepts everything.
func (s *Server) Script(script func(Request) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = script
}

// Requests returns every request received so far, in order of arrival.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Accepted returns every SMS part the Server accepted so far.
func (s *Server) Accepted() []Accepted {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Accepted(nil), s.accepted...)
}

// writeJSON answers like the real API: HTTP 200 with a JSON body.
func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// refusal is the answer Vonage gives to a request it refuses as a whole.
func refusal(status, text string) map[string]any {
	return map[string]any{
		"message-count": "1",
		"messages":      []map[string]string{{"status": status, "error-text": text}},
	}
}

func newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
