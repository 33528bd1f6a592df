// Package twiliotest runs a local imitation of the Twilio Messages API for
// tests and benchmarks: it checks Basic auth and the form fields as Twilio
// does, answers with the real JSON shapes and error bodies, keeps Twilio's
// per-sender opt-out list, records every request and can be scripted to
// throttle, fail, hang or succeed.
package twiliotest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"herald/twilio"
)

// Default credentials and sending number of a Server.
const (
	AccountSID = "AC0123456789abcdef0123456789abcdef"
	AuthToken  = "test-auth-token-0123456789abcdef"
	From       = "+15005550006"
)

// Request is one request the Server received.
type Request struct {
	At     time.Time
	Method string
	Path   string
	Header http.Header
	Form   url.Values
	// User and Password are the Basic auth credentials, if any.
	User, Password string
}

// Reply tells the Server how to answer one request. The zero Reply creates
// the message as Twilio would.
type Reply struct {
	// Code answers with this Twilio error code, with the HTTP status
	// Twilio uses for it (see HTTPStatusOf) unless HTTPStatus is set.
	Code    int
	Message string
	// HTTPStatus answers with this status; with no Code, Body is sent
	// as is, imitating a failure in front of the API.
	HTTPStatus int
	Body       string
	// RetryAfter is sent as the Retry-After header when set.
	RetryAfter string
	// Hang holds the request open until the client gives up or the
	// server closes.
	Hang bool
}

// Message is one message the Server created.
type Message struct {
	SID            string
	To             string
	From           string
	Body           string
	StatusCallback string
	Segments       int
}

// Server is a fake Twilio REST API on loopback.
type Server struct {
	// URL is the base URL to put in twilio.Config.BaseURL.
	URL string

	accountSID, authToken string
	numbers               map[string]bool
	httpServer            *httptest.Server
	closing               chan struct{}

	mu       sync.Mutex
	script   func(Request) Reply
	requests []Request
	messages []Message
	optedOut map[[2]string]bool
}

// Option changes a Server made by NewServer.
type Option func(*Server)

// WithCredentials sets the account SID and auth token the Server accepts.
func WithCredentials(accountSID, authToken string) Option {
	return func(s *Server) { s.accountSID, s.authToken = accountSID, authToken }
}

// WithNumbers sets the account's own numbers, the only valid From values.
// Defaults to From.
func WithNumbers(numbers ...string) Option {
	return func(s *Server) {
		s.numbers = map[string]bool{}
		for _, n := range numbers {
			s.numbers[n] = true
		}
	}
}

// NewServer starts a Server that tb closes at the end of the test.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{
		accountSID: AccountSID, authToken: AuthToken,
		numbers:  map[string]bool{From: true},
		closing:  make(chan struct{}),
		optedOut: map[[2]string]bool{},
	}
	for _, opt := range opts {
		opt(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{AccountSid}/Messages.json", s.handleCreate)
	s.httpServer = httptest.NewServer(mux)
	s.URL = s.httpServer.URL
	tb.Cleanup(s.Close)
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
func (s *Server) Config() twilio.Config {
	return twilio.Config{BaseURL: s.URL, AccountSID: s.accountSID, AuthToken: s.authToken, From: From}
}

// Script sets the function that decides each answer after the request has
// passed the credential and field checks; nil creates every message.
func (s *Server) Script(script func(Request) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = script
}

// OptOut records that to replied STOP to from: later messages between them
// are refused with error 21610, as Twilio does.
func (s *Server) OptOut(from, to string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.optedOut[[2]string{from, to}] = true
}

// Requests returns every request received so far, in order of arrival.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Messages returns every message created so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

func newMessageSID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "SM" + hex.EncodeToString(b[:])
}
