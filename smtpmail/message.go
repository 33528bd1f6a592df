package smtpmail

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/wneessen/go-mail"

	"herald"
)

// ReferenceHeader repeats the attempt's reference in clear, for bounces and
// replies that quote headers but mangle the Message-ID.
const ReferenceHeader = "X-Herald-Reference"

// CalendarFileName is the name of the attached iCalendar file.
const CalendarFileName = "invite.ics"

// compose builds the MIME message: multipart/alternative with text/plain,
// text/html and text/calendar (in that order, simplest first, as clients
// show the last part they understand), inside multipart/mixed with
// invite.ics when there is a calendar.
func (s *Sender) compose(msg *herald.Message) (*mail.Msg, string, error) {
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := m.From(s.from); err != nil {
		return nil, "", sendError(herald.SendPermanent, "", "from address: "+err.Error())
	}
	var err error
	if msg.ToName != "" {
		err = m.AddToFormat(msg.ToName, msg.To)
	} else {
		err = m.To(msg.To)
	}
	if err != nil {
		return nil, "", sendError(herald.SendPermanentRecipient, "", fmt.Sprintf("recipient address %q: %v", msg.To, err))
	}

	reference := msg.Reference
	if reference == "" {
		reference = herald.NewID("msg_")
	} else {
		m.SetGenHeader(mail.Header(ReferenceHeader), reference)
	}
	messageID := MessageID(reference, s.cfg.MessageIDDomain)
	m.SetMessageIDWithValue(messageID)
	m.SetDate()

	content := msg.Email
	if content == nil {
		content = &herald.EmailContent{}
	}
	m.Subject(content.Subject)
	m.SetBodyString(mail.TypeTextPlain, msg.Text)
	if content.HTML != "" {
		m.AddAlternativeString(mail.TypeTextHTML, content.HTML)
	}
	if len(content.Calendar) > 0 {
		// The method parameter must match the METHOD inside (RFC 6047).
		calendarType := mail.ContentType("text/calendar; method=" + calendarMethod(content.Calendar))
		m.AddAlternativeString(calendarType, string(content.Calendar), mail.WithPartEncoding(mail.EncodingB64))
		if err := m.AttachReader(CalendarFileName, bytes.NewReader(content.Calendar),
			mail.WithFileContentType("application/ics"), mail.WithFileEncoding(mail.EncodingB64)); err != nil {
			return nil, "", sendError(herald.SendPermanent, "", "attach calendar: "+err.Error())
		}
	}
	return m, messageID, nil
}

// calendarMethod returns the METHOD property of an iCalendar object,
// REQUEST when it has none.
func calendarMethod(calendar []byte) string {
	scanner := bufio.NewScanner(bytes.NewReader(calendar))
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if value, ok := strings.CutPrefix(strings.ToUpper(line), "METHOD:"); ok && value != "" {
			return value
		}
	}
	return "REQUEST"
}

// MessageID returns the Message-ID, without angle brackets, that carries
// reference: reference@domain, with every character that a Message-ID may
// not hold (and '%' and '.') written as %XX. ReferenceFromMessageID undoes it.
func MessageID(reference, domain string) string {
	var b strings.Builder
	for i := 0; i < len(reference); i++ {
		c := reference[i]
		if isIDChar(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String() + "@" + domain
}

// ReferenceFromMessageID recovers the reference from a Message-ID made by
// MessageID, with or without its angle brackets.
func ReferenceFromMessageID(messageID string) (string, bool) {
	id := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(messageID), "<"), ">")
	at := strings.LastIndexByte(id, '@')
	if at <= 0 {
		return "", false
	}
	local := id[:at]
	var b strings.Builder
	for i := 0; i < len(local); i++ {
		c := local[i]
		switch {
		case c == '%':
			if i+2 >= len(local) {
				return "", false
			}
			v, err := strconv.ParseUint(local[i+1:i+3], 16, 8)
			if err != nil {
				return "", false
			}
			b.WriteByte(byte(v))
			i += 2
		case isIDChar(c):
			b.WriteByte(c)
		default:
			return "", false
		}
	}
	return b.String(), true
}

// isIDChar reports whether c is RFC 5322 atext other than '%'.
func isIDChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&'*+-/=?^_`{|}~", c) >= 0
}
