package smtpmail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/textproto"
	"slices"
	"strconv"
	"strings"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"herald"
)

// errNoAuthMechanism means the server offers no AUTH mechanism that is
// safe on this connection.
var errNoAuthMechanism = errors.New("no usable AUTH mechanism")

// classify turns a failed SMTP conversation into a SendError: 4xx replies
// are transient, 5xx replies permanent (550-class mailbox errors
// included), and failures to connect or talk are transient. A server
// that cannot be trusted (no STARTTLS, bad certificate, no safe AUTH) is a
// configuration problem and permanent.
func classify(ctx context.Context, err error) *herald.SendError {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return sendError(herald.SendTransient, "", "abandoned: "+ctxErr.Error())
	}
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.Is(err, errNoAuthMechanism):
		return sendError(herald.SendPermanent, "", err.Error())
	case errors.As(err, &certErr):
		return sendError(herald.SendPermanent, "", "server certificate not trusted: "+certErr.Error())
	case strings.Contains(err.Error(), "does not support STARTTLS"):
		return sendError(herald.SendPermanent, "", "server does not offer STARTTLS, which SMTP_TLS=starttls requires")
	}

	code, text := replyCode(err)
	switch {
	case code >= 500:
		return sendError(herald.SendPermanent, strconv.Itoa(code), text)
	case code >= 400:
		return sendError(herald.SendTransient, strconv.Itoa(code), text)
	}
	return sendError(herald.SendTransient, "", text)
}

// replyCode finds the server's reply code in err, 0 when the server did
// not answer with one.
func replyCode(err error) (int, string) {
	var sendErr *mail.SendError
	if errors.As(err, &sendErr) {
		// go-mail's SendError does not unwrap to the reply; it keeps the
		// code and the enhanced status code itself.
		text := sendErr.Error()
		if esc := sendErr.EnhancedStatusCode(); esc != "" && !strings.Contains(text, esc) {
			text += " (" + esc + ")"
		}
		return sendErr.ErrorCode(), text
	}
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return reply.Code, err.Error()
	}
	return 0, err.Error()
}

// negotiatedAuth picks an AUTH mechanism from what the server offers,
// never one that would reveal the password on an unencrypted connection.
// It serves one connection.
type negotiatedAuth struct {
	host, username, password string
	chosen                   smtp.Auth
}

// Start implements smtp.Auth.
func (a *negotiatedAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	var prefer []string
	if server.TLS {
		prefer = []string{"PLAIN", "LOGIN", "CRAM-MD5"}
	} else {
		prefer = []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5"}
	}
	for _, mech := range prefer {
		if !slices.Contains(server.Auth, mech) {
			continue
		}
		switch mech {
		case "PLAIN":
			a.chosen = smtp.PlainAuth("", a.username, a.password, a.host, false)
		case "LOGIN":
			a.chosen = smtp.LoginAuth(a.username, a.password, a.host, false)
		case "CRAM-MD5":
			a.chosen = smtp.CRAMMD5Auth(a.username, a.password)
		case "SCRAM-SHA-256":
			a.chosen = smtp.ScramSHA256Auth(a.username, a.password)
		case "SCRAM-SHA-1":
			a.chosen = smtp.ScramSHA1Auth(a.username, a.password)
		}
		return a.chosen.Start(server)
	}
	return "", nil, fmt.Errorf("%w: server offers [%s] on a connection with TLS=%v",
		errNoAuthMechanism, strings.Join(server.Auth, " "), server.TLS)
}

// Next implements smtp.Auth.
func (a *negotiatedAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if a.chosen == nil {
		return nil, errNoAuthMechanism
	}
	return a.chosen.Next(fromServer, more)
}
