package render_test

import (
	"testing"
	"time"

	"herald/render"
)

// when renders the time placeholders for a meeting at start, sent at now.
func when(t *testing.T, zone, locale string, start, now time.Time) string {
	t.Helper()
	tpl, err := render.Compile(sms("{day}|{time}|{date}|{starts_in}|{zone}"))
	if err != nil {
		t.Fatal(err)
	}
	return tpl.Render(render.Values{Start: start, Now: now, Zone: mustZone(t, zone), Locale: locale}).Text
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	zone, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return zone
}

func utc(s string) time.Time {
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return ts
}

func TestLocales(t *testing.T) {
	t.Parallel()
	start := utc("2026-12-01T19:00:00Z") // Tuesday, 14:00 in New York
	tests := []struct {
		locale string
		now    string
		want   string
	}{
		{"", "2026-11-30T19:00:00Z", "tomorrow|2:00 PM|Tue, Dec 1|1 day|EST"},
		{"en-US", "2026-12-01T18:50:00Z", "today|2:00 PM|Tue, Dec 1|10 min|EST"},
		{"en-GB", "2026-11-30T19:00:00Z", "tomorrow|14:00|Tue 1 Dec|1 day|EST"},
		{"en_ie", "2026-12-01T18:00:00Z", "today|14:00|Tue 1 Dec|1 hour|EST"},
		{"de-DE", "2026-11-30T19:00:00Z", "morgen|14:00|Di., 1. Dez.|1 Tag|EST"},
		{"de-AT", "2026-12-01T18:00:00Z", "heute|14:00|Di., 1. Dez.|1 Stunde|EST"},
		{"de", "2026-11-28T17:00:00Z", "Dienstag|14:00|Di., 1. Dez.|3 Tagen 2 Stunden|EST"},
		{"fr-FR", "2026-11-28T19:00:00Z", "mardi|14:00|mar. 1 déc.|3 jours|EST"},
		{"fr", "2026-12-01T18:50:00Z", "aujourd’hui|14:00|mar. 1 déc.|10 min|EST"},
		{"fr-CA", "2026-11-30T19:00:00Z", "demain|14:00|mar. 1 déc.|1 jour|EST"},
		{"es-ES", "2026-11-30T19:00:00Z", "mañana|14:00|mar, 1 dic|1 día|EST"},
		{"es", "2026-12-01T18:00:00Z", "hoy|14:00|mar, 1 dic|1 hora|EST"},
		{"es-MX", "2026-11-27T17:00:00Z", "martes|14:00|mar, 1 dic|4 días 2 horas|EST"},
		{"pt-BR", "2026-11-28T19:00:00Z", "Tuesday|2:00 PM|Tue, Dec 1|3 days|EST"},
		{"en-US", "2026-11-24T19:00:00Z", "Tue, Dec 1|2:00 PM|Tue, Dec 1|7 days|EST"},
		{"en-US", "2026-12-01T19:05:00Z", "today|2:00 PM|Tue, Dec 1|0 min|EST"},
		{"en-US", "2026-12-02T19:00:00Z", "Tue, Dec 1|2:00 PM|Tue, Dec 1|0 min|EST"},
	}
	for _, tt := range tests {
		t.Run(tt.locale+"/"+tt.now, func(t *testing.T) {
			t.Parallel()
			if got := when(t, "America/New_York", tt.locale, start, utc(tt.now)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestClock(t *testing.T) {
	t.Parallel()
	tests := []struct{ at, us, gb string }{
		{"2026-06-01T00:00:00Z", "12:00 AM", "00:00"},
		{"2026-06-01T00:30:00Z", "12:30 AM", "00:30"},
		{"2026-06-01T09:05:00Z", "9:05 AM", "09:05"},
		{"2026-06-01T12:00:00Z", "12:00 PM", "12:00"},
		{"2026-06-01T23:59:00Z", "11:59 PM", "23:59"},
	}
	tpl, _ := render.Compile(sms("{time}"))
	for _, tt := range tests {
		v := render.Values{Start: utc(tt.at)} // no Zone: UTC
		if got := tpl.Render(v).Text; got != tt.us {
			t.Errorf("en-US %s = %q, want %q", tt.at, got, tt.us)
		}
		v.Locale = "en-GB"
		if got := tpl.Render(v).Text; got != tt.gb {
			t.Errorf("en-GB %s = %q, want %q", tt.at, got, tt.gb)
		}
	}
}

func TestStartsIn(t *testing.T) {
	t.Parallel()
	start := utc("2026-06-01T12:00:00Z")
	tests := []struct {
		before   time.Duration
		en, de   string
		describe string
	}{
		{10 * time.Minute, "10 min", "10 Min.", "on time"},
		{10*time.Minute - 400*time.Millisecond, "10 min", "10 Min.", "sent a moment late"},
		{10*time.Minute - 31*time.Second, "9 min", "9 Min.", "half a minute late"},
		{20 * time.Second, "1 min", "1 Min.", "never 0 min before the start"},
		{time.Hour, "1 hour", "1 Stunde", ""},
		{2 * time.Hour, "2 hours", "2 Stunden", ""},
		{2*time.Hour + 5*time.Minute, "2 hours 5 min", "2 Stunden 5 Min.", ""},
		{24 * time.Hour, "1 day", "1 Tag", ""},
		{49 * time.Hour, "2 days 1 hour", "2 Tagen 1 Stunde", ""},
	}
	for _, tt := range tests {
		v := render.Values{Start: start, Now: start.Add(-tt.before)}
		tpl, _ := render.Compile(sms("{starts_in}"))
		if got := tpl.Render(v).Text; got != tt.en {
			t.Errorf("%v before (%s): %q, want %q", tt.before, tt.describe, got, tt.en)
		}
		v.Locale = "de-DE"
		if got := tpl.Render(v).Text; got != tt.de {
			t.Errorf("%v before, de: %q, want %q", tt.before, got, tt.de)
		}
	}
}

// TestDaylightSaving checks the day word and the clock on and around the
// days when New York and Berlin change their clocks in 2026.
func TestDaylightSaving(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, zone, locale, start, now, want string
	}{
		// New York springs forward on Sunday 8 March at 2:00 EST: a 23-hour day.
		{"ny 24h before a spring-forward day", "America/New_York", "", "2026-03-08T18:00:00Z", "2026-03-07T18:00:00Z",
			"tomorrow|2:00 PM|Sun, Mar 8|1 day|EDT"},
		{"ny 24h on the spring-forward day", "America/New_York", "", "2026-03-09T18:00:00Z", "2026-03-08T18:00:00Z",
			"tomorrow|2:00 PM|Mon, Mar 9|1 day|EDT"},
		{"ny right after the gap", "America/New_York", "", "2026-03-08T07:30:00Z", "2026-03-07T07:30:00Z",
			"tomorrow|3:30 AM|Sun, Mar 8|1 day|EDT"},
		// 24 hours before 00:30 on Monday is 23:30 on Saturday: two
		// calendar days, so the weekday, not "tomorrow".
		{"ny 24h across the short day", "America/New_York", "", "2026-03-09T04:30:00Z", "2026-03-08T04:30:00Z",
			"Monday|12:30 AM|Mon, Mar 9|1 day|EDT"},
		// New York falls back on Sunday 1 November at 2:00 EDT: 1:30 AM
		// happens twice, first in EDT (05:30Z), then in EST (06:30Z).
		{"ny first 1:30 AM, 24h", "America/New_York", "", "2026-11-01T05:30:00Z", "2026-10-31T05:30:00Z",
			"tomorrow|1:30 AM|Sun, Nov 1|1 day|EDT"},
		{"ny second 1:30 AM, 24h", "America/New_York", "", "2026-11-01T06:30:00Z", "2026-10-31T06:30:00Z",
			"tomorrow|1:30 AM|Sun, Nov 1|1 day|EST"},
		{"ny first 1:30 AM, 10m", "America/New_York", "", "2026-11-01T05:30:00Z", "2026-11-01T05:20:00Z",
			"today|1:30 AM|Sun, Nov 1|10 min|EDT"},
		{"ny second 1:30 AM, 1h sent at the first", "America/New_York", "", "2026-11-01T06:30:00Z", "2026-11-01T05:30:00Z",
			"today|1:30 AM|Sun, Nov 1|1 hour|EST"},
		{"ny second 1:30 AM, sent the evening before", "America/New_York", "", "2026-11-01T06:30:00Z", "2026-11-01T03:30:00Z",
			"tomorrow|1:30 AM|Sun, Nov 1|3 hours|EST"},
		{"ny 24h across the long day", "America/New_York", "", "2026-11-02T05:30:00Z", "2026-11-01T05:30:00Z",
			"tomorrow|12:30 AM|Mon, Nov 2|1 day|EST"},
		// Berlin springs forward on Sunday 29 March at 2:00 CET.
		{"berlin 24h before a spring-forward day", "Europe/Berlin", "de-DE", "2026-03-29T12:00:00Z", "2026-03-28T12:00:00Z",
			"morgen|14:00|So., 29. März|1 Tag|CEST"},
		{"berlin 24h across the short day", "Europe/Berlin", "de-DE", "2026-03-29T22:30:00Z", "2026-03-28T22:30:00Z",
			"Montag|00:30|Mo., 30. März|1 Tag|CEST"},
		{"berlin 24h before a spring-forward day, en", "Europe/Berlin", "en-GB", "2026-03-29T12:00:00Z", "2026-03-28T12:00:00Z",
			"tomorrow|14:00|Sun 29 Mar|1 day|CEST"},
		// Berlin falls back on Sunday 25 October at 3:00 CEST: 2:30 twice.
		{"berlin first 02:30, 24h", "Europe/Berlin", "de-DE", "2026-10-25T00:30:00Z", "2026-10-24T00:30:00Z",
			"morgen|02:30|So., 25. Okt.|1 Tag|CEST"},
		{"berlin second 02:30, 24h", "Europe/Berlin", "de-DE", "2026-10-25T01:30:00Z", "2026-10-24T01:30:00Z",
			"morgen|02:30|So., 25. Okt.|1 Tag|CET"},
		{"berlin second 02:30, 1h sent at the first", "Europe/Berlin", "de-DE", "2026-10-25T01:30:00Z", "2026-10-25T00:30:00Z",
			"heute|02:30|So., 25. Okt.|1 Stunde|CET"},
		{"berlin 02:30, sent the evening before", "Europe/Berlin", "de-DE", "2026-10-25T01:30:00Z", "2026-10-24T21:00:00Z",
			"morgen|02:30|So., 25. Okt.|4 Stunden 30 Min.|CET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := when(t, tt.zone, tt.locale, utc(tt.start), utc(tt.now)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestDayWordUsesTheLeadsZone: at 23:30 in New York it is already the next
// day in UTC; the word must follow the lead's calendar.
func TestDayWordUsesTheLeadsZone(t *testing.T) {
	t.Parallel()
	start := utc("2026-06-02T13:00:00Z") // 9:00 AM EDT on Tuesday
	now := utc("2026-06-02T03:30:00Z")   // 11:30 PM EDT on Monday
	if got := when(t, "America/New_York", "", start, now); got != "tomorrow|9:00 AM|Tue, Jun 2|9 hours 30 min|EDT" {
		t.Errorf("New York: %s", got)
	}
	if got := when(t, "UTC", "", start, now); got != "today|1:00 PM|Tue, Jun 2|9 hours 30 min|UTC" {
		t.Errorf("UTC: %s", got)
	}
}

func TestZeroNowRendersTheDate(t *testing.T) {
	t.Parallel()
	got := when(t, "America/New_York", "", utc("2026-12-01T19:00:00Z"), time.Time{})
	if got != "Tue, Dec 1|2:00 PM|Tue, Dec 1||EST" {
		t.Errorf("got %s", got)
	}
}

func TestResolveZone(t *testing.T) {
	t.Parallel()
	tests := []struct{ lead, meeting, tenant, want string }{
		{"America/Chicago", "Europe/Berlin", "Asia/Tokyo", "America/Chicago"},
		{"", "Europe/Berlin", "Asia/Tokyo", "Europe/Berlin"},
		{" ", "", "Asia/Tokyo", "Asia/Tokyo"},
		{"Not/AZone", "Local", "Asia/Tokyo", "Asia/Tokyo"},
		{"", "", "", "UTC"},
		{"bogus", "", "", "UTC"},
	}
	for _, tt := range tests {
		if got := render.ResolveZone(tt.lead, tt.meeting, tt.tenant).String(); got != tt.want {
			t.Errorf("ResolveZone(%q, %q, %q) = %s, want %s", tt.lead, tt.meeting, tt.tenant, got, tt.want)
		}
	}
	if got := render.SupportedLocales(); len(got) != 5 || got[0] != "en-US" {
		t.Errorf("SupportedLocales() = %v", got)
	}
}
