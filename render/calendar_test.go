package render_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"herald/render"
)

func testEvent() render.Event {
	start := utc("2026-12-01T19:00:00Z")
	return render.Event{
		UID:            render.EventUID("mtg_ABC123"),
		Sequence:       2,
		Start:          start,
		End:            start.Add(45 * time.Minute),
		Stamp:          utc("2026-11-30T19:00:00Z"),
		Summary:        "Demo, Q&A; then\nlunch \\ drinks — Grüße 你好 🎉",
		Description:    "Line one\r\nLine two, with a comma; and a semicolon",
		URL:            "https://meet.example.com/j/123?pwd=a,b;c",
		OrganizerName:  "Acme Sales, Inc.",
		OrganizerEmail: "reminders@acme.example",
		AttendeeName:   `John "JJ" Smith`,
		AttendeeEmail:  "john@example.org",
	}
}

// TestCalendarParses reads the invitation back with an independent parser.
func TestCalendarParses(t *testing.T) {
	t.Parallel()
	ev := testEvent()
	doc := render.Calendar(ev)
	cal, err := ics.ParseCalendar(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, doc)
	}
	if got := calendarProperty(cal, ics.PropertyMethod); got != "REQUEST" {
		t.Errorf("METHOD = %q", got)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events, want 1", len(events))
	}
	e := events[0]
	text := func(p ics.ComponentProperty) string {
		if prop := e.GetProperty(p); prop != nil {
			return prop.Value
		}
		return "<missing>"
	}
	checks := []struct {
		property ics.ComponentProperty
		want     string
	}{
		{ics.ComponentPropertyUniqueId, "mtg_ABC123@herald"},
		{ics.ComponentPropertySequence, "2"},
		{ics.ComponentPropertyDtStart, "20261201T190000Z"},
		{ics.ComponentPropertyDtEnd, "20261201T194500Z"},
		{ics.ComponentPropertyDtstamp, "20261130T190000Z"},
		{ics.ComponentPropertySummary, ev.Summary},
		{ics.ComponentPropertyDescription, "Line one\nLine two, with a comma; and a semicolon"},
		{ics.ComponentPropertyLocation, ev.URL},
		{ics.ComponentPropertyUrl, ev.URL},
		{ics.ComponentPropertyStatus, "CONFIRMED"},
	}
	for _, c := range checks {
		if got := text(c.property); got != c.want {
			t.Errorf("%s = %q, want %q", c.property, got, c.want)
		}
	}
	if start, err := e.GetStartAt(); err != nil || !start.Equal(ev.Start) {
		t.Errorf("GetStartAt = %v, %v; want %v", start, err, ev.Start)
	}
	if end, err := e.GetEndAt(); err != nil || !end.Equal(ev.End) {
		t.Errorf("GetEndAt = %v, %v; want %v", end, err, ev.End)
	}
	attendees := e.Attendees()
	if len(attendees) != 1 || attendees[0].Email() != "john@example.org" {
		t.Fatalf("attendees = %v", attendees)
	}
	if cn := attendees[0].ICalParameters["CN"]; len(cn) != 1 || cn[0] != "John 'JJ' Smith" {
		t.Errorf("attendee CN = %q", cn)
	}
	organizer := e.GetProperty(ics.ComponentPropertyOrganizer)
	if organizer == nil || organizer.Value != "mailto:reminders@acme.example" {
		t.Fatalf("organizer = %+v", organizer)
	}
	if cn := organizer.ICalParameters["CN"]; len(cn) != 1 || cn[0] != "Acme Sales, Inc." {
		t.Errorf("organizer CN = %q", cn)
	}
}

func calendarProperty(cal *ics.Calendar, p ics.Property) string {
	for _, prop := range cal.CalendarProperties {
		if prop.IANAToken == string(p) {
			return prop.Value
		}
	}
	return ""
}

// TestCalendarWireFormat checks what the parser forgives: CRLF everywhere,
// no line over 75 octets, folds between characters, escapes in place.
func TestCalendarWireFormat(t *testing.T) {
	t.Parallel()
	ev := testEvent()
	ev.Summary = strings.Repeat("Grüße 你好 🎉, ", 12)
	doc := string(render.Calendar(ev))
	if !strings.HasSuffix(doc, "END:VCALENDAR\r\n") {
		t.Error("document does not end with a CRLF-terminated END:VCALENDAR")
	}
	lines := strings.Split(strings.TrimSuffix(doc, "\r\n"), "\r\n")
	folded := 0
	for _, line := range lines {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("bare CR or LF in %q", line)
		}
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("fold splits a character: %q", line)
		}
		if strings.HasPrefix(line, " ") {
			folded++
		}
	}
	if folded < 3 {
		t.Errorf("a long summary was folded %d times", folded)
	}
	unfolded := strings.ReplaceAll(doc, "\r\n ", "")
	for _, want := range []string{
		`SUMMARY:Grüße 你好 🎉\, Grüße`,
		`DESCRIPTION:Line one\nLine two\, with a comma\; and a semicolon` + "\r\n",
		"UID:mtg_ABC123@herald\r\n",
		"SEQUENCE:2\r\n",
		"DTSTART:20261201T190000Z\r\n",
		"METHOD:REQUEST\r\n",
		"PRODID:-//Herald//Reminders//EN\r\n",
		`LOCATION:https://meet.example.com/j/123?pwd=a\,b\;c` + "\r\n",
		"URL:https://meet.example.com/j/123?pwd=a,b;c\r\n",
		`ATTENDEE;CN="John 'JJ' Smith";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:john@example.org` + "\r\n",
	} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("document lacks %q:\n%s", want, doc)
		}
	}
}

func TestCalendarDefaults(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, time.December, 1, 14, 0, 0, 0, time.FixedZone("EST", -5*3600))
	doc := string(render.Calendar(render.Event{UID: "m@herald", Sequence: -1, Start: start, Summary: "Demo"}))
	for _, want := range []string{
		"DTSTART:20261201T190000Z\r\n", // converted to UTC
		"DTEND:20261201T193000Z\r\n",   // 30 minutes by default
		"DTSTAMP:20261201T190000Z\r\n", // the start by default
		"SEQUENCE:0\r\n",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %q:\n%s", want, doc)
		}
	}
	for _, absent := range []string{"LOCATION", "URL", "DESCRIPTION", "ORGANIZER", "ATTENDEE"} {
		if strings.Contains(doc, absent) {
			t.Errorf("document has %s without a value:\n%s", absent, doc)
		}
	}
	if _, err := ics.ParseCalendar(strings.NewReader(doc)); err != nil {
		t.Errorf("parse: %v", err)
	}
}
