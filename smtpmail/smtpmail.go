// Package smtpmail sends Herald's email reminders over SMTP submission:
// a multipart/alternative message (plain text, HTML and the meeting as a
// text/calendar part, plus an invite.ics attachment) whose Message-ID
// carries the attempt's reference.
package smtpmail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"os"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"herald"
)

// Name is the provider name used in results and errors.
const Name = "smtp"

// TLSMode says how the connection to the SMTP server is protected.
type TLSMode string

// The TLS modes of SMTP_TLS.
const (
	// TLSStartTLS connects in clear and requires the server to upgrade with
	// STARTTLS before anything else is said (port 587).
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte (port 465).
	TLSImplicit TLSMode = "tls"
	// TLSNone never encrypts; for a relay on a trusted network only.
	TLSNone TLSMode = "none"
)

// ParseTLSMode reads an SMTP_TLS value, case-insensitively.
func ParseTLSMode(s string) (TLSMode, error) {
	switch mode := TLSMode(strings.ToLower(strings.TrimSpace(s))); mode {
	case TLSStartTLS, TLSImplicit, TLSNone:
		return mode, nil
	}
	return "", fmt.Errorf("smtp: unknown TLS mode %q (want starttls, tls or none)", s)
}

// Config configures a Sender.
type Config struct {
	// Host is the SMTP server's name, also checked against its certificate.
	Host string
	// Port defaults to 465 for TLSImplicit and 587 otherwise.
	Port int
	// Username turns on SMTP AUTH; Password goes with it. Over TLS the
	// first of PLAIN, LOGIN, CRAM-MD5 the server offers is used; in clear
	// only CRAM-MD5 or SCRAM, so the password is never sent readable.
	Username string
	Password string
	// From is the sender address, optionally with a name:
	// "Reminders <noreply@example.com>". Required.
	From string
	// TLS defaults to TLSStartTLS.
	TLS TLSMode
	// TLSConfig verifies the server; nil uses the system roots. Its
	// ServerName defaults to Host.
	TLSConfig *tls.Config
	// ConnectTimeout bounds opening the connection (and the TLS handshake
	// in TLSImplicit). Defaults to 10 seconds.
	ConnectTimeout time.Duration
	// CommandTimeout bounds each stage of the conversation: greeting and
	// EHLO, STARTTLS, AUTH, and the message transaction. Defaults to 30
	// seconds.
	CommandTimeout time.Duration
	// MessageIDDomain is the right-hand side of each Message-ID. Defaults
	// to the domain of From.
	MessageIDDomain string
	// HeloName is the name given in EHLO. Defaults to the host name.
	HeloName string
}

// Sender sends email over SMTP, one connection per message. It is safe for
// concurrent use.
type Sender struct {
	cfg  Config
	from string
	tls  *tls.Config
}

var _ herald.Sender = (*Sender)(nil)

// New checks cfg, fills in its defaults and returns a Sender.
func New(cfg Config) (*Sender, error) {
	if cfg.Host == "" {
		return nil, errors.New("smtp: host is required")
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp: from address %q: %w", cfg.From, err)
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	if _, err := ParseTLSMode(string(cfg.TLS)); err != nil {
		return nil, err
	}
	if cfg.Port == 0 {
		cfg.Port = 587
		if cfg.TLS == TLSImplicit {
			cfg.Port = 465
		}
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("smtp: port %d out of range", cfg.Port)
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.CommandTimeout <= 0 {
		cfg.CommandTimeout = 30 * time.Second
	}
	if cfg.MessageIDDomain == "" {
		cfg.MessageIDDomain = from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	}
	if cfg.HeloName == "" {
		cfg.HeloName, _ = os.Hostname()
		if cfg.HeloName == "" {
			cfg.HeloName = "localhost"
		}
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tlsConfig = cfg.TLSConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = cfg.Host
	}
	return &Sender{cfg: cfg, from: from.String(), tls: tlsConfig}, nil
}

// Name returns "smtp".
func (s *Sender) Name() string { return Name }

// Send delivers msg to the SMTP server. Success means the server accepted
// the message for delivery; its Message-ID (without angle brackets) is
// returned as the MessageID.
func (s *Sender) Send(ctx context.Context, msg *herald.Message) (herald.SendResult, error) {
	m, messageID, err := s.compose(msg)
	if err != nil {
		return herald.SendResult{}, err
	}
	var stopWatching func() bool
	defer func() {
		if stopWatching != nil {
			stopWatching()
		}
	}()
	dial := func(dialCtx context.Context, network, addr string) (net.Conn, error) {
		conn, err := s.dial(dialCtx, network, addr)
		if err == nil {
			// go-mail only watches the context while dialling; closing the
			// connection makes every later stage give up with the caller.
			stopWatching = context.AfterFunc(ctx, func() { _ = conn.Close() })
		}
		return conn, err
	}

	client, err := mail.NewClient(s.cfg.Host, s.clientOptions(dial)...)
	if err != nil {
		return herald.SendResult{}, sendError(herald.SendPermanent, "", "configure client: "+err.Error())
	}
	err = client.DialAndSendWithContext(ctx, m)
	if err != nil && !m.IsDelivered() {
		return herald.SendResult{}, classify(ctx, err)
	}
	// An error after the server took the message (a failed QUIT) does
	// not undo the delivery; reporting it would send the email twice.
	return herald.SendResult{Provider: Name, MessageID: messageID, Parts: 1}, nil
}

func (s *Sender) clientOptions(dial mail.DialContextFunc) []mail.Option {
	policy := mail.NoTLS
	if s.cfg.TLS == TLSStartTLS {
		policy = mail.TLSMandatory
	}
	opts := []mail.Option{
		mail.WithTLSPolicy(policy),
		mail.WithTLSConfig(s.tls),
		mail.WithTimeout(s.cfg.CommandTimeout),
		mail.WithHELO(s.cfg.HeloName),
		mail.WithDialContextFunc(dial),
		mail.WithoutNoop(),
		mail.WithPort(s.cfg.Port),
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuthCustom(&negotiatedAuth{
			host: s.cfg.Host, username: s.cfg.Username, password: s.cfg.Password,
		}))
	}
	return opts
}

// dial opens the connection, doing the TLS handshake itself in
// TLSImplicit mode: go-mail's own implicit TLS does not apply once a dial
// function is set, and the handshake must obey ConnectTimeout too.
func (s *Sender) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
	defer cancel()
	dialer := net.Dialer{}
	conn, err := dialer.DialContext(ctx, network, addr)
	if err != nil || s.cfg.TLS != TLSImplicit {
		return conn, err
	}
	tlsConn := tls.Client(conn, s.tls)
	if err := tlsConn.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return tlsConn, nil
}

func sendError(kind herald.SendErrorKind, code, message string) *herald.SendError {
	return &herald.SendError{Provider: Name, Kind: kind, Code: code, Message: message}
}
