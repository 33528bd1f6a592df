package smtpmail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"

	"herald"
	"herald/smtpmail"
	"herald/smtpmail/smtptest"
)

const calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Herald//Reminders//EN\r\nMETHOD:REQUEST\r\n" +
	"BEGIN:VEVENT\r\nUID:mtg_1@herald\r\nDTSTAMP:20250101T080000Z\r\nDTSTART:20250101T090000Z\r\n" +
	"DTEND:20250101T100000Z\r\nSUMMARY:Product Demo\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func reminder() *herald.Message {
	return &herald.Message{
		Channel:   herald.ChannelEmail,
		Reference: "att_01:2",
		To:        "john@example.org",
		ToName:    "John Doe",
		Text:      "Hi John, your meeting \"Product Demo\" starts in 1 hour at 2:00 PM.",
		Email: &herald.EmailContent{
			Subject:  "Réunion: Product Demo in 1 hour",
			HTML:     "<p>Hi John, your meeting <b>Product Demo</b> starts in 1 hour.</p>",
			Calendar: []byte(calendar),
		},
	}
}

func newSender(t *testing.T, cfg smtpmail.Config) *smtpmail.Sender {
	t.Helper()
	sender, err := smtpmail.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return sender
}

func configFor(srv *smtptest.Server, mode smtpmail.TLSMode) smtpmail.Config {
	return smtpmail.Config{
		Host: srv.Host, Port: srv.Port, TLS: mode, TLSConfig: srv.ClientTLSConfig(),
		From: "Herald Reminders <noreply@herald.test>",
	}
}

// part is one leaf of a received MIME tree, its body decoded.
type part struct {
	mediaType string
	params    map[string]string
	header    map[string][]string
	body      string
}

// leaves walks a MIME entity and returns its leaves, with the multipart
// types met on the way.
func leaves(t *testing.T, contentType string, body io.Reader, encoding string, header map[string][]string) (multiparts []string, out []part) {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", contentType, err)
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		data, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		if strings.EqualFold(encoding, "base64") {
			data, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(data)), ""))
			if err != nil {
				t.Fatalf("base64 part: %v", err)
			}
		}
		return nil, []part{{mediaType: mediaType, params: params, header: header, body: string(data)}}
	}
	multiparts = append(multiparts, mediaType)
	reader := multipart.NewReader(body, params["boundary"])
	for {
		p, err := reader.NextPart()
		if errors.Is(err, io.EOF) {
			return multiparts, out
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		nested, ps := leaves(t, p.Header.Get("Content-Type"), p, p.Header.Get("Content-Transfer-Encoding"), p.Header)
		multiparts = append(multiparts, nested...)
		out = append(out, ps...)
	}
}

