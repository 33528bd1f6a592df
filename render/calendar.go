package render

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is a meeting as an email invitation carries it.
type Event struct {
	// UID identifies the meeting for its whole life, so that calendar
	// clients update one event when it moves; see EventUID.
	UID string
	// Sequence counts the meeting's significant changes (time, link,
	// status); clients ignore an update whose Sequence is not higher than
	// the one they hold. Negative values count as 0.
	Sequence int
	Start    time.Time
	// End defaults to 30 minutes after Start, as meetings carry no length.
	End time.Time
	// Stamp is when this invitation was made, normally the send time.
	// Defaults to Start, which keeps output reproducible.
	Stamp       time.Time
	Summary     string
	Description string
	// URL is the join link; it is also given as the LOCATION, which is the
	// field most clients show.
	URL string
	// OrganizerName and OrganizerEmail say who invites (the tenant's
	// sending address). METHOD:REQUEST requires an organizer, so a
	// caller should always set OrganizerEmail.
	OrganizerName  string
	OrganizerEmail string
	// AttendeeName and AttendeeEmail are the lead.
	AttendeeName  string
	AttendeeEmail string
}

// EventUID returns the stable calendar UID of a meeting.
func EventUID(meetingID string) string { return meetingID + "@herald" }

// Calendar writes ev as an iCalendar object (RFC 5545) with METHOD:REQUEST,
// for the text/calendar part of an email (RFC 6047): CRLF line endings,
// lines folded at 75 octets without splitting a character, TEXT values
// escaped, and every time in UTC so that no VTIMEZONE block is needed.
func Calendar(ev Event) []byte {
	end := ev.End
	if end.IsZero() {
		end = ev.Start.Add(30 * time.Minute)
	}
	stamp := ev.Stamp
	if stamp.IsZero() {
		stamp = ev.Start
	}
	var w calendarWriter
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("PRODID:-//Herald//Reminders//EN")
	w.line("CALSCALE:GREGORIAN")
	w.line("METHOD:REQUEST")
	w.line("BEGIN:VEVENT")
	w.line("UID:" + escapeText(ev.UID))
	w.line("DTSTAMP:" + utcStamp(stamp))
	w.line("SEQUENCE:" + strconv.Itoa(max(ev.Sequence, 0)))
	w.line("DTSTART:" + utcStamp(ev.Start))
	w.line("DTEND:" + utcStamp(end))
	w.line("SUMMARY:" + escapeText(ev.Summary))
	if ev.Description != "" {
		w.line("DESCRIPTION:" + escapeText(ev.Description))
	}
	if link := stripControls(strings.TrimSpace(ev.URL)); link != "" {
		w.line("LOCATION:" + escapeText(link))
		w.line("URL:" + link)
	}
	if ev.OrganizerEmail != "" {
		w.line("ORGANIZER" + commonName(ev.OrganizerName) + ":mailto:" + stripControls(ev.OrganizerEmail))
	}
	if ev.AttendeeEmail != "" {
		w.line("ATTENDEE" + commonName(ev.AttendeeName) +
			";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:" + stripControls(ev.AttendeeEmail))
	}
	w.line("STATUS:CONFIRMED")
	w.line("END:VEVENT")
	w.line("END:VCALENDAR")
	return w.buf.Bytes()
}

// calendarWriter writes folded content lines.
type calendarWriter struct{ buf bytes.Buffer }

// line writes one content line, folding it so that no physical line passes
// 75 octets, the continuation's leading space included. It cuts only at
// character boundaries, which RFC 5545 asks for and some clients need.
func (w *calendarWriter) line(s string) {
	const limit = 75
	room := limit
	for len(s) > room {
		cut := room
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 {
			// Not UTF-8 at all: cut at the limit rather than loop.
			cut = room
		}
		w.buf.WriteString(s[:cut])
		w.buf.WriteString("\r\n ")
		s = s[cut:]
		room = limit - 1
	}
	w.buf.WriteString(s)
	w.buf.WriteString("\r\n")
}

func utcStamp(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// textEscaper escapes a TEXT value. Line breaks of any style become \n.
var textEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

// escapeText escapes a TEXT value and drops the control characters that
// RFC 5545 does not allow in one (all but tab, once breaks are escaped).
func escapeText(s string) string { return stripControls(textEscaper.Replace(s)) }

func stripControls(s string) string {
	if !strings.ContainsFunc(s, isCalendarControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isCalendarControl(r) {
			return -1
		}
		return r
	}, s)
}

func isCalendarControl(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }

// commonName renders a CN parameter, always quoted so that commas, colons
// and semicolons in a name need no escaping; a quoted parameter cannot hold
// a double quote, so those become single quotes.
func commonName(name string) string {
	name = strings.TrimSpace(stripControls(strings.ReplaceAll(name, `"`, "'")))
	if name == "" {
		return ""
	}
	return `;CN="` + name + `"`
}
