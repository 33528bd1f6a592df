package render_test

import (
	"testing"

	"herald"
	"herald/render"
)

// TestBuiltinsStayEnglish renders the built-in 24-hour reminder for leads
// of several locales: the text stays English, with English day words, and
// only the clock follows the lead (12-hour for the US, 24-hour elsewhere);
// a tenant's own text with {day} gets the lead's words.
func TestBuiltinsStayEnglish(t *testing.T) {
	t.Parallel()
	builtin, err := render.NewRegistry().Get(render.MeetingReminder24h, herald.ChannelSMS)
	if err != nil {
		t.Fatal(err)
	}
	own, err := render.Compile(sms("{name}, {title} ist {day} um {time}."))
	if err != nil {
		t.Fatal(err)
	}
	v := render.Values{Name: "Hans", Title: "Demo", Start: utc("2026-12-01T19:00:00Z"), Now: utc("2026-11-30T19:00:00Z"),
		Zone: mustZone(t, "Europe/Berlin")}
	for locale, want := range map[string]string{
		"":      `Hi Hans, reminder: You have "Demo" scheduled for tomorrow at 8:00 PM. Reply CONFIRM to confirm.`,
		"en-GB": `Hi Hans, reminder: You have "Demo" scheduled for tomorrow at 20:00. Reply CONFIRM to confirm.`,
		"de-DE": `Hi Hans, reminder: You have "Demo" scheduled for tomorrow at 20:00. Reply CONFIRM to confirm.`,
		"fr":    `Hi Hans, reminder: You have "Demo" scheduled for tomorrow at 20:00. Reply CONFIRM to confirm.`,
	} {
		v.Locale = locale
		if got := builtin.Render(v).Text; got != want {
			t.Errorf("built-in for %q = %q, want %q", locale, got, want)
		}
	}
	v.Locale = "de-AT"
	if got, want := own.Render(v).Text, "Hans, Demo ist morgen um 20:00."; got != want {
		t.Errorf("own text for de-AT = %q, want %q", got, want)
	}
}
