// Package smtptest runs a real SMTP server on loopback for tests: it speaks
// SMTP through github.com/emersion/go-smtp, offers STARTTLS or implicit TLS
// with a certificate made on the spot, can require AUTH PLAIN, records the
// messages it accepts and can be scripted to refuse any command.
package smtptest

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one message the Server accepted.
type Message struct {
	From string
	To   []string
	// Data is the message as received, headers and body.
	Data []byte
	// TLS reports that the message travelled encrypted.
	TLS bool
	// User is the authenticated user name, empty without AUTH.
	User string
}

// Command is one SMTP command shown to a Script.
type Command struct {
	// Verb is MAIL, RCPT or DATA.
	Verb string
	// Arg is the address for MAIL and RCPT, empty for DATA.
	Arg string
}

// Server is an SMTP server on loopback.
type Server struct {
	// Host and Port are where to connect; Addr is both.
	Host string
	Port int
	Addr string

	tlsMode  string
	user     string
	password string
	cert     tls.Certificate
	roots    *x509.CertPool
	smtp     *smtp.Server

	mu       sync.Mutex
	script   func(Command) error
	messages []Message
}

// Option changes a Server made by NewServer.
type Option func(*Server)

// WithSTARTTLS makes the Server offer STARTTLS with a fresh self-signed
// certificate for 127.0.0.1 and localhost.
func WithSTARTTLS() Option { return func(s *Server) { s.tlsMode = "starttls" } }

// WithImplicitTLS makes the Server speak TLS from the first byte.
func WithImplicitTLS() Option { return func(s *Server) { s.tlsMode = "tls" } }

// WithAuth makes the Server require AUTH PLAIN with these credentials
// before MAIL. Without TLS the Server still offers it, as a careless
// server would, so a test can check that the client refuses.
func WithAuth(user, password string) Option {
	return func(s *Server) { s.user, s.password = user, password }
}

// NewServer starts a Server that tb stops at the end of the test.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{Host: "127.0.0.1"}
	for _, opt := range opts {
		opt(s)
	}
	server := smtp.NewServer(&backend{server: s})
	server.Domain = "mx.test"
	server.ReadTimeout = 10 * time.Second
	server.WriteTimeout = 10 * time.Second
	server.AllowInsecureAuth = s.user != ""
	s.smtp = server

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtptest: listen: %v", err)
	}
	if s.tlsMode != "" {
		cert, roots, err := NewCertificate("127.0.0.1", "localhost")
		if err != nil {
			tb.Fatalf("smtptest: %v", err)
		}
		s.cert, s.roots = cert, roots
		server.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if s.tlsMode == "tls" {
			listener = tls.NewListener(listener, server.TLSConfig)
		}
	}
	s.Addr = listener.Addr().String()
	s.Port = listener.Addr().(*net.TCPAddr).Port
	if s.Addr != net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) {
		tb.Fatalf("smtptest: unexpected address %s", s.Addr)
	}
	go func() { _ = server.Serve(listener) }()
	tb.Cleanup(func() { _ = server.Close() })
	return s
}

// ClientTLSConfig returns a TLS configuration that trusts the Server's
// certificate, for smtpmail.Config.TLSConfig.
func (s *Server) ClientTLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.roots, ServerName: s.Host, MinVersion: tls.VersionTLS12}
}

// Script sets a function that sees each MAIL, RCPT and DATA command before
// the Server accepts it; a non-nil error (see Reply) is sent back instead.
// A Script may block, to imitate a server that stalls.
func (s *Server) Script(script func(Command) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = script
}

// Messages returns the messages accepted so far. A message is recorded
// before the server answers the final dot, so it is there as soon as the
// client's send returns.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Reply returns an SMTP reply error with code, the enhanced status code
// given as "5.1.1" (x.0.0 derived from code when empty), and message.
func Reply(code int, enhanced, message string) error {
	ec := smtp.EnhancedCodeNotSet
	if parts := strings.Split(enhanced, "."); len(parts) == 3 {
		for i, p := range parts {
			ec[i], _ = strconv.Atoi(p)
		}
	}
	return &smtp.SMTPError{Code: code, EnhancedCode: ec, Message: message}
}

func (s *Server) run(cmd Command) error {
	s.mu.Lock()
	script := s.script
	s.mu.Unlock()
	if script == nil {
		return nil
	}
	return script(cmd)
}

func (s *Server) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
}