func TestSendOverSTARTTLSDeliversTextHTMLAndCalendar(t *testing.T) {
	t.Parallel()
	srv := smtptest.NewServer(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("herald", "pa55word"))
	cfg := configFor(srv, smtpmail.TLSStartTLS)
	cfg.Username, cfg.Password = "herald", "pa55word"

	result, err := newSender(t, cfg).Send(context.Background(), reminder())
	if err != nil {
		t.Fatalf("Send: %v", err)
	}

	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	received := got[0]
	if !received.TLS || received.User != "herald" {
		t.Errorf("TLS=%v user=%q, want an authenticated TLS session", received.TLS, received.User)
	}
	if received.From != "noreply@herald.test" || strings.Join(received.To, ",") != "john@example.org" {
		t.Errorf("envelope from %q to %v", received.From, received.To)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(received.Data))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	if id := msg.Header.Get("Message-ID"); id != "<att_01%3A2@herald.test>" || "<"+result.MessageID+">" != id {
		t.Errorf("Message-ID = %q, result MessageID = %q", id, result.MessageID)
	}
	if ref, ok := smtpmail.ReferenceFromMessageID(msg.Header.Get("Message-ID")); !ok || ref != "att_01:2" {
		t.Errorf("reference from Message-ID = %q, %v", ref, ok)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subject != "Réunion: Product Demo in 1 hour" {
		t.Errorf("Subject = %q", subject)
	}
	if to := msg.Header.Get("To"); !strings.Contains(to, "John Doe") || !strings.Contains(to, "<john@example.org>") {
		t.Errorf("To = %q", to)
	}

	multiparts, parts := leaves(t, msg.Header.Get("Content-Type"), msg.Body, "", nil)
	if strings.Join(multiparts, ",") != "multipart/mixed,multipart/alternative" {
		t.Errorf("structure = %v, want mixed holding alternative", multiparts)
	}
	var types []string
	for _, p := range parts {
		types = append(types, p.mediaType)
	}
	if strings.Join(types, ",") != "text/plain,text/html,text/calendar,application/ics" {
		t.Fatalf("parts = %v, want text, html, calendar, then the invite.ics attachment", types)
	}
	if parts[0].body != reminder().Text || parts[1].body != reminder().Email.HTML {
		t.Errorf("text %q / html %q", parts[0].body, parts[1].body)
	}
	if parts[2].params["method"] != "REQUEST" || parts[2].body != calendar {
		t.Errorf("calendar part method=%q body=%q", parts[2].params["method"], parts[2].body)
	}
	disposition := strings.Join(parts[3].header["Content-Disposition"], ";")
	if !strings.Contains(disposition, "attachment") || !strings.Contains(disposition, "invite.ics") || parts[3].body != calendar {
		t.Errorf("attachment disposition %q body %q", disposition, parts[3].body)
	}
	if result.Provider != "smtp" || result.Parts != 1 {
		t.Errorf("result = %+v", result)
	}
}

func TestSendOverImplicitTLS(t *testing.T) {
	t.Parallel()
	srv := smtptest.NewServer(t, smtptest.WithImplicitTLS(), smtptest.WithAuth("u", "p"))
	cfg := configFor(srv, smtpmail.TLSImplicit)
	cfg.Username, cfg.Password = "u", "p"
	if _, err := newSender(t, cfg).Send(context.Background(), reminder()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := srv.Messages(); len(got) != 1 || !got[0].TLS || got[0].User != "u" {
		t.Errorf("messages = %+v, want one over TLS from u", got)
	}
}

func TestSendInClearWithTextOnly(t *testing.T) {
	t.Parallel()
	srv := smtptest.NewServer(t)
	msg := reminder()
	msg.Email = nil
	if _, err := newSender(t, configFor(srv, smtpmail.TLSNone)).Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].TLS {
		t.Fatalf("messages = %+v, want one in clear", got)
	}
	parsed, err := netmail.ReadMessage(bytes.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if mediaType, _, _ := mime.ParseMediaType(parsed.Header.Get("Content-Type")); mediaType != "text/plain" {
		t.Errorf("Content-Type = %q, want a single text/plain body", parsed.Header.Get("Content-Type"))
	}
}

func TestMessageIDRoundTrip(t *testing.T) {
	t.Parallel()
	for _, ref := range []string{"att_01J8X", "rem_1:att_2", "a.b%c@d <e>", "ünï"} {
		id := smtpmail.MessageID(ref, "herald")
		if _, err := netmail.ParseAddress("x <" + id + ">"); err != nil {
			t.Errorf("MessageID(%q) = %q is not a valid msg-id: %v", ref, id, err)
		}
		if back, ok := smtpmail.ReferenceFromMessageID("<" + id + ">"); !ok || back != ref {
			t.Errorf("ReferenceFromMessageID(%q) = %q, %v; want %q", id, back, ok, ref)
		}
	}
	if id := smtpmail.MessageID("att_01:2", "herald"); id != "att_01%3A2@herald" {
		t.Errorf("MessageID = %q", id)
	}
}

func TestParseTLSMode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]smtpmail.TLSMode{"starttls": smtpmail.TLSStartTLS, "TLS": smtpmail.TLSImplicit, " none ": smtpmail.TLSNone} {
		if got, err := smtpmail.ParseTLSMode(in); err != nil || got != want {
			t.Errorf("ParseTLSMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := smtpmail.ParseTLSMode("ssl"); err == nil || !strings.HasPrefix(err.Error(), "smtp: ") {
		t.Errorf("ParseTLSMode(ssl) error = %v", err)
	}
}
