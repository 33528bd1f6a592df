package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"herald"
	"herald/catalog"
	"herald/render"
	"herald/schedule"
)

// germanReminder is a tenant's German text of meeting_reminder_24h.
const germanReminder = `Hallo {name}, Erinnerung: "{title}" ist {day} um {time}. Antworten Sie CONFIRM zur Bestätigung.`

// localeTemplate is a template as the API shows it, with its locale.
type localeTemplate struct {
	Name   string
	Locale string
	Origin string
	Text   string
}

// TestTemplatesPerLanguage saves a German and an Austrian text of the
// 24-hour reminder and sends it to leads of several locales: a de-DE lead
// gets the tenant's German text with German day words and a 24-hour clock,
// a de-AT lead the Austrian one, a fr lead the built-in English text.
func TestTemplatesPerLanguage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, b *testBundle) {
		b.strictRequests = true
		tn := b.newTenant(t, "Acme")
		key := tn.APIKey
		var saved localeTemplate
		b.do(t, "PUT", "/v1/templates/meeting_reminder_24h", key, map[string]string{"text": germanReminder, "locale": "DE"}).
			want(t, http.StatusCreated, &saved)
		if saved.Locale != "de" || saved.Origin != "tenant" {
			t.Fatalf("saved %+v, want locale de", saved)
		}
		b.do(t, "PUT", "/v1/templates/meeting_reminder_24h?locale=de-AT", key,
			map[string]string{"text": "Servus {name}, {title} ist {day} um {time}."}).want(t, http.StatusCreated, nil)

		// Reads resolve as a lead of the locale would.
		for locale, want := range map[string]string{"de-DE": "de", "de": "de", "de-AT": "de-AT", "fr": "", "": ""} {
			var got localeTemplate
			b.do(t, "GET", "/v1/templates/meeting_reminder_24h?locale="+locale, key, nil).want(t, http.StatusOK, &got)
			if got.Locale != want {
				t.Errorf("GET ?locale=%s = %+v, want the template of locale %q", locale, got, want)
			}
		}
		var preview apiPreview
		b.do(t, "POST", "/v1/templates/meeting_reminder_24h/preview", key, map[string]string{
			"locale": "de-DE", "timezone": "Europe/Berlin", "starts_at": "2026-03-04T15:00:00Z", "now": "2026-03-03T15:00:00Z"}).
			want(t, http.StatusOK, &preview)
		if want := `Hallo John, Erinnerung: "Product Demo" ist morgen um 16:00. Antworten Sie CONFIRM zur Bestätigung.`; preview.Text != want {
			t.Fatalf("German preview = %q, want %q", preview.Text, want)
		}
		all := list[localeTemplate](t, b, key, "/v1/templates")
		var variants []string
		for _, e := range all.Items {
			if e.Name == "meeting_reminder_24h" {
				variants = append(variants, e.Locale)
			}
		}
		if !slices.Equal(variants, []string{"", "", "de", "de-AT"}) { // email and SMS built-ins, then the two
			t.Fatalf("listed locales of meeting_reminder_24h = %q", variants)
		}

		sms := &recordingSender{}
		deliverer := &schedule.Deliverer{Store: b.store, SMS: sms, Templates: catalog.New(b.store, render.NewRegistry()),
			Clock: b.clock, Logger: slog.New(slog.DiscardHandler), SendTimeout: time.Second,
			Retry: schedule.RetryPolicy{InitialDelay: time.Minute, Multiplier: 2}}
		start := epoch.Add(48 * time.Hour) // Wednesday 4 March, 16:00 in Berlin
		send := func(locale string) string {
			t.Helper()
			var lead herald.Lead
			b.do(t, "POST", "/v1/leads", key, map[string]string{"name": "Hans", "phone": "+14155552671",
				"timezone": "Europe/Berlin", "locale": locale}).want(t, http.StatusCreated, &lead)
			m := b.book(t, key, lead.ID, start)
			for _, r := range m.Reminders {
				if r.Rule == "24h" {
					b.clock.Set(r.ScheduledAt)
					if err := deliverer.Deliver(context.Background(), tn.ID, r.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
			texts := sms.texts()
			return texts[len(texts)-1]
		}
		for _, c := range []struct{ locale, want string }{
			{"de_DE", `Hallo Hans, Erinnerung: "Product Demo" ist morgen um 16:00. Antworten Sie CONFIRM zur Bestätigung.`},
			{"de-AT", "Servus Hans, Product Demo ist morgen um 16:00."},
			{"fr", `Hi Hans, reminder: You have "Product Demo" scheduled for tomorrow at 16:00. Reply CONFIRM to confirm.`},
			{"en-US", `Hi Hans, reminder: You have "Product Demo" scheduled for tomorrow at 4:00 PM. Reply CONFIRM to confirm.`},
		} {
			b.clock.Set(epoch)
			if got := send(c.locale); got != c.want {
				t.Errorf("lead of locale %s got %q, want %q", c.locale, got, c.want)
			}
		}

		// Deleting the German text leaves the Austrian one, and German
		// leads get the built-in text again.
		b.do(t, "DELETE", "/v1/templates/meeting_reminder_24h?locale=de", key, nil).want(t, http.StatusNoContent, nil)
		b.do(t, "DELETE", "/v1/templates/meeting_reminder_24h?locale=de", key, nil).wantProblem(t, http.StatusNotFound, herald.ECodeNotFound)
		var got localeTemplate
		b.do(t, "GET", "/v1/templates/meeting_reminder_24h?locale=de-DE", key, nil).want(t, http.StatusOK, &got)
		if got.Origin != "builtin" || !strings.HasPrefix(got.Text, "Hi {name}") {
			t.Fatalf("after the delete a de-DE lead gets %+v, want the built-in text", got)
		}
		b.do(t, "GET", "/v1/templates/meeting_reminder_24h?locale=de_AT_x", key, nil).wantProblem(t, http.StatusUnprocessableEntity, herald.ECodeInvalid)
	})
}
