package smtpmail_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/smtpmail"
	"herald/smtpmail/smtptest"
)

func assertSendError(t *testing.T, err error, kind herald.SendErrorKind, code string) {
	t.Helper()
	var se *herald.SendError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want a *herald.SendError", err)
	}
	if se.Kind != kind || se.Code != code || se.Provider != "smtp" {
		t.Errorf("error = %v (kind %s, code %q), want kind %s, code %q", err, se.Kind, se.Code, kind, code)
	}
	if !strings.HasPrefix(err.Error(), "smtp: ") {
		t.Errorf("error %q is not prefixed with the provider name", err)
	}
}

func TestServerRepliesAreClassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		verb  string
		reply error
		kind  herald.SendErrorKind
		code  string
	}{
		{"unknown mailbox", "RCPT", smtptest.Reply(550, "5.1.1", "No such user"), herald.SendPermanent, "550"},
		{"mailbox busy", "RCPT", smtptest.Reply(450, "4.2.1", "Mailbox busy"), herald.SendTransient, "450"},
		{"greylisted", "RCPT", smtptest.Reply(451, "4.7.1", "Greylisted, try later"), herald.SendTransient, "451"},
		{"service unavailable", "MAIL", smtptest.Reply(421, "4.3.0", "Try again later"), herald.SendTransient, "421"},
		{"sender refused", "MAIL", smtptest.Reply(553, "5.1.8", "Sender address rejected"), herald.SendPermanent, "553"},
		{"storage full", "DATA", smtptest.Reply(452, "4.3.1", "Insufficient storage"), herald.SendTransient, "452"},
		{"content refused", "DATA", smtptest.Reply(554, "5.7.1", "Rejected as spam"), herald.SendPermanent, "554"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.NewServer(t)
			srv.Script(func(cmd smtptest.Command) error {
				if cmd.Verb == tt.verb {
					return tt.reply
				}
				return nil
			})
			_, err := newSender(t, configFor(srv, smtpmail.TLSNone)).Send(context.Background(), reminder())
			assertSendError(t, err, tt.kind, tt.code)
			if len(srv.Messages()) != 0 {
				t.Error("server recorded a message it refused")
			}
		})
	}
}

func TestWrongPasswordIsPermanent(t *testing.T) {
	t.Parallel()
	srv := smtptest.NewServer(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("herald", "right"))
	cfg := configFor(srv, smtpmail.TLSStartTLS)
	cfg.Username, cfg.Password = "herald", "wrong"
	_, err := newSender(t, cfg).Send(context.Background(), reminder())
	assertSendError(t, err, herald.SendPermanent, "535")
}

func TestUntrustworthyServersAreRefused(t *testing.T) {
	t.Parallel()
	t.Run("no STARTTLS offered", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.NewServer(t)
		_, err := newSender(t, configFor(srv, smtpmail.TLSStartTLS)).Send(context.Background(), reminder())
		assertSendError(t, err, herald.SendPermanent, "")
		if !strings.Contains(err.Error(), "STARTTLS") {
			t.Errorf("error %q does not name STARTTLS", err)
		}
		if len(srv.Messages()) != 0 {
			t.Error("message went out in clear")
		}
	})
	t.Run("certificate not trusted", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.NewServer(t, smtptest.WithSTARTTLS())
		cfg := configFor(srv, smtpmail.TLSStartTLS)
		cfg.TLSConfig = nil
		_, err := newSender(t, cfg).Send(context.Background(), reminder())
		assertSendError(t, err, herald.SendPermanent, "")
	})
	t.Run("password never sent in clear", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.NewServer(t, smtptest.WithAuth("herald", "secret"))
		cfg := configFor(srv, smtpmail.TLSNone)
		cfg.Username, cfg.Password = "herald", "secret"
		_, err := newSender(t, cfg).Send(context.Background(), reminder())
		assertSendError(t, err, herald.SendPermanent, "")
		if !strings.Contains(err.Error(), "AUTH") {
			t.Errorf("error %q does not explain the AUTH refusal", err)
		}
		if len(srv.Messages()) != 0 {
			t.Error("server received a message")
		}
	})
}

func TestConnectionRefusedIsTransient(t *testing.T) {
	t.Parallel()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := listener.Addr().(*net.TCPAddr).Port
	listener.Close()
	cfg := smtpmail.Config{Host: "127.0.0.1", Port: port, TLS: smtpmail.TLSNone, From: "noreply@herald.test"}
	_, err = newSender(t, cfg).Send(context.Background(), reminder())
	assertSendError(t, err, herald.SendTransient, "")
}

// silentServer accepts connections and never says a word.
func silentServer(t *testing.T) int {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		listener.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	return listener.Addr().(*net.TCPAddr).Port
}

func TestHangingServerIsBounded(t *testing.T) {
	t.Parallel()
	t.Run("by the command timeout", func(t *testing.T) {
		t.Parallel()
		cfg := smtpmail.Config{Host: "127.0.0.1", Port: silentServer(t), TLS: smtpmail.TLSNone,
			From: "noreply@herald.test", CommandTimeout: 150 * time.Millisecond}
		start := time.Now()
		_, err := newSender(t, cfg).Send(context.Background(), reminder())
		assertSendError(t, err, herald.SendTransient, "")
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("Send took %v against a silent server with a 150ms command timeout", elapsed)
		}
	})
	t.Run("by the caller's context during the transaction", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.NewServer(t)
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		srv.Script(func(cmd smtptest.Command) error {
			if cmd.Verb == "DATA" {
				<-release
			}
			return nil
		})
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := newSender(t, configFor(srv, smtpmail.TLSNone)).Send(ctx, reminder())
		assertSendError(t, err, herald.SendTransient, "")
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("Send took %v after its context expired at 150ms", elapsed)
		}
	})
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]smtpmail.Config{
		"no host":      {From: "a@b.test"},
		"bad from":     {Host: "mail.test", From: "not an address"},
		"bad TLS mode": {Host: "mail.test", From: "a@b.test", TLS: "ssl"},
		"bad port":     {Host: "mail.test", From: "a@b.test", Port: 70000},
	} {
		if _, err := smtpmail.New(cfg); err == nil || !strings.HasPrefix(err.Error(), "smtp: ") {
			t.Errorf("%s: New error = %v, want an smtp: error", name, err)
		}
	}
}
